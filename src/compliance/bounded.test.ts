/**
 * County-sized compliance on synthetic counties: the number of D1 statements a request runs does
 * not grow with the number of supervisees (and none exceeds 100 bound parameters), and what the
 * reach-limited loading answers equals the engine's answer over every activity there is.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { publishRuleSet, today } from '../../test/helpers/compliance';
import { call, tokenFor } from '../../test/helpers/http';
import { DEMO_COUNTIES } from '../demo/data';
import { deqing2017, evaluateComplianceBatch, type PublishedRuleSet, type RuleSet } from '../rules';
import { syntheticCounty, syntheticEngineInput, writeSyntheticCounty } from './synthetic';

const townships = (slug: string) => DEMO_COUNTIES.find((c) => c.slug === slug)!.townships.map((t) => t.id);

async function get(path: string, login = 'deqing.admin') {
  const r = await call('GET', path, { token: await tokenFor(login) });
  expect(r.status, r.text).toBe(200);
  return { body: r.body, queries: Number(r.headers.get('x-d1-queries')) };
}

describe('a county month in a bounded number of statements', () => {
  it('runs the same statements for 40 supervisees as for 340', { timeout: 60_000 }, async () => {
    const deqing = { month: '2026-03', townshipIds: townships('deqing'), providerId: 'chenxi' };
    await writeSyntheticCounty(
      env.COUNTY_DEQING!,
      syntheticCounty({
        ...deqing,
        supervisees: 40,
        prefix: 'small',
        seed: 1,
        workerUserIds: ['u-provider-worker'],
      }),
    );
    const paths = [
      ['/api/v1/counties/deqing/compliance?month=2026-03', 'deqing.admin'],
      ['/api/v1/counties/deqing/compliance?month=2026-03', 'provider.admin'],
      ['/api/v1/counties/deqing/compliance?month=2026-03&township=wukang', 'deqing.office.wukang'],
      ['/api/v1/counties/deqing/worklist', 'deqing.admin'],
      ['/api/v1/counties/deqing/worklist', 'provider.worker'],
    ] as const;
    const before = [];
    for (const [path, login] of paths) before.push(await get(path, login));
    expect(before[0]!.body.items).toHaveLength(40);

    await writeSyntheticCounty(
      env.COUNTY_DEQING!,
      syntheticCounty({
        ...deqing,
        supervisees: 300,
        prefix: 'large',
        seed: 2,
        workerUserIds: ['u-provider-worker'],
      }),
    );
    for (const [i, [path, login]] of paths.entries()) {
      const after = await get(path, login);
      expect({ path, login, queries: after.queries }).toEqual({ path, login, queries: before[i]!.queries });
      expect(after.queries).toBeLessThanOrEqual(6);
    }
    const all = await get('/api/v1/counties/deqing/compliance?month=2026-03');
    expect(all.body.items).toHaveLength(340);
    expect(all.body.items.every((x: { items: unknown[] }) => x.items.length > 0)).toBe(true);

    const draft = await call('POST', '/api/v1/counties/deqing/rule-sets', {
      token: await tokenFor('deqing.admin'),
      body: { ...structuredClone(deqing2017), name: '草案' },
    });
    const preview = await call(
      'POST',
      `/api/v1/counties/deqing/rule-sets/${draft.body.id}/preview?month=2026-03`,
      {
        token: await tokenFor('deqing.admin'),
      },
    );
    expect(preview.status).toBe(200);
    expect(preview.body.supervisees).toBe(340);
    expect(Number(preview.headers.get('x-d1-queries'))).toBeLessThanOrEqual(6);
  });
});

/** One requirement of every window kind, rolling ones anchored on activities far back. */
const EVERY_KIND = {
  ...structuredClone(deqing2017),
  name: '全窗口测试',
  effectiveFrom: '2025-01-01',
  specialPeriods: [],
  requirements: [
    { id: 'w', activityTypes: ['phone_followup'], measure: 'count', min: 1, window: { calendar: 'week' } },
    {
      id: 'h',
      activityTypes: ['home_visit'],
      measure: 'count',
      min: 1,
      window: { calendar: 'half_month' },
      appliesTo: { keyPerson: true },
    },
    {
      id: 'm',
      activityTypes: ['education'],
      measure: 'hours',
      min: 8,
      window: { calendar: 'month' },
      appliesTo: { levels: ['strict', 'normal'] },
    },
    {
      id: 'q',
      activityTypes: ['individual_education'],
      measure: 'count',
      min: 2,
      window: { calendar: 'quarter' },
    },
    {
      id: 'y',
      activityTypes: ['community_service'],
      measure: 'hours',
      min: 40,
      window: { calendar: 'year' },
      appliesTo: { ableToWork: true },
    },
    {
      id: 'r1',
      activityTypes: ['report_in_person', 'written_report'],
      measure: 'count',
      min: 2,
      window: { rollingDays: 10 },
    },
    {
      id: 'r2',
      activityTypes: ['education'],
      measure: 'hours',
      min: 3,
      window: { rollingDays: 30 },
      appliesTo: { levels: ['lenient'] },
    },
    {
      id: 'd',
      activityTypes: ['psych_assessment'],
      measure: 'count',
      min: 1,
      window: { withinDaysOfStart: 45 },
    },
    {
      id: 'e',
      activityTypes: ['risk_assessment'],
      measure: 'count',
      min: 1,
      window: { everyDaysFromStart: 90 },
    },
  ],
};

describe('loading only what a range can reach', () => {
  it('answers exactly as the engine does over every activity, for the month and for other ranges', {
    timeout: 60_000,
  }, async () => {
    await publishRuleSet('anji', EVERY_KIND);
    const county = syntheticCounty({
      supervisees: 60,
      month: '2026-03',
      townshipIds: townships('anji'),
      activitiesPerSupervisee: 40,
      // Seven months of records: a rolling window's anchor or a quarter can lie months back.
      activitiesFrom: '2025-09-01',
      prefix: 'reach',
      seed: 3,
      types: [
        'phone_followup',
        'home_visit',
        'education',
        'individual_education',
        'community_service',
        'report_in_person',
        'written_report',
        'psych_assessment',
        'risk_assessment',
      ],
    });
    await writeSyntheticCounty(env.COUNTY_ANJI!, county);
    const list = (await get('/api/v1/counties/anji/rule-sets', 'anji.admin')).body.items as {
      id: string;
      status: string;
    }[];
    const history: PublishedRuleSet[] = [];
    for (const { id, status } of list) {
      if (status !== 'published') continue;
      const v = (await get(`/api/v1/counties/anji/rule-sets/${id}`, 'anji.admin')).body;
      history.push({ id: v.id, version: v.version, publishedAt: v.publishedAt, ruleSet: v as RuleSet });
    }
    const inputs = syntheticEngineInput(county);
    const expected = (from: string, to: string) =>
      evaluateComplianceBatch({ history, supervisees: inputs, from, to, today: today() });

    const month = await get('/api/v1/counties/anji/compliance?month=2026-03', 'anji.admin');
    const byId = new Map(
      month.body.items.map((x: { superviseeId: string; items: unknown }) => [x.superviseeId, x.items]),
    );
    for (const e of expected('2026-03-01', '2026-03-31')) {
      expect({ id: e.superviseeId, items: byId.get(e.superviseeId) ?? [] }).toEqual({
        id: e.superviseeId,
        items: e.items,
      });
    }
    const kinds = new Set(
      [...byId.values()].flatMap((items) =>
        (items as { requirementId: string }[]).map((i) => i.requirementId),
      ),
    );
    // Every kind of window shows up (the deadline only for terms that start near March).
    for (const kind of ['e', 'h', 'm', 'q', 'r1', 'r2', 'w', 'y']) expect(kinds).toContain(kind);

    for (const [from, to] of [
      ['2026-01-15', '2026-03-10'],
      ['2025-12-01', '2025-12-31'],
      ['2026-03-20', '2026-04-30'],
    ] as const) {
      const want = expected(from, to);
      for (const e of want.slice(0, 12)) {
        const got = await get(
          `/api/v1/counties/anji/supervisees/${e.superviseeId}/compliance?from=${from}&to=${to}`,
          'anji.admin',
        );
        expect({ from, id: e.superviseeId, items: got.body.items }).toEqual({
          from,
          id: e.superviseeId,
          items: e.items,
        });
      }
    }
  });
});
