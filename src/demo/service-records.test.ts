import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { today } from '../../test/helpers/compliance';
import { call, tokenFor } from '../../test/helpers/http';
import { demoCycles, demoTerm } from './service-records';

describe('the demo of daily work, anchored to today', () => {
  it('gives each county supervisees assigned to the demo provider and its social worker', async () => {
    for (const [county, login] of [
      ['deqing', 'deqing.admin'],
      ['anji', 'anji.admin'],
    ] as const) {
      const r = await call(
        'GET',
        `/api/v1/counties/${county}/assignments?workerUserId=u-provider-worker&activeOn=${today()}`,
        { token: await tokenFor(login) },
      );
      expect(demoTerm(today()).start < today() && today() < demoTerm(today()).end).toBe(true);
      expect(r.body.items.filter((a: { id: string }) => a.id.startsWith('demo-'))).toHaveLength(6);
      const seen = await call('GET', `/api/v1/counties/${county}/supervisees/demo-${county}-s1`, {
        token: await tokenFor('provider.worker'),
      });
      expect(seen.status, seen.text).toBe(200);
      expect(seen.body.idNumberMasked).toMatch(/^33052[13]\*{8}/);
    }
  });

  it("has last cycle's ledger submitted for the wukang office to review, and a draft", async () => {
    const { last } = demoCycles(today(), 'deqing-2017');
    const r = await call('GET', `/api/v1/counties/deqing/ledgers?cycle=${last.cycle}`, {
      token: await tokenFor('deqing.officer'),
    });
    expect(r.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          townshipId: 'wukang',
          status: 'submitted',
          cycleStart: last.cycleStart,
          cycleEnd: last.cycleEnd,
          late: false,
          activityCount: 12,
        }),
        expect.objectContaining({ townshipId: 'qianyuan', status: 'draft', activityCount: 6 }),
      ]),
    );
    const wukang = r.body.items.find((l: { townshipId: string }) => l.townshipId === 'wukang');
    expect(wukang.totals).toEqual(
      expect.arrayContaining([{ type: 'education', sessions: 1, personTimes: 4, minutes: 960, hours: 16 }]),
    );
    const office = await tokenFor('deqing.office.wukang');
    const detail = await call('GET', `/api/v1/counties/deqing/ledgers/${wukang.id}`, { token: office });
    expect(detail.body.activities).toHaveLength(12);
    expect(detail.body.warnings).toEqual([]);
    const confirmed = await call('POST', `/api/v1/counties/deqing/ledgers/${wukang.id}/confirm`, {
      token: office,
    });
    expect(confirmed.status, confirmed.text).toBe(200);
  });

  it('has the current cycle partly done: services before today only, in draft', async () => {
    const { current } = demoCycles(today(), 'deqing-2017');
    const r = await call(
      'GET',
      `/api/v1/counties/deqing/activities?from=${current.cycleStart}&to=${current.cycleEnd}`,
      {
        token: await tokenFor('deqing.officer'),
      },
    );
    const demo = r.body.items.filter((a: { id: string }) => a.id.startsWith('demo-'));
    expect(demo.every((a: { occurredOn: string }) => a.occurredOn < today())).toBe(true);
    const ledgers = await call('GET', `/api/v1/counties/deqing/ledgers?cycle=${current.cycle}`, {
      token: await tokenFor('deqing.officer'),
    });
    for (const l of ledgers.body.items) expect(l.status).toBe('draft');
  });

  it('uses calendar months in anji', async () => {
    const { last, lastDueBy } = demoCycles(today(), 'provincial-three-level');
    const r = await call('GET', `/api/v1/counties/anji/ledgers?cycle=${last.cycle}`, {
      token: await tokenFor('anji.admin'),
    });
    expect(r.body.items.map((l: { cycleStart: string; dueBy: string }) => [l.cycleStart, l.dueBy])).toEqual([
      [last.cycleStart, lastDueBy],
      [last.cycleStart, lastDueBy],
    ]);
  });

  it('stores the demo personal fields encrypted', async () => {
    const rows = await env.COUNTY_DEQING!.prepare("SELECT * FROM supervisees WHERE id LIKE 'demo-%'").all();
    expect(rows.results).toHaveLength(6);
    expect(JSON.stringify(rows.results)).not.toMatch(/1380000\d{4}|33052119\d{9}/);
  });
});
