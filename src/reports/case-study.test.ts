/**
 * The table of the case study's part 三(一), produced from the records. Deqing 2015–2016, five
 * providers: 教育学习 235 场次, 社区服务 214 场次, together 4276 人次; 家访走访 3524 人次;
 * 重点对象专业心理辅导 154 人次; 小组活动 447 场次; 困难救助 200 人次; 技能培训 178 人次;
 * 帮助就业 289 人次. Seeded with the same figures, plus records that must not count.
 */
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { type SeedActivity, seedActivities, seedSupervisees } from '../../test/helpers/activities';
import { call, tokenFor } from '../../test/helpers/http';

const d1 = () => env.COUNTY_DEQING!;
const FROM = '2015-01-01';
const TO = '2016-12-31';

const dayOf = (i: number) =>
  new Date(Date.UTC(2015, 0, 1) + (i % 730) * 86_400_000).toISOString().slice(0, 10);

const pool = Array.from({ length: 60 }, (_, i) => `cs-${String(i).padStart(2, '0')}`);
const keyPersons = Array.from({ length: 10 }, (_, i) => `ks-${i}`);
const LATE_KEY = 'ks-late'; // a key person from 2016-06-01 only

/** `sessions` activities sharing `personTimes` participants as evenly as possible. */
function sessions(
  type: string,
  count: number,
  personTimes: number,
  minutes: number,
  offset = 0,
): SeedActivity[] {
  const base = Math.floor(personTimes / count);
  const extra = personTimes % count;
  return Array.from({ length: count }, (_, i) => {
    const n = base + (i < extra ? 1 : 0);
    return {
      type,
      occurredOn: dayOf(i + offset),
      durationMinutes: minutes,
      participants: Array.from({ length: n }, (_, j) => ({ superviseeId: pool[(i + j) % pool.length]! })),
    };
  });
}

const one = (type: string, count: number, who: (i: number) => string, extra: Partial<SeedActivity> = {}) =>
  Array.from({ length: count }, (_, i) => ({
    type,
    occurredOn: dayOf(i * 7),
    durationMinutes: 60,
    participants: [{ superviseeId: who(i) }],
    ...extra,
  }));

beforeAll(async () => {
  await seedSupervisees(d1(), [
    ...pool.map((id) => ({ id })),
    ...keyPersons.map((id) => ({ id, keyPersonFrom: '2015-01-01' })),
    { id: LATE_KEY, keyPersonFrom: '2016-06-01' },
  ]);
  const community = sessions('community_service', 214, 2076, 120, 3);
  // The last community-service session corrects a confirmed one: the original is kept, not counted.
  const original: SeedActivity = { ...community.at(-1)!, id: 'cs-original', durationMinutes: 60 };
  community[community.length - 1] = { ...community.at(-1)!, amends: 'cs-original' };

  await seedActivities(d1(), [
    ...sessions('education', 235, 2200, 120),
    ...community,
    original,
    ...one('home_visit', 3524, (i) => pool[i % pool.length]!, { durationMinutes: 45 }),
    ...one('psych_counselling', 150, (i) => keyPersons[i % keyPersons.length]!),
    ...one('psych_counselling', 30, (i) => pool[i]!),
    // Six sessions before the late key person became one (not counted as key), four from that day.
    ...['2015-12-10', '2016-01-10', '2016-02-10', '2016-03-10', '2016-04-10', '2016-05-31', '2016-06-01']
      .concat(['2016-07-10', '2016-08-10', '2016-09-10'])
      .map((occurredOn) => ({
        type: 'psych_counselling',
        occurredOn,
        durationMinutes: 60,
        participants: [{ superviseeId: LATE_KEY }],
      })),
    ...sessions('group_activity', 447, 447 * 5, 90),
    ...one('hardship_aid', 200, (i) => pool[i % pool.length]!, { aidAmountFen: 50_000 }),
    ...sessions('skills_training', 18, 178, 240),
    ...one('employment_help', 289, (i) => pool[(i * 7) % pool.length]!),
    // Records that must not count: a voided session, and one the day after the period.
    { ...sessions('education', 1, 10, 120)[0]!, status: 'voided' },
    { ...sessions('education', 1, 10, 120)[0]!, occurredOn: '2017-01-01' },
  ]);
});

describe('the case study table, part 三(一)', () => {
  it('is produced by the statistics of 2015–2016', async () => {
    const r = await call('GET', `/api/v1/counties/deqing/reports/statistics?from=${FROM}&to=${TO}`, {
      token: await tokenFor('deqing.officer'),
    });
    expect(r.status, r.text).toBe(200);
    const of = (type: string) => r.body.items.find((i: { type: string }) => i.type === type);

    expect(of('education').sessions).toBe(235); // 教育学习 235 场次
    expect(of('community_service').sessions).toBe(214); // 社区服务 214 场次
    expect(of('education').personTimes + of('community_service').personTimes).toBe(4276); // 共 4276 人次
    expect(of('home_visit').personTimes).toBe(3524); // 家访走访 3524 人次
    expect(of('psych_counselling').keyPersonTimes).toBe(154); // 重点对象专业心理辅导 154 人次
    expect(of('group_activity').sessions).toBe(447); // 小组活动 447 场次
    expect(of('hardship_aid').personTimes).toBe(200); // 困难救助 200 人次
    expect(of('skills_training').personTimes).toBe(178); // 技能培训 178 人次
    expect(of('employment_help').personTimes).toBe(289); // 帮助就业 289 人次

    // And the figures around them.
    expect(of('psych_counselling').personTimes).toBe(190);
    expect(of('education')).toMatchObject({ personTimes: 2200, hours: 4400, label: '教育学习' });
    expect(of('community_service')).toMatchObject({ personTimes: 2076, hours: 4152, serviceHours: 428 });
    expect(of('home_visit')).toMatchObject({ sessions: 3524, hours: 2643, persons: 60 });
    expect(of('hardship_aid').aidAmountFen).toBe(200 * 50_000);
    expect(r.body.items.map((i: { type: string }) => i.type)).toEqual([
      'home_visit',
      'education',
      'community_service',
      'psych_counselling',
      'group_activity',
      'skills_training',
      'employment_help',
      'hardship_aid',
    ]);
  });

  it('exports as a CSV that Excel opens: BOM, CRLF, quoted fields, Chinese headers', async () => {
    const r = await fetchCsv(`from=${FROM}&to=${TO}&format=csv`);
    expect(r.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const disposition = r.headers.get('content-disposition')!;
    expect(disposition).toContain('attachment; filename="statistics-deqing-2015-01-01_2016-12-31.csv"');
    expect(disposition).toContain(
      `filename*=UTF-8''${encodeURIComponent('德清县服务统计_2015-01-01_2016-12-31.csv')}`,
    );
    const bytes = new Uint8Array(await r.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder('utf-8', { ignoreBOM: true, fatal: true }).decode(bytes).slice(1);
    expect(text.endsWith('\r\n')).toBe(true);
    const lines = text.slice(0, -2).split('\r\n');
    expect(lines.every((l) => !l.includes('\n'))).toBe(true);
    expect(lines[0]).toBe(
      '"类型","场次","人次","小时","人数","重点对象人次","服务时长（小时）","救助金额（元）"',
    );
    expect(lines).toContain('"教育学习","235","2200","4400","60","0","470","0.00"');
    expect(lines).toContain('"上门走访","3524","3524","2643","60","0","2643","0.00"');
    expect(lines.find((l) => l.startsWith('"心理咨询"'))).toBe(
      '"心理咨询","190","190","190","41","154","190","0.00"',
    );
    expect(lines.find((l) => l.startsWith('"困难帮扶"'))).toBe(
      '"困难帮扶","200","200","200","60","0","200","100000.00"',
    );
    expect(lines).toHaveLength(9);
  });
});

async function fetchCsv(query: string) {
  const { exports } = await import('cloudflare:workers');
  return exports.default.fetch(
    new Request(`https://bangjiao.test/api/v1/counties/deqing/reports/statistics?${query}`, {
      headers: { authorization: `Bearer ${await tokenFor('deqing.admin')}` },
    }),
  );
}
