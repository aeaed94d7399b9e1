import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { call, tokenFor } from '../../test/helpers/http';

describe('the demo of daily work', () => {
  it('gives each county supervisees assigned to the demo provider and its social worker', async () => {
    for (const [county, login] of [
      ['deqing', 'deqing.admin'],
      ['anji', 'anji.admin'],
    ] as const) {
      const r = await call(
        'GET',
        `/api/v1/counties/${county}/assignments?workerUserId=u-provider-worker&activeOn=2025-12-01`,
        {
          token: await tokenFor(login),
        },
      );
      expect(r.body.items.filter((a: { id: string }) => a.id.startsWith('demo-'))).toHaveLength(6);
      const seen = await call('GET', `/api/v1/counties/${county}/supervisees/demo-${county}-s1`, {
        token: await tokenFor('provider.worker'),
      });
      expect(seen.status, seen.text).toBe(200);
      expect(seen.body.idNumberMasked).toMatch(/^33052[13]\*{8}/);
    }
  });

  it('has a submitted ledger for the wukang office to review, and a draft', async () => {
    const r = await call('GET', '/api/v1/counties/deqing/ledgers?cycle=2025-12', {
      token: await tokenFor('deqing.officer'),
    });
    expect(r.body.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          townshipId: 'wukang',
          status: 'submitted',
          cycleStart: '2025-11-26',
          cycleEnd: '2025-12-25',
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

  it('uses calendar months in anji', async () => {
    const r = await call('GET', '/api/v1/counties/anji/ledgers?cycle=2025-12', {
      token: await tokenFor('anji.admin'),
    });
    expect(r.body.items.map((l: { cycleStart: string; dueBy: string }) => [l.cycleStart, l.dueBy])).toEqual([
      ['2025-12-01', '2026-01-05'],
      ['2025-12-01', '2026-01-05'],
    ]);
  });

  it('stores the demo personal fields encrypted', async () => {
    const rows = await env.COUNTY_DEQING!.prepare("SELECT * FROM supervisees WHERE id LIKE 'demo-%'").all();
    expect(rows.results).toHaveLength(6);
    expect(JSON.stringify(rows.results)).not.toMatch(/1380000\d{4}|33052119\d{9}/);
  });
});
