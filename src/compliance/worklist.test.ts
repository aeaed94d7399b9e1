/**
 * The county worklist: items not met with today − 31 ≤ dueBy ≤ until, soonest first, for the
 * supervisees the caller is responsible for (bureau: county; office: its townships; provider
 * admin: its provider's; worker: assigned to them, or the provider's when none is). Deqing runs
 * its 2017 preset here (monthly hours and visit, weekly call).
 */
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { assign, insertActivities } from '../../test/helpers/activity-rows';
import {
  type DemoSupervisee,
  daysFromToday,
  demoSupervisees,
  errorPaths,
  monthEnd,
  register,
  today,
} from '../../test/helpers/compliance';
import { call, tokenFor } from '../../test/helpers/http';
import { newCountyUser } from '../../test/helpers/service-records';

const db = () => env.COUNTY_DEQING!;
const WORKER = 'u-provider-worker';

type Item = { superviseeId: string; requirementId: string; dueBy: string; status: string; windowEnd: string };

async function worklist(login: string, query = '') {
  const r = await call('GET', `/api/v1/counties/deqing/worklist${query}`, { token: await tokenFor(login) });
  expect(r.status, r.text).toBe(200);
  return r.body as {
    until: string;
    items: (Item & { name: string; caseNumber: string; townshipId: string })[];
  };
}
const whose = (items: Item[]) => [...new Set(items.map((i) => i.superviseeId))].sort();

// The demo's supervisees (served by chenxi, assigned to its worker) are on every worklist that
// covers them: the expectations name them, so nothing else may appear.
let demo: DemoSupervisee[];
const demoWhere = (keep: (d: DemoSupervisee) => boolean) => demo.filter(keep).map((d) => d.id);
const sorted = (...ids: string[]) => [...ids].sort();

let f: Awaited<ReturnType<typeof register>>; // wukang, nobody's
let g: Awaited<ReturnType<typeof register>>; // qianyuan, the provider's
let h: Awaited<ReturnType<typeof register>>; // wukang, the provider's

beforeAll(async () => {
  demo = await demoSupervisees(db());
  const term = { termStart: daysFromToday(-100), termEnd: daysFromToday(300) };
  f = await register('deqing', { townshipId: 'wukang', ...term });
  g = await register('deqing', { townshipId: 'qianyuan', ...term });
  h = await register('deqing', { townshipId: 'wukang', ...term });
  await assign(db(), g.id, { from: daysFromToday(-100) });
  await assign(db(), h.id, { from: daysFromToday(-100) });
  // F's education is done for this month: that item is met and leaves the worklist.
  await insertActivities(db(), [
    { type: 'education', occurredOn: today(), minutes: 600, participants: [f.id] },
  ]);
});

describe('GET /worklist', () => {
  it('lists what is not met and due within [today − 31, today + 14], soonest first', async () => {
    const { until, items } = await worklist('deqing.admin');
    expect(until).toBe(daysFromToday(14));
    expect(items.length).toBeGreaterThan(0);
    for (const item of items) {
      expect(item.status).not.toBe('met');
      expect(item.dueBy >= daysFromToday(-31) && item.dueBy <= until).toBe(true);
    }
    const dues = items.map((i) => i.dueBy);
    expect(dues).toEqual([...dues].sort());
    // This month's visit is due at the month's end, which lies past the default until in the
    // first half of a month: look that far for it.
    const toMonthEnd =
      monthEnd(today()) > until
        ? (await worklist('deqing.admin', `?until=${monthEnd(today())}`)).items
        : items;
    const mine = toMonthEnd.filter((i) => i.superviseeId === f.id);
    // This month's visit is open; its education is met, so absent.
    expect(mine).toContainEqual(
      expect.objectContaining({
        requirementId: 'visit',
        status: 'open',
        dueBy: monthEnd(today()),
        name: f.name,
      }),
    );
    expect(
      mine.find((i) => i.requirementId === 'education' && i.dueBy === monthEnd(today())),
    ).toBeUndefined();
    // Last month's education was never done: short, and still listed while within 31 days.
    const lastMonthEnd = daysFromToday(-Number(today().slice(8, 10)));
    if (lastMonthEnd >= daysFromToday(-31)) {
      expect(mine).toContainEqual(
        expect.objectContaining({ requirementId: 'education', status: 'short', dueBy: lastMonthEnd }),
      );
    }
  });

  it('looks as far as until, and refuses a bad or too distant until by name', async () => {
    const near = await worklist('deqing.admin', `?until=${today()}`);
    expect(near.items.every((i) => i.dueBy <= today())).toBe(true);
    const far = await worklist('deqing.admin', `?until=${daysFromToday(60)}`);
    expect(far.items.length).toBeGreaterThan(near.items.length);
    for (const until of ['2026-02-30', daysFromToday(400), 'tomorrow']) {
      const r = await call('GET', `/api/v1/counties/deqing/worklist?until=${until}`, {
        token: await tokenFor('deqing.admin'),
      });
      expect({ until, status: r.status }).toEqual({ until, status: 400 });
      expect(errorPaths(r.body)).toEqual(['until']);
    }
  });

  it('filters by township, provider and worker for the bureau', async () => {
    expect(whose((await worklist('deqing.admin', '?township=qianyuan')).items)).toEqual(
      sorted(g.id, ...demoWhere((d) => d.townshipId === 'qianyuan')),
    );
    expect(whose((await worklist('deqing.admin', '?providerId=chenxi')).items)).toEqual(
      sorted(g.id, h.id, ...demoWhere((d) => d.providerId === 'chenxi')),
    );
    expect(whose((await worklist('deqing.admin', `?workerId=${WORKER}`)).items)).toEqual(
      sorted(...demoWhere((d) => d.workerUserId === WORKER)),
    );
  });

  it('gives an office its townships only', async () => {
    const ids = whose((await worklist('deqing.office.wukang')).items);
    expect(ids).toContain(f.id);
    expect(ids).toContain(h.id);
    expect(ids).not.toContain(g.id);
  });

  it('gives a provider admin its provider’s supervisees', async () => {
    expect(whose((await worklist('provider.admin')).items)).toEqual(
      sorted(g.id, h.id, ...demoWhere((d) => d.providerId === 'chenxi')),
    );
  });

  it('gives a worker only the supervisees assigned to them', async () => {
    const assigned = demoWhere((d) => d.workerUserId === WORKER);
    expect(assigned.length).toBeGreaterThan(0);
    expect(whose((await worklist('provider.worker')).items)).toEqual(sorted(...assigned));
  });

  it('gives a worker without assignments the provider’s supervisees, then only those assigned to them', async () => {
    const fresh = await newCountyUser({ role: 'provider_worker', providerId: 'chenxi' });
    const asFresh = async (query = '') => {
      const r = await call('GET', `/api/v1/counties/deqing/worklist${query}`, { token: fresh.token });
      expect(r.status, r.text).toBe(200);
      return whose(r.body.items);
    };
    const provider = sorted(g.id, h.id, ...demoWhere((d) => d.providerId === 'chenxi'));
    expect(await asFresh()).toEqual(provider);
    await assign(db(), h.id, { workerUserId: fresh.userId, from: daysFromToday(-10) });
    expect(await asFresh()).toEqual([h.id]);
    expect(whose((await worklist('deqing.admin', `?workerId=${fresh.userId}`)).items)).toEqual([h.id]);
    // The provider admin still sees the whole provider, and can narrow to one worker.
    expect(whose((await worklist('provider.admin')).items)).toEqual(provider);
    expect(whose((await worklist('provider.admin', `?workerId=${fresh.userId}`)).items)).toEqual([h.id]);
  });

  it('answers in a bounded number of statements and refuses roles without a worklist', async () => {
    const r = await call('GET', '/api/v1/counties/deqing/worklist', {
      token: await tokenFor('deqing.admin'),
    });
    expect(Number(r.headers.get('x-d1-queries'))).toBeLessThanOrEqual(8);
    for (const login of ['deqing.evaluator', 'deqing.finance']) {
      const refused = await call('GET', '/api/v1/counties/deqing/worklist', { token: await tokenFor(login) });
      expect({ login, status: refused.status }).toEqual({ login, status: 403 });
    }
    const otherCounty = await call('GET', '/api/v1/counties/anji/worklist', {
      token: await tokenFor('deqing.admin'),
    });
    expect(otherCounty.status).toBe(403);
  });
});
