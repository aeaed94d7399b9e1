import { env } from 'cloudflare:workers';
import { and, eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { describe, expect, it } from 'vitest';
import { call, tokenFor } from '../../test/helpers/http';
import {
  A,
  activityBody,
  D,
  officeOf,
  otherProvider,
  record,
  servedSupervisee,
  xinshiOffice,
} from '../../test/helpers/service-records';
import { countsConfirmed, countsRecorded } from '../activities/counting';
import { activities } from '../activities/schema';
import { todayIn } from '../lib/time';

const worker = () => tokenFor('provider.worker');
const providerAdmin = () => tokenFor('provider.admin');
const office = () => tokenFor('deqing.office.wukang');
const bureau = () => tokenFor('deqing.officer');

const todayInShanghai = () => todayIn('Asia/Shanghai');

/** Records one visit in wukang on `day` and returns the activity and its ledger (listed). */
async function ledgerWithVisit(day: string, patch: Record<string, unknown> = {}) {
  const s = await servedSupervisee(patch);
  const a = await record(await worker(), activityBody([s.id], { occurredOn: day }));
  expect(a.status, a.text).toBe(201);
  const l = await call('GET', `${D}/ledgers/${a.body.ledgerId}`, { token: await providerAdmin() });
  expect(l.status, l.text).toBe(200);
  return { supervisee: s, activity: a.body, ledger: l.body };
}

const post = async (path: string, token: string, body?: unknown, headers?: Record<string, string>) =>
  call('POST', `${D}${path}`, {
    token,
    ...(body !== undefined ? { body } : {}),
    ...(headers ? { headers } : {}),
  });

describe('ledgers are created on demand', () => {
  it('files activities by provider, township and the 26th-to-25th cycle of deqing, with totals', async () => {
    const people = await Promise.all([1, 2, 3].map(() => servedSupervisee({ townshipId: 'fuxi' })));
    const t = await worker();
    await record(t, activityBody([people[0]!.id], { occurredOn: '2026-02-26', startTime: '09:00' }));
    await record(
      t,
      activityBody([], {
        type: 'group_activity',
        occurredOn: '2026-03-25',
        durationMinutes: 120,
        participants: [
          { superviseeId: people[0]!.id },
          { superviseeId: people[1]!.id, minutes: 90 },
          { superviseeId: people[2]!.id, minutes: 30 },
        ],
      }),
    );
    await record(t, activityBody([people[0]!.id], { occurredOn: '2026-03-26', startTime: '09:00' })); // next cycle
    const voided = await record(t, activityBody([people[1]!.id], { occurredOn: '2026-03-01' }));
    await call('POST', `${D}/activities/${voided.body.id}/void`, { token: t, body: { reason: '重复' } });

    const r = await call('GET', `${D}/ledgers?cycle=2026-03&townshipId=fuxi`, {
      token: await providerAdmin(),
    });
    expect(r.status, r.text).toBe(200);
    expect(r.body.items).toHaveLength(1);
    const [ledger] = r.body.items;
    expect(ledger).toMatchObject({
      providerId: 'chenxi',
      townshipId: 'fuxi',
      cycle: '2026-03',
      cycleStart: '2026-02-26',
      cycleEnd: '2026-03-25',
      dueBy: '2026-03-25',
      status: 'draft',
      activityCount: 2,
      voidedCount: 1,
      late: true, // never submitted, and its day has passed
    });
    expect(ledger.totals).toEqual([
      { type: 'group_activity', sessions: 1, personTimes: 3, minutes: 240, hours: 4 },
      { type: 'home_visit', sessions: 1, personTimes: 1, minutes: 60, hours: 1 },
    ]);
    const april = await call('GET', `${D}/ledgers?cycle=2026-04&townshipId=fuxi`, {
      token: await providerAdmin(),
    });
    expect(april.body.items.map((l: { activityCount: number }) => l.activityCount)).toEqual([1]);
  });

  it('uses the calendar month and a 5-day deadline in anji (the provincial preset)', async () => {
    const s = await servedSupervisee({}, 'chenxi', 'anji');
    const a = await record(await worker(), activityBody([s.id], { occurredOn: '2026-03-31' }), {}, 'anji');
    expect(a.status, a.text).toBe(201);
    const r = await call('GET', `${A}/ledgers?cycle=2026-03`, { token: await providerAdmin() });
    expect(r.body.items).toEqual([
      expect.objectContaining({
        cycleStart: '2026-03-01',
        cycleEnd: '2026-03-31',
        dueBy: '2026-04-05',
        townshipId: 'dipu',
      }),
    ]);
  });

  it('leaves out a draft whose activities were all voided', async () => {
    const { activity, ledger } = await ledgerWithVisit('2026-01-05', { townshipId: 'zhongguan' });
    await call('POST', `${D}/activities/${activity.id}/void`, {
      token: await worker(),
      body: { reason: '误录' },
    });
    const r = await call('GET', `${D}/ledgers?cycle=${ledger.cycle}&townshipId=zhongguan`, {
      token: await bureau(),
    });
    expect(r.body.items).toEqual([]);
  });

  it('refuses a malformed cycle', async () => {
    const r = await call('GET', `${D}/ledgers?cycle=2026-13`, { token: await bureau() });
    expect(r.status).toBe(400);
    expect(r.body.errors[0].path).toBe('cycle');
  });
});

describe('ledger states', () => {
  it('goes draft → submitted → returned → submitted → confirmed, keeping every event', async () => {
    const { ledger } = await ledgerWithVisit('2026-05-10');
    const id = ledger.id;
    expect(ledger).toMatchObject({ status: 'draft', late: true });

    expect((await post(`/ledgers/${id}/submit`, await worker())).status).toBe(403);
    const submitted = await post(`/ledgers/${id}/submit`, await providerAdmin());
    expect(submitted.status, submitted.text).toBe(200);
    expect(submitted.body).toMatchObject({
      status: 'submitted',
      late: true,
      submittedBy: 'u-provider-admin',
    });
    expect((await post(`/ledgers/${id}/submit`, await providerAdmin())).status).toBe(409);

    expect((await post(`/ledgers/${id}/return`, await office(), {})).status).toBe(400);
    const returned = await post(`/ledgers/${id}/return`, await office(), { reason: '走访记录缺少地点' });
    expect(returned.status, returned.text).toBe(200);
    expect(returned.body).toMatchObject({ status: 'returned', returnedReason: '走访记录缺少地点' });
    expect((await post(`/ledgers/${id}/confirm`, await office())).status).toBe(409);

    const resubmitted = await post(`/ledgers/${id}/submit`, await providerAdmin());
    expect(resubmitted.body.status).toBe('submitted');
    const confirmed = await post(`/ledgers/${id}/confirm`, await office());
    expect(confirmed.status, confirmed.text).toBe(200);
    expect(confirmed.body).toMatchObject({ status: 'confirmed', confirmedBy: 'u-deqing-office-wukang' });
    expect((await post(`/ledgers/${id}/confirm`, await office())).status).toBe(409);
    expect((await post(`/ledgers/${id}/return`, await office(), { reason: 'x' })).status).toBe(409);
    expect((await post(`/ledgers/${id}/submit`, await providerAdmin())).status).toBe(409);

    const detail = await call('GET', `${D}/ledgers/${id}`, { token: await bureau() });
    expect(detail.body.events.map((e: { action: string }) => e.action)).toEqual([
      'submit',
      'return',
      'submit',
      'confirm',
    ]);
    expect(detail.body.events[1]).toMatchObject({
      reason: '走访记录缺少地点',
      byUserId: 'u-deqing-office-wukang',
    });
    expect(detail.body.activities).toHaveLength(1);
    expect(detail.body.activities[0]).toMatchObject({ locked: true, ledgerStatus: 'confirmed' });
  });

  it('flags a late submission only when first submitted after dueBy', async () => {
    const today = todayInShanghai();
    const { ledger } = await ledgerWithVisit(today, { townshipId: 'xiazhuhu', termEnd: '2099-12-31' });
    expect(ledger.late).toBe(false);
    const submitted = await post(`/ledgers/${ledger.id}/submit`, await providerAdmin());
    expect(submitted.body).toMatchObject({ status: 'submitted', late: false });
  });

  it("refuses to confirm or return another township's ledger, and the bureau's roles", async () => {
    const { ledger } = await ledgerWithVisit('2026-05-11', { townshipId: 'xinshi' });
    await post(`/ledgers/${ledger.id}/submit`, await providerAdmin());
    const wrongOffice = await post(`/ledgers/${ledger.id}/confirm`, await office());
    expect(wrongOffice.status).toBe(404);
    const missing = await post('/ledgers/does-not-exist/confirm', await office());
    expect(wrongOffice.body.detail).toBe(missing.body.detail);
    expect((await post(`/ledgers/${ledger.id}/return`, await office(), { reason: 'x' })).status).toBe(404);
    expect((await post(`/ledgers/${ledger.id}/confirm`, await tokenFor('deqing.admin'))).status).toBe(403);
    expect((await post(`/ledgers/${ledger.id}/confirm`, await providerAdmin())).status).toBe(403);
    const right = await post(`/ledgers/${ledger.id}/confirm`, await xinshiOffice());
    expect(right.status, right.text).toBe(200);
  });

  it("keeps an office from reading another township's ledger, and a provider from another provider's", async () => {
    const { ledger } = await ledgerWithVisit('2026-10-12', { townshipId: 'xinshi' });
    expect((await call('GET', `${D}/ledgers/${ledger.id}`, { token: await office() })).status).toBe(404);
    const list = await call('GET', `${D}/ledgers?cycle=${ledger.cycle}`, { token: await office() });
    expect(list.body.items.every((l: { townshipId: string }) => l.townshipId === 'wukang')).toBe(true);
    const other = await otherProvider();
    expect((await call('GET', `${D}/ledgers/${ledger.id}`, { token: other.admin })).status).toBe(404);
    expect((await post(`/ledgers/${ledger.id}/submit`, other.admin)).status).toBe(404);
    const theirs = await call('GET', `${D}/ledgers?cycle=${ledger.cycle}`, { token: other.admin });
    expect(theirs.body.items).toEqual([]);
    expect((await call('GET', `${D}/ledgers?providerId=chenxi`, { token: other.admin })).status).toBe(403);
  });

  it('refuses a confirmation when the ledger changed since the office read it (If-Match)', async () => {
    const { supervisee, ledger } = await ledgerWithVisit('2026-05-13', { townshipId: 'kangqian' });
    await post(`/ledgers/${ledger.id}/submit`, await providerAdmin());
    const office = await officeOf('kangqian');
    const read = await call('GET', `${D}/ledgers/${ledger.id}`, { token: office });
    const tag = read.headers.get('etag')!;
    // The provider records one more visit of the cycle after the office read the ledger.
    await record(await worker(), activityBody([supervisee.id], { occurredOn: '2026-05-14' }));
    const stale = await post(`/ledgers/${ledger.id}/confirm`, office, undefined, { 'if-match': tag });
    expect(stale.status).toBe(412);
    const reread = await call('GET', `${D}/ledgers/${ledger.id}`, { token: office });
    expect(reread.body.activityCount).toBe(2);
    const ok = await post(`/ledgers/${ledger.id}/confirm`, office, undefined, {
      'if-match': reread.headers.get('etag')!,
    });
    expect(ok.status, ok.text).toBe(200);
  });
});

describe('a confirmed ledger is locked', () => {
  it('refuses changes to its activities and new activities of its cycle, provider and township', async () => {
    const { supervisee, activity, ledger } = await ledgerWithVisit('2026-06-10');
    await post(`/ledgers/${ledger.id}/submit`, await providerAdmin());
    await post(`/ledgers/${ledger.id}/confirm`, await office());

    const patch = await call('PATCH', `${D}/activities/${activity.id}`, {
      token: await worker(),
      body: { summary: '补记' },
    });
    expect(patch.status).toBe(409);
    const voiding = await call('POST', `${D}/activities/${activity.id}/void`, {
      token: await worker(),
      body: { reason: 'x' },
    });
    expect(voiding.status).toBe(409);
    const late = await record(await worker(), activityBody([supervisee.id], { occurredOn: '2026-06-11' }));
    expect(late.status).toBe(409);
    expect(late.body.detail).toContain('confirmed');
    const byBureau = await record(
      await tokenFor('deqing.admin'),
      activityBody([supervisee.id], { occurredOn: '2026-06-12', providerId: 'chenxi' }),
    );
    expect(byBureau.status).toBe(409);
    // Moving another activity into the confirmed cycle is refused too.
    const other = await record(await worker(), activityBody([supervisee.id], { occurredOn: '2026-06-30' }));
    expect(other.status).toBe(201);
    const move = await call('PATCH', `${D}/activities/${other.body.id}`, {
      token: await worker(),
      body: { occurredOn: '2026-06-15' },
    });
    expect(move.status).toBe(409);
    // Other cycles, other townships and the office's own records are not locked.
    expect(
      (await record(await worker(), activityBody([supervisee.id], { occurredOn: '2026-06-26' }))).status,
    ).toBe(201);
    expect(
      (
        await record(
          await worker(),
          activityBody([supervisee.id], { occurredOn: '2026-06-11', townshipId: 'qianyuan' }),
        )
      ).status,
    ).toBe(201);
    expect(
      (
        await record(
          await office(),
          activityBody([supervisee.id], { occurredOn: '2026-06-11', type: 'report_in_person' }),
        )
      ).status,
    ).toBe(201);
    const unchanged = await env
      .COUNTY_DEQING!.prepare('SELECT count(*) AS n FROM activities WHERE ledger_id = ?')
      .bind(ledger.id)
      .first<{ n: number }>();
    expect(unchanged!.n).toBe(1);
  });

  it('never lets a create racing a confirmation land in the confirmed ledger', async () => {
    const { supervisee, ledger } = await ledgerWithVisit('2026-09-01', { townshipId: 'leidian' });
    await post(`/ledgers/${ledger.id}/submit`, await providerAdmin());
    const officeToken = await officeOf('leidian');
    const t = await worker();
    const later = <T>(ms: number, f: () => Promise<T>) =>
      new Promise<T>((resolve, reject) => setTimeout(() => f().then(resolve, reject), ms));
    // Creates spread over time, the confirmation in their midst: some commit before it, some after.
    const creates = Array.from({ length: 12 }, (_, i) =>
      later(i * 25, () =>
        record(
          t,
          activityBody([supervisee.id], {
            occurredOn: '2026-09-02',
            startTime: `${String(i + 8).padStart(2, '0')}:00`,
            durationMinutes: 20,
          }),
        ),
      ),
    );
    const confirming = later(120, () => post(`/ledgers/${ledger.id}/confirm`, officeToken));
    const [confirm, ...answers] = await Promise.all([confirming, ...creates]);
    expect(confirm.status, confirm.text).toBe(200);
    expect(answers.every((a) => a.status === 201 || a.status === 409)).toBe(true);
    const db = env.COUNTY_DEQING!;
    const confirmedAt = await db
      .prepare("SELECT seq FROM audit_log WHERE action = 'ledger.confirm' AND target_id = ?")
      .bind(ledger.id)
      .first<{ seq: number }>();
    const { results } = await db
      .prepare(
        "SELECT a.id, l.seq FROM activities a JOIN audit_log l ON l.target_id = a.id AND l.action = 'activity.create' WHERE a.ledger_id = ?",
      )
      .bind(ledger.id)
      .all<{ id: string; seq: number }>();
    // Every activity of the confirmed ledger was written before the confirmation…
    expect(results.every((r) => r.seq < confirmedAt!.seq)).toBe(true);
    // …and exactly the creates answered 201 exist.
    expect(results.length).toBe(1 + answers.filter((a) => a.status === 201).length);
    const refused = answers.filter((a) => a.status === 409).length;
    const { n } = (await db
      .prepare(
        "SELECT count(*) AS n FROM activities a JOIN activity_participants p ON p.activity_id = a.id WHERE p.supervisee_id = ? AND a.occurred_on = '2026-09-02'",
      )
      .bind(supervisee.id)
      .first<{ n: number }>())!;
    expect(n).toBe(12 - refused);
  });
});

describe('amendments', () => {
  it('corrects a confirmed activity with a new one that amends it, keeping the original', async () => {
    const { activity, ledger } = await ledgerWithVisit('2026-07-10', { townshipId: 'moganshan' });
    await post(`/ledgers/${ledger.id}/submit`, await providerAdmin());
    const officeToken = await officeOf('moganshan');
    expect((await post(`/ledgers/${ledger.id}/confirm`, officeToken)).status).toBe(200);

    const notConfirmed = await ledgerWithVisit('2026-07-11');
    const early = await post(`/activities/${notConfirmed.activity.id}/amendments`, await worker(), {
      reason: 'x',
      durationMinutes: 30,
    });
    expect(early.status).toBe(409);

    const amended = await post(`/activities/${activity.id}/amendments`, await worker(), {
      reason: '实际走访 90 分钟',
      durationMinutes: 90,
    });
    expect(amended.status, amended.text).toBe(201);
    expect(amended.body).toMatchObject({
      amends: activity.id,
      durationMinutes: 90,
      occurredOn: '2026-07-10',
      participants: [{ superviseeId: activity.participants[0].superviseeId, minutes: 90 }],
      ledgerStatus: 'draft',
    });
    expect(amended.body.ledgerId).not.toBe(ledger.id);
    // The summary it kept is re-encrypted for its own row, and reads back (ADR 0403).
    expect(amended.body.summary).toBe(activity.summary);
    const amendment = await call('GET', `${D}/activities/${amended.body.id}`, { token: await worker() });
    expect(amendment.body.summary).toBe(activity.summary);

    const original = await call('GET', `${D}/activities/${activity.id}`, { token: await worker() });
    expect(original.body).toMatchObject({
      durationMinutes: 60,
      version: 1,
      locked: true,
      amendedBy: amended.body.id,
    });

    const twice = await post(`/activities/${activity.id}/amendments`, await worker(), {
      reason: 'y',
      durationMinutes: 45,
    });
    expect(twice.status).toBe(409);
    expect(twice.body.detail).toContain(amended.body.id);

    const events = await call('GET', `${D}/ledgers/${ledger.id}`, { token: await bureau() });
    expect(events.body.events.at(-1)).toMatchObject({
      action: 'amend',
      reason: '实际走访 90 分钟',
      detail: { activityId: activity.id, amendmentId: amended.body.id },
    });
    expect(events.body.activityCount).toBe(1);

    const target = await call('GET', `${D}/ledgers/${amended.body.ledgerId}`, { token: await bureau() });
    expect(target.body.warnings).toEqual(
      expect.arrayContaining([
        { kind: 'amendment', activityId: amended.body.id, otherActivityId: activity.id },
      ]),
    );
    const other = await otherProvider();
    expect((await post(`/activities/${activity.id}/amendments`, other.admin, { reason: 'z' })).status).toBe(
      404,
    );

    // The amendment replaces the original when counting: recorded at once, confirmed once its ledger is.
    const db = drizzle(env.COUNTY_DEQING!);
    const counted = async (basis: typeof countsRecorded) =>
      (
        await db
          .select({ id: activities.id })
          .from(activities)
          .where(
            and(basis(), eq(activities.occurredOn, '2026-07-10'), eq(activities.townshipId, 'moganshan')),
          )
      ).map((r) => r.id);
    expect(await counted(countsRecorded)).toEqual([amended.body.id]);
    expect(await counted(countsConfirmed)).toEqual([activity.id]);
    expect((await post(`/ledgers/${amended.body.ledgerId}/submit`, await providerAdmin())).status).toBe(200);
    expect((await post(`/ledgers/${amended.body.ledgerId}/confirm`, officeToken)).status).toBe(200);
    expect(await counted(countsConfirmed)).toEqual([amended.body.id]);
  });
});

describe('warnings and the archive', () => {
  it('lists overlaps as warnings of the ledger, once per pair', async () => {
    const s = await servedSupervisee({ townshipId: 'yuyue' });
    const t = await worker();
    await record(t, activityBody([s.id], { occurredOn: '2026-08-10', startTime: '10:00' }));
    const b = await record(
      t,
      activityBody([s.id], { occurredOn: '2026-08-10', startTime: '10:30', type: 'education' }),
    );
    const l = await call('GET', `${D}/ledgers/${b.body.ledgerId}`, { token: await bureau() });
    expect(l.body.warningCounts).toEqual({ supervisee_overlap: 1, staff_overlap: 1 });
    expect(l.body.warnings).toHaveLength(2);
    const list = await call('GET', `${D}/ledgers?cycle=2026-08&townshipId=yuyue`, { token: await bureau() });
    expect(list.body.items[0].warningCounts).toEqual({ supervisee_overlap: 1, staff_overlap: 1 });
  });

  it('gives the bureau the archive of confirmed ledgers across cycles', async () => {
    const one = await ledgerWithVisit('2026-04-10', { townshipId: 'wuyang' });
    const two = await ledgerWithVisit('2026-05-10', { townshipId: 'wuyang' });
    const officeToken = await officeOf('wuyang');
    for (const l of [one.ledger, two.ledger]) {
      await post(`/ledgers/${l.id}/submit`, await providerAdmin());
      expect((await post(`/ledgers/${l.id}/confirm`, officeToken)).status).toBe(200);
    }
    const archive = await call('GET', `${D}/ledgers?status=confirmed&townshipId=wuyang&limit=1`, {
      token: await bureau(),
    });
    expect(archive.body.items.map((l: { cycle: string }) => l.cycle)).toEqual(['2026-05']);
    const next = await call(
      'GET',
      `${D}/ledgers?status=confirmed&townshipId=wuyang&limit=1&cursor=${archive.body.nextCursor}`,
      {
        token: await bureau(),
      },
    );
    expect(next.body.items.map((l: { cycle: string }) => l.cycle)).toEqual(['2026-04']);
  });
});
