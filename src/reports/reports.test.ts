import { env, exports } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { seedActivities, seedSupervisees } from '../../test/helpers/activities';
import { superviseeBody } from '../../test/helpers/fixtures';
import { BASE, call, tokenFor } from '../../test/helpers/http';
import { readTable, XLSX_MIME } from '../transfer/table';

const d1 = () => env.COUNTY_DEQING!;
const stats = (query: string, login = 'deqing.admin') =>
  tokenFor(login).then((token) =>
    call('GET', `/api/v1/counties/deqing/reports/statistics?${query}`, { token }),
  );
const byType = (items: { type: string }[]): Record<string, any> =>
  Object.fromEntries(items.map((i) => [i.type, i]));

const APRIL = 'from=2026-04-01&to=2026-04-30';

beforeAll(async () => {
  await seedSupervisees(d1(), [
    { id: 'r-a' },
    { id: 'r-b' },
    { id: 'r-c', keyPersonFrom: '2026-04-10' },
    { id: 'r-x', townshipId: 'xinshi' },
  ]);
  await seedActivities(d1(), [
    // A group session: three participants, one of whom left half-way.
    {
      type: 'group_activity',
      occurredOn: '2026-04-03',
      durationMinutes: 90,
      participants: [{ superviseeId: 'r-a' }, { superviseeId: 'r-b' }, { superviseeId: 'r-c', minutes: 45 }],
    },
    // Legal publicity for residents: a session with no supervisee.
    { type: 'legal_publicity', occurredOn: '2026-04-05', durationMinutes: 120, participants: [] },
    // The same key person before and after the designation.
    {
      type: 'home_visit',
      occurredOn: '2026-04-09',
      durationMinutes: 30,
      participants: [{ superviseeId: 'r-c' }],
    },
    {
      type: 'home_visit',
      occurredOn: '2026-04-10',
      durationMinutes: 30,
      participants: [{ superviseeId: 'r-c' }],
    },
    // Voided: never counted.
    {
      type: 'home_visit',
      occurredOn: '2026-04-11',
      durationMinutes: 30,
      status: 'voided',
      participants: [{ superviseeId: 'r-a' }],
    },
    // Another township, another provider, and the bureau's own call-back.
    {
      type: 'home_visit',
      occurredOn: '2026-04-12',
      durationMinutes: 60,
      townshipId: 'xinshi',
      participants: [{ superviseeId: 'r-x' }],
    },
    {
      type: 'education',
      occurredOn: '2026-04-15',
      durationMinutes: 120,
      townshipId: 'xinshi',
      providerId: 'rainbow',
      participants: [{ superviseeId: 'r-x' }],
    },
    {
      type: 'verification_callback',
      occurredOn: '2026-04-20',
      durationMinutes: 10,
      providerId: null,
      participants: [{ superviseeId: 'r-a' }],
    },
    // Just outside April on both sides.
    {
      type: 'education',
      occurredOn: '2026-03-31',
      durationMinutes: 60,
      participants: [{ superviseeId: 'r-a' }],
    },
    {
      type: 'education',
      occurredOn: '2026-05-01',
      durationMinutes: 60,
      participants: [{ superviseeId: 'r-a' }],
    },
  ]);
});

describe('statistics per activity type', () => {
  it('counts sessions, person-times and participants’ hours, without voided or out-of-range records', async () => {
    const r = await stats(APRIL);
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ from: '2026-04-01', to: '2026-04-30', groupBy: null });
    const t = byType(r.body.items);
    expect(t.group_activity).toEqual({
      type: 'group_activity',
      label: '小组活动',
      sessions: 1,
      personTimes: 3,
      hours: 3.75,
      minutes: 225,
      persons: 3,
      keyPersonTimes: 0,
      serviceHours: 1.5,
      aidAmountFen: 0,
    });
    expect(t.legal_publicity).toMatchObject({ sessions: 1, personTimes: 0, hours: 0, serviceHours: 2 });
    expect(t.home_visit).toMatchObject({
      sessions: 3,
      personTimes: 3,
      hours: 2,
      persons: 2,
      keyPersonTimes: 1,
    });
    expect(t.education).toMatchObject({ sessions: 1, personTimes: 1, hours: 2 });
    expect(t.verification_callback).toMatchObject({ sessions: 1, personTimes: 1 });
    expect(Object.keys(t).sort()).toEqual(
      ['education', 'group_activity', 'home_visit', 'legal_publicity', 'verification_callback'].sort(),
    );
  });

  it('counts a one-day range and the range ends inclusively', async () => {
    const r = await stats('from=2026-03-31&to=2026-03-31');
    expect(r.body.items).toEqual([expect.objectContaining({ type: 'education', sessions: 1, hours: 1 })]);
    expect((await stats('from=2026-05-02&to=2026-05-31')).body.items).toEqual([]);
  });

  it('groups by provider, township or month, each item carrying its key', async () => {
    const byProvider = await stats(`${APRIL}&groupBy=provider`);
    expect(byProvider.body.groupBy).toBe('provider');
    const keys = byProvider.body.items.map((i: { providerId: string | null; type: string }) => [
      i.providerId,
      i.type,
    ]);
    expect(keys).toEqual([
      [null, 'verification_callback'],
      ['chenxi', 'home_visit'],
      ['chenxi', 'group_activity'],
      ['chenxi', 'legal_publicity'],
      ['rainbow', 'education'],
    ]);
    expect(byProvider.body.items[1]).toMatchObject({ providerId: 'chenxi', sessions: 3, personTimes: 3 });

    const byTownship = await stats(`${APRIL}&groupBy=township`);
    const xinshi = byTownship.body.items.filter((i: { townshipId: string }) => i.townshipId === 'xinshi');
    expect(xinshi.map((i: { type: string; sessions: number }) => [i.type, i.sessions])).toEqual([
      ['home_visit', 1],
      ['education', 1],
    ]);

    const byMonth = await stats('from=2026-03-01&to=2026-05-31&groupBy=month');
    const education = byMonth.body.items.filter((i: { type: string }) => i.type === 'education');
    expect(education.map((i: { month: string; sessions: number }) => [i.month, i.sessions])).toEqual([
      ['2026-03', 1],
      ['2026-04', 1],
      ['2026-05', 1],
    ]);
    for (const item of byMonth.body.items) expect(item).not.toHaveProperty('providerId');
  });

  it('shows an office its townships, a provider its own work, oversight roles the whole county', async () => {
    const office = byType((await stats(APRIL, 'deqing.office.wukang')).body.items);
    expect(office.home_visit).toMatchObject({ sessions: 2 });
    expect(office.education).toBeUndefined();
    expect(office.verification_callback).toMatchObject({ sessions: 1 });

    const provider = byType((await stats(APRIL, 'provider.worker')).body.items);
    expect(provider.home_visit).toMatchObject({ sessions: 3 });
    expect(provider.education).toBeUndefined(); // rainbow's
    expect(provider.verification_callback).toBeUndefined(); // the bureau's

    for (const login of ['deqing.finance', 'deqing.evaluator', 'deqing.officer']) {
      const all = byType((await stats(APRIL, login)).body.items);
      expect({ login, sessions: all.home_visit.sessions, education: all.education.sessions }).toEqual({
        login,
        sessions: 3,
        education: 1,
      });
    }
    expect((await stats(APRIL, 'anji.admin')).status).toBe(403);
    const anji = await call('GET', `/api/v1/counties/anji/reports/statistics?${APRIL}`, {
      token: await tokenFor('anji.admin'),
    });
    expect(anji.body.items).toEqual([]);
  });

  it('carries no personal field and no supervisee id', async () => {
    const r = await stats(`${APRIL}&groupBy=township`);
    expect(r.text).not.toMatch(/r-[abcx]/);
    for (const item of r.body.items) {
      expect(Object.keys(item).sort()).toEqual(
        [
          'aidAmountFen',
          'hours',
          'keyPersonTimes',
          'label',
          'minutes',
          'personTimes',
          'persons',
          'serviceHours',
          'sessions',
          'townshipId',
          'type',
        ].sort(),
      );
    }
  });

  it('refuses a missing or inverted range and unknown options, naming the parameter', async () => {
    for (const [query, path] of [
      ['to=2026-04-30', 'from'],
      ['from=2026-04-01', 'to'],
      ['from=2026-04-30&to=2026-04-01', 'to'],
      ['from=2026-02-30&to=2026-04-01', 'from'],
      [`${APRIL}&groupBy=worker`, 'groupBy'],
      [`${APRIL}&format=pdf`, 'format'],
    ]) {
      const r = await stats(query!);
      expect({ query, status: r.status }).toEqual({ query, status: 400 });
      expect(r.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    }
  });

  it('exports groups under their names in the CSV', async () => {
    const r = await stats(`${APRIL}&groupBy=township&format=csv`);
    expect(r.status).toBe(200);
    const lines = r.text
      .replace(/^\uFEFF/, '')
      .trimEnd()
      .split('\r\n');
    expect(lines[0]!.startsWith('"乡镇（街道）","类型","场次","人次","小时"')).toBe(true);
    expect(lines).toContain('"新市镇","教育学习","1","1","2","1","0","2","0.00"');
    const byProvider = await stats(`${APRIL}&groupBy=provider&format=csv`);
    expect(byProvider.text).toContain('"德清县晨曦社会工作服务中心","上门走访","3","3","2"');
    expect(byProvider.text).toContain('"司法局／司法所","回访核查"');
    expect(byProvider.text).toContain('"rainbow","教育学习"'); // not a registered provider: its id
  });

  it('exports the same table as .xlsx', async () => {
    const res = await exports.default.fetch(
      new Request(`${BASE}/api/v1/counties/deqing/reports/statistics?${APRIL}&groupBy=township&format=xlsx`, {
        headers: { authorization: `Bearer ${await tokenFor('deqing.admin')}` },
      }),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(XLSX_MIME);
    expect(res.headers.get('content-disposition')).toMatch(/\.xlsx"/);
    const rows = readTable(new Uint8Array(await res.arrayBuffer())).rows.map((r) => r.cells);
    expect(rows[0]!.slice(0, 5)).toEqual(['乡镇（街道）', '类型', '场次', '人次', '小时']);
    expect(rows).toContainEqual(['新市镇', '教育学习', '1', '1', '2', '1', '0', '2', '0']);
  });
});

describe('volunteers (义工)', () => {
  const admin = () => tokenFor('deqing.admin');
  let wukangId = '';
  let xinshiId = '';

  beforeAll(async () => {
    const create = async (townshipId: string) => {
      const r = await call('POST', '/api/v1/counties/deqing/supervisees', {
        token: await admin(),
        body: superviseeBody({ townshipId, name: `义工${townshipId}` }),
      });
      return r.body.id as string;
    };
    wukangId = await create('wukang');
    xinshiId = await create('xinshi');
    const notVolunteer = await create('wukang');
    await d1()
      .prepare(
        "INSERT INTO assignments (id, supervisee_id, provider_id, from_date) VALUES (?, ?, 'chenxi', '2026-01-01')",
      )
      .bind(crypto.randomUUID(), wukangId)
      .run();
    for (const [id, volunteerSince] of [
      [wukangId, '2026-02-01'],
      [xinshiId, '2026-03-15'],
      [notVolunteer, null],
    ] as const) {
      const r = await call('PUT', `/api/v1/counties/deqing/supervisees/${id}/profile`, {
        token: await admin(),
        body: { employment: '务工', volunteerSince },
      });
      expect(r.status).toBe(200);
    }
  });

  const volunteers = (query: string, login = 'deqing.admin') =>
    tokenFor(login).then((token) =>
      call('GET', `/api/v1/counties/deqing/reports/volunteers?${query}`, { token }),
    );

  it('counts and lists those who joined by a day, with the date', async () => {
    const r = await volunteers('on=2026-03-31');
    expect(r.status, r.text).toBe(200);
    expect(r.body.count).toBe(2);
    expect(r.body.items).toEqual([
      expect.objectContaining({ superviseeId: wukangId, name: '义工wukang', volunteerSince: '2026-02-01' }),
      expect.objectContaining({ superviseeId: xinshiId, townshipId: 'xinshi', volunteerSince: '2026-03-15' }),
    ]);
    expect((await volunteers('on=2026-03-14')).body.count).toBe(1);
    expect(
      (await volunteers('on=2026-03-31&township=xinshi')).body.items.map(
        (i: { superviseeId: string }) => i.superviseeId,
      ),
    ).toEqual([xinshiId]);
    expect((await volunteers('')).body.count).toBe(2); // default: today
  });

  it('names them only to roles that may see the supervisees; others get the count', async () => {
    const office = await volunteers('on=2026-03-31', 'deqing.office.wukang');
    expect(office.body).toMatchObject({
      count: 1,
      items: [expect.objectContaining({ superviseeId: wukangId })],
    });
    const provider = await volunteers('on=2026-03-31', 'provider.worker');
    expect(provider.body).toMatchObject({
      count: 1,
      items: [expect.objectContaining({ superviseeId: wukangId })],
    });
    for (const login of ['deqing.evaluator', 'deqing.finance']) {
      const r = await volunteers('on=2026-03-31', login);
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ on: '2026-03-31', count: 2 });
      expect(r.text).not.toContain('义工');
    }
    expect((await volunteers('on=2026-03-31', 'anji.admin')).status).toBe(403);
    expect((await volunteers('on=2026-13-01')).status).toBe(400);
  });
});
