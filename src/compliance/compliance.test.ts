/**
 * The compliance endpoints through the API, on worked dates: a requirement met, short and open;
 * a rolling window overdue (and anchored on an activity long before the range); a deadline from
 * the term's start due and overdue; half-month windows of a key person; scopes and validation.
 */
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { assign, insertActivities } from '../../test/helpers/activity-rows';
import {
  daysFromToday,
  demoSupervisees,
  errorPaths,
  monthEnd,
  publishRuleSet,
  register,
  today,
} from '../../test/helpers/compliance';
import { call, tokenFor } from '../../test/helpers/http';
import { deqing2017 } from '../rules';

const C = '/api/v1/counties/deqing';
const db = () => env.COUNTY_DEQING!;
const admin = () => tokenFor('deqing.admin');
const compliance = async (id: string, query = '', login = 'deqing.admin') =>
  call('GET', `${C}/supervisees/${id}/compliance${query}`, { token: await tokenFor(login) });

/** The file's rules: one requirement of each kind that matters here. */
const RULES = {
  ...structuredClone(deqing2017),
  name: '合规测试规则',
  effectiveFrom: '2025-01-01',
  specialPeriods: [],
  requirements: [
    {
      id: 'education',
      activityTypes: ['education'],
      measure: 'hours',
      min: 8,
      window: { calendar: 'month' },
    },
    { id: 'visit', activityTypes: ['home_visit'], measure: 'count', min: 1, window: { calendar: 'month' } },
    {
      id: 'visit-key',
      activityTypes: ['home_visit'],
      measure: 'count',
      min: 1,
      window: { calendar: 'half_month' },
      appliesTo: { keyPerson: true },
    },
    { id: 'phone', activityTypes: ['phone_followup'], measure: 'count', min: 1, window: { rollingDays: 14 } },
    {
      id: 'psych',
      activityTypes: ['psych_assessment'],
      measure: 'count',
      min: 1,
      window: { withinDaysOfStart: 30 },
    },
  ],
};

let a: Awaited<ReturnType<typeof register>>; // wukang, a full March 2026 of records
let e: Awaited<ReturnType<typeof register>>; // qianyuan, no records

beforeAll(async () => {
  await publishRuleSet('deqing', RULES);
  a = await register('deqing', { townshipId: 'wukang', termStart: '2025-06-01', termEnd: '2027-05-31' });
  e = await register('deqing', { townshipId: 'qianyuan', termStart: '2025-06-01', termEnd: '2027-05-31' });
  await insertActivities(db(), [
    { type: 'education', occurredOn: '2026-03-03', minutes: 180, participants: [a.id] },
    { type: 'education', occurredOn: '2026-03-17', minutes: 180, participants: [a.id] },
    // Voided records never count; February's hours stay in February.
    { type: 'education', occurredOn: '2026-03-20', minutes: 120, participants: [a.id], status: 'voided' },
    { type: 'education', occurredOn: '2026-02-27', minutes: 600, participants: [a.id] },
    { type: 'home_visit', occurredOn: '2026-03-10', participants: [a.id] },
    { type: 'phone_followup', occurredOn: '2026-03-05', participants: [a.id] },
    { type: 'phone_followup', occurredOn: '2025-12-01', participants: [a.id] },
  ]);
  await assign(db(), a.id, { providerId: 'chenxi' });
});

describe('GET /supervisees/{id}/compliance', () => {
  it('answers met, short and a rolling window overdue for a closed month', async () => {
    const r = await compliance(a.id, '?from=2026-03-01&to=2026-03-31');
    expect(r.status, r.text).toBe(200);
    expect(r.headers.get('x-d1-queries')).toMatch(/^\d+$/);
    expect(r.body).toEqual({
      superviseeId: a.id,
      from: '2026-03-01',
      to: '2026-03-31',
      items: [
        {
          requirementId: 'education',
          windowStart: '2026-03-01',
          windowEnd: '2026-03-31',
          measure: 'hours',
          required: 8,
          achieved: 6,
          status: 'short',
          dueBy: '2026-03-31',
        },
        {
          // Judged on 31 March: the latest call was on 5 March, so it was due again by 19 March.
          requirementId: 'phone',
          windowStart: '2026-03-17',
          windowEnd: '2026-03-31',
          measure: 'count',
          required: 1,
          achieved: 0,
          status: 'overdue',
          dueBy: '2026-03-19',
        },
        {
          requirementId: 'visit',
          windowStart: '2026-03-01',
          windowEnd: '2026-03-31',
          measure: 'count',
          required: 1,
          achieved: 1,
          status: 'met',
          dueBy: '2026-03-31',
        },
      ],
    });
  });

  it('counts activities anywhere in a window that sticks out of the range, and a rolling window met', async () => {
    const r = await compliance(a.id, '?from=2026-03-01&to=2026-03-10');
    expect(r.status).toBe(200);
    const byId = Object.fromEntries(r.body.items.map((i: { requirementId: string }) => [i.requirementId, i]));
    // The month is whole (not clipped) and its hours include the 17th, after `to`.
    expect(byId.education).toMatchObject({ windowEnd: '2026-03-31', achieved: 6, status: 'short' });
    expect(byId.phone).toEqual({
      requirementId: 'phone',
      windowStart: '2026-02-24',
      windowEnd: '2026-03-10',
      measure: 'count',
      required: 1,
      achieved: 1,
      status: 'met',
      dueBy: '2026-03-19',
    });
  });

  it('anchors a rolling window on an activity long before the range', async () => {
    // February: the latest call on or before 28 Feb was on 1 December.
    const r = await compliance(a.id, '?from=2026-02-01&to=2026-02-28');
    const phone = r.body.items.find((i: { requirementId: string }) => i.requirementId === 'phone');
    expect(phone).toMatchObject({
      status: 'overdue',
      dueBy: '2025-12-15',
      windowEnd: '2026-02-28',
      achieved: 0,
    });
    const education = r.body.items.find((i: { requirementId: string }) => i.requirementId === 'education');
    expect(education).toMatchObject({ windowStart: '2026-02-01', achieved: 10, status: 'met' });
  });

  it('defaults to the current month, where windows are still open', async () => {
    // Nobody serves this one; its term holds today whatever day the suite runs on.
    const idle = await register('deqing', {
      townshipId: 'qianyuan',
      termStart: daysFromToday(-100),
      termEnd: daysFromToday(300),
    });
    const r = await compliance(idle.id);
    expect(r.status).toBe(200);
    expect(r.body.from).toBe(`${today().slice(0, 7)}-01`);
    expect(r.body.to).toBe(monthEnd(today()));
    const education = r.body.items.find((i: { requirementId: string }) => i.requirementId === 'education');
    expect(education).toMatchObject({ required: 8, achieved: 0, status: 'open', dueBy: monthEnd(today()) });
  });

  it('gives a new supervisee a deadline from the term’s start: due before it, overdue after', async () => {
    const fresh = await register('deqing', { termStart: daysFromToday(-5), termEnd: daysFromToday(400) });
    const r = await compliance(fresh.id);
    const psych = r.body.items.find((i: { requirementId: string }) => i.requirementId === 'psych');
    expect(psych).toEqual({
      requirementId: 'psych',
      windowStart: daysFromToday(-5),
      windowEnd: daysFromToday(25),
      measure: 'count',
      required: 1,
      achieved: 0,
      status: 'due',
      dueBy: daysFromToday(25),
    });

    const late = await register('deqing', { termStart: '2026-01-10', termEnd: '2027-01-09' });
    const feb = await compliance(late.id, '?from=2026-02-01&to=2026-02-28');
    expect(feb.body.items.find((i: { requirementId: string }) => i.requirementId === 'psych')).toMatchObject({
      windowStart: '2026-01-10',
      dueBy: '2026-02-09',
      status: 'overdue',
    });
    await insertActivities(db(), [
      { type: 'psych_assessment', occurredOn: '2026-02-09', participants: [late.id] },
    ]);
    const met = await compliance(late.id, '?from=2026-02-01&to=2026-02-28');
    expect(met.body.items.find((i: { requirementId: string }) => i.requirementId === 'psych')).toMatchObject({
      status: 'met',
      achieved: 1,
    });
  });

  it('gives a key person one home visit per half month', async () => {
    const key = await register('deqing', { keyPerson: true, termStart: '2025-06-01', termEnd: '2027-05-31' });
    await insertActivities(db(), [{ type: 'home_visit', occurredOn: '2026-03-10', participants: [key.id] }]);
    const r = await compliance(key.id, '?from=2026-03-01&to=2026-03-31');
    const halves = r.body.items.filter((i: { requirementId: string }) => i.requirementId === 'visit-key');
    expect(halves.map((i: any) => [i.windowStart, i.windowEnd, i.status])).toEqual([
      ['2026-03-01', '2026-03-15', 'met'],
      ['2026-03-16', '2026-03-31', 'short'],
    ]);
  });

  it('has no items outside the term', async () => {
    const r = await compliance(a.id, '?from=2025-01-01&to=2025-05-31');
    expect(r.body.items).toEqual([]);
  });

  it('validates from and to by name', async () => {
    const cases: [string, string][] = [
      ['?from=2026-02-30', 'from'],
      ['?to=2026-13-01', 'to'],
      ['?from=0000-01-01&to=0000-01-31', 'from'],
      ['?from=2026-03-10&to=2026-03-01', 'from'],
      ['?from=2026-03-10&to=2026-03-01', 'to'],
      ['?from=2024-01-01&to=2026-12-31', 'to'],
    ];
    for (const [query, path] of cases) {
      const r = await compliance(a.id, query);
      expect({ query, status: r.status }).toEqual({ query, status: 400 });
      expect(errorPaths(r.body)).toContain(path);
    }
  });

  it('answers within the caller’s view of supervisees, and 404 outside it', async () => {
    const range = '?from=2026-03-01&to=2026-03-31';
    expect((await compliance(a.id, range, 'deqing.office.wukang')).status).toBe(200);
    expect((await compliance(e.id, range, 'deqing.office.wukang')).status).toBe(404);
    expect((await compliance(a.id, range, 'provider.worker')).status).toBe(200);
    const notServed = await compliance(e.id, range, 'provider.worker');
    const missing = await compliance('does-not-exist', range, 'provider.worker');
    expect(notServed.status).toBe(404);
    expect({ ...notServed.body, requestId: null }).toEqual({ ...missing.body, requestId: null });
    expect((await compliance(a.id, range, 'deqing.evaluator')).status).toBe(200);
    expect((await compliance(a.id, range, 'deqing.finance')).status).toBe(403);
    // Another county's address for a deqing record: as if it did not exist.
    const foreign = await call('GET', `/api/v1/counties/anji/supervisees/${a.id}/compliance`, {
      token: await tokenFor('anji.admin'),
    });
    expect(foreign.status).toBe(404);
  });
});

describe('GET /compliance?month=', () => {
  it('answers every visible supervisee whose term overlaps the month, as the one-supervisee answer does', async () => {
    const r = await call('GET', `${C}/compliance?month=2026-03`, { token: await admin() });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ month: '2026-03', from: '2026-03-01', to: '2026-03-31' });
    const entry = r.body.items.find((x: { superviseeId: string }) => x.superviseeId === a.id);
    const single = await compliance(a.id, '?from=2026-03-01&to=2026-03-31');
    expect(entry).toEqual({
      superviseeId: a.id,
      caseNumber: a.caseNumber,
      name: a.name,
      townshipId: 'wukang',
      items: single.body.items,
    });
    for (const x of r.body.items) {
      const one = await compliance(x.superviseeId, '?from=2026-03-01&to=2026-03-31');
      expect(x.items).toEqual(one.body.items);
    }
    // Registered for 2026-01-10 onwards and from today on: the second one is not in March.
    const ids = r.body.items.map((x: { superviseeId: string }) => x.superviseeId);
    expect(ids).toContain(e.id);
  });

  it('filters by township, and shows an office its townships only', async () => {
    const q = await call('GET', `${C}/compliance?month=2026-03&township=qianyuan`, { token: await admin() });
    const ids = q.body.items.map((x: { superviseeId: string }) => x.superviseeId);
    expect(ids).toContain(e.id);
    expect(ids).not.toContain(a.id);
    const office = await call('GET', `${C}/compliance?month=2026-03`, {
      token: await tokenFor('deqing.office.wukang'),
    });
    expect(office.status).toBe(200);
    const seen = office.body.items.map((x: { superviseeId: string }) => x.superviseeId);
    expect(seen).toContain(a.id);
    expect(seen).not.toContain(e.id);
    expect(office.body.items.every((x: { townshipId: string }) => x.townshipId === 'wukang')).toBe(true);
  });

  it('gives a provider only the supervisees it serves, and an evaluator no names', async () => {
    const worker = await call('GET', `${C}/compliance?month=2026-03`, {
      token: await tokenFor('provider.worker'),
    });
    // Every supervisee chenxi serves in March, the demo's included (their terms follow today);
    // never e, whom nobody serves.
    const served = (await demoSupervisees(db()))
      .filter((d) => d.providerId === 'chenxi' && d.termStart <= '2026-03-31' && d.termEnd >= '2026-03-01')
      .map((d) => d.id);
    expect(worker.body.items.map((x: { superviseeId: string }) => x.superviseeId).sort()).toEqual(
      [a.id, ...served].sort(),
    );
    const evaluator = await call('GET', `${C}/compliance?month=2026-03`, {
      token: await tokenFor('deqing.evaluator'),
    });
    expect(evaluator.status).toBe(200);
    expect(evaluator.body.items.length).toBeGreaterThan(1);
    expect(evaluator.text).not.toContain(a.name);
    const finance = await call('GET', `${C}/compliance?month=2026-03`, {
      token: await tokenFor('deqing.finance'),
    });
    expect(finance.status).toBe(403);
  });

  it('validates month by name', async () => {
    for (const month of ['2026-13', '2026-3', '26-03', '0000-01', '2026-03-01']) {
      const r = await call('GET', `${C}/compliance?month=${month}`, { token: await admin() });
      expect({ month, status: r.status }).toEqual({ month, status: 400 });
      expect(errorPaths(r.body)).toEqual(['month']);
    }
  });

  it('defaults to the current month', async () => {
    const r = await call('GET', `${C}/compliance`, { token: await admin() });
    expect(r.status).toBe(200);
    expect(r.body.month).toBe(today().slice(0, 7));
  });
});
