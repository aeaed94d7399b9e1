/**
 * One worklist and one dashboard across counties (API.md "Across counties"): the provider's
 * worker sees deqing (Deqing 2017 preset) and anji (provincial three-level preset) together; a
 * county whose database fails is `unavailable` while the others still answer.
 */
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { assign } from '../../test/helpers/activity-rows';
import { daysFromToday, errorPaths, register, today } from '../../test/helpers/compliance';
import { call, tokenFor } from '../../test/helpers/http';
import { endOf } from '../rules';

const WORKER = 'u-provider-worker';

type Item = {
  county: string;
  superviseeId: string;
  requirementId: string;
  windowStart: string;
  windowEnd: string;
  dueBy: string;
  status: string;
};

async function me(login: string, what: 'worklist' | 'dashboard', query = '') {
  const r = await call('GET', `/api/v1/me/${what}${query}`, { token: await tokenFor(login) });
  expect(r.status, r.text).toBe(200);
  return r.body;
}

let p: Awaited<ReturnType<typeof register>>; // deqing, assigned to the worker
let r: Awaited<ReturnType<typeof register>>; // deqing, the provider's, nobody's in particular
let q: Awaited<ReturnType<typeof register>>; // anji, assigned to the worker

beforeAll(async () => {
  const term = { termStart: daysFromToday(-20), termEnd: daysFromToday(500) };
  p = await register('deqing', { townshipId: 'wukang', ...term });
  r = await register('deqing', { townshipId: 'xinshi', ...term });
  q = await register('anji', { townshipId: 'dipu', ...term });
  await assign(env.COUNTY_DEQING!, p.id, { workerUserId: WORKER, from: term.termStart });
  await assign(env.COUNTY_DEQING!, r.id, { from: term.termStart });
  await assign(env.COUNTY_ANJI!, q.id, { workerUserId: WORKER, from: term.termStart });
});

describe('GET /me/worklist', () => {
  it('gives a provider’s worker both counties in one list, soonest first', async () => {
    const body = await me('provider.worker', 'worklist');
    expect(body.counties).toEqual([
      { county: 'anji', status: 'ok' },
      { county: 'deqing', status: 'ok' },
    ]);
    const items = body.items as Item[];
    const dues = items.map((i) => i.dueBy);
    expect(dues).toEqual([...dues].sort());
    for (const item of items) {
      expect(item.status).not.toBe('met');
      expect(item.dueBy >= daysFromToday(-31) && item.dueBy <= daysFromToday(14)).toBe(true);
    }
    // Anji's provincial scheme: a psychological assessment within 30 days of the term's start.
    expect(items).toContainEqual(
      expect.objectContaining({
        county: 'anji',
        superviseeId: q.id,
        requirementId: 'psych-assessment',
        windowStart: daysFromToday(-20),
        windowEnd: daysFromToday(10),
        dueBy: daysFromToday(10),
        status: 'due',
      }),
    );
    // Deqing's 2017 rules: a phone call every week.
    expect(items).toContainEqual(
      expect.objectContaining({
        county: 'deqing',
        superviseeId: p.id,
        requirementId: 'phone-followup',
        dueBy: endOf('week', today()),
        status: 'open',
      }),
    );
    // Only what is assigned to them: not the provider's other supervisee.
    expect(new Set(items.map((i) => i.superviseeId))).toEqual(new Set([p.id, q.id]));
  });

  it('looks further with until, and refuses a bad until by name', async () => {
    const later = (await me('provider.worker', 'worklist', `?until=${daysFromToday(40)}`)).items as Item[];
    expect(later.some((i) => i.dueBy > daysFromToday(14))).toBe(true);
    const bad = await call('GET', '/api/v1/me/worklist?until=2026-02-30', {
      token: await tokenFor('provider.worker'),
    });
    expect(bad.status).toBe(400);
    expect(errorPaths(bad.body)).toEqual(['until']);
  });

  it('gives each user their own counties and responsibilities', async () => {
    const bureau = await me('deqing.admin', 'worklist');
    expect(bureau.counties).toEqual([{ county: 'deqing', status: 'ok' }]);
    expect(new Set((bureau.items as Item[]).map((i) => i.county))).toEqual(new Set(['deqing']));
    expect((bureau.items as Item[]).some((i) => i.superviseeId === r.id)).toBe(true);
    const admin = await me('provider.admin', 'worklist');
    expect(new Set((admin.items as Item[]).map((i) => i.superviseeId))).toEqual(new Set([p.id, q.id, r.id]));
    // A finance officer works in deqing but is responsible for no supervisee.
    expect(await me('deqing.finance', 'worklist')).toEqual({
      items: [],
      counties: [{ county: 'deqing', status: 'ok' }],
    });
    expect(await me('platform.operator', 'worklist')).toEqual({ items: [], counties: [] });
    expect((await call('GET', '/api/v1/me/worklist')).status).toBe(401);
  });
});

describe('GET /me/dashboard', () => {
  it('counts per county what the worklist lists', async () => {
    const { counties } = await me('provider.worker', 'dashboard');
    const items = (await me('provider.worker', 'worklist')).items as Item[];
    const sunday = endOf('week', today());
    expect(counties.map((c: { county: string; status: string }) => [c.county, c.status])).toEqual([
      ['anji', 'ok'],
      ['deqing', 'ok'],
    ]);
    for (const c of counties) {
      const mine = items.filter((i) => i.county === c.county);
      expect(c).toMatchObject({
        today: today(),
        supervisees: 1,
        dueThisWeek: mine.filter((i) => i.dueBy >= today() && i.dueBy <= sunday).length,
        overdue: mine.filter((i) => i.dueBy < today()).length,
      });
      expect(c.monthItems).toBeGreaterThan(0);
      expect(c.metShareThisMonth).toBe(Math.round((c.monthMet / c.monthItems) * 1000) / 1000);
    }
    const bureau = await me('deqing.admin', 'dashboard');
    expect(bureau.counties).toMatchObject([{ county: 'deqing', status: 'ok', supervisees: 2 }]);
  });
});

describe('a county whose database fails', () => {
  beforeAll(async () => {
    // Registered and served by the provider, but its database has lost a table.
    await env.CONTROL_DB.batch([
      env.CONTROL_DB.prepare(
        "INSERT INTO counties (slug, name, region_code, binding, timezone, status) VALUES ('spare', '备用县', '330599', 'COUNTY_SPARE', 'Asia/Shanghai', 'active')",
      ),
      env.CONTROL_DB.prepare(
        "INSERT INTO provider_counties (provider_id, county, since) VALUES ('chenxi', 'spare', '2026-01-01')",
      ),
    ]);
    await env.COUNTY_SPARE!.prepare('DROP TABLE supervisee_flags').run();
  });

  it('is unavailable in the worklist while the others answer', async () => {
    const body = await me('provider.worker', 'worklist');
    expect(body.counties).toEqual([
      { county: 'anji', status: 'ok' },
      { county: 'deqing', status: 'ok' },
      { county: 'spare', status: 'unavailable' },
    ]);
    const counties = new Set((body.items as Item[]).map((i) => i.county));
    expect(counties).toEqual(new Set(['anji', 'deqing']));
  });

  it('is unavailable in the dashboard while the others answer', async () => {
    const { counties } = await me('provider.admin', 'dashboard');
    expect(counties.map((c: { county: string; status: string }) => [c.county, c.status])).toEqual([
      ['anji', 'ok'],
      ['deqing', 'ok'],
      ['spare', 'unavailable'],
    ]);
    expect(counties[2]).toEqual({ county: 'spare', status: 'unavailable' });
    expect(counties[1].supervisees).toBe(2);
  });
});
