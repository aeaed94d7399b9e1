/**
 * Settlement through the API (API.md "Settlement of a contract"), worked by hand, and its
 * invariants over random contracts: nothing payable exceeds the entitlement, amounts are
 * rounded once from exact values (the API agrees with the exact rules engine), and splitting an
 * enrolment moves no fen.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { call, tokenFor } from '../../test/helpers/http';
import {
  acceptedEvaluation,
  api,
  createContract,
  createSupervisee,
  enrol,
  insertActivities,
  insertLedger,
  settlement,
} from '../../test/helpers/money';
import { computeSettlement, releaseRatioFor } from '../rules';
import { TWO_PART_EVALUATION } from '../rules/presets/shared';

const TWO_PART_BANDS = TWO_PART_EVALUATION.releaseBands;

describe('per_supervisee_year', () => {
  it('prorates partial-year enrolments by days within the period and the term, rounding once', async () => {
    const c = await createContract('deqing');
    const a = await createSupervisee(); // term 2026-01-01 … 2027-06-30
    const b = await createSupervisee();
    const ends = await createSupervisee({ termEnd: '2026-04-30' });
    await enrol(c.id, { superviseeId: a.id, from: '2026-03-01' }); // Mar 1 – Dec 31: 306 days
    await enrol(c.id, { superviseeId: b.id, from: '2026-07-01', to: '2026-09-30' }); // 92 days
    await enrol(c.id, { superviseeId: ends.id, from: '2026-01-01' }); // to the term's end: 120 days
    const s = await settlement('deqing', c.id);
    // 100000 × 518 / 365 = 141917.808… → 141918; work funds 70958.904… → 70959.
    expect(s).toMatchObject({
      model: 'per_supervisee_year',
      basis: 'confirmed',
      entitlementFen: 141_918,
      workFundsFen: 70_959,
      activityFundsFen: 70_959,
      releaseRatio: 0,
      activityFundsPayableFen: 0,
      payableFen: 70_959,
      enrolmentCount: 3,
      evaluationId: null,
    });
    expect(s).not.toHaveProperty('serviceHours');
  });

  it('divides each calendar year by its own length across a leap year', async () => {
    const c = await createContract('deqing', {
      programmeYear: 2023,
      periodStart: '2023-07-01',
      periodEnd: '2024-06-30',
    });
    const s1 = await createSupervisee({ termStart: '2023-01-01', termEnd: '2025-12-31' });
    await enrol(c.id, { superviseeId: s1.id, from: '2023-07-01' });
    // 100000 × (184/365 + 182/366) = 50410.958… + 49726.775… = 100137.734… → 100138.
    expect(await settlement('deqing', c.id)).toMatchObject({
      entitlementFen: 100_138,
      workFundsFen: 50_069,
      activityFundsFen: 50_069,
    });

    const leap = await createContract('deqing', {
      programmeYear: 2024,
      periodStart: '2024-01-01',
      periodEnd: '2024-12-31',
    });
    const s2 = await createSupervisee({ termStart: '2024-01-01', termEnd: '2025-12-31' });
    await enrol(leap.id, { superviseeId: s2.id, from: '2024-01-01' });
    await enrol(leap.id, { superviseeId: s1.id, from: '2024-02-29', to: '2024-02-29' });
    // A whole leap year is exactly one unit; its 29 February is 1/366 of one: 273.224… fen.
    expect((await settlement('deqing', leap.id)).entitlementFen).toBe(100_273);
  });

  it('rounds the sum, not each enrolment: two 20-day enrolments earn 10959 fen, not 2 × 5479', async () => {
    const c = await createContract('deqing');
    for (let i = 0; i < 2; i++) {
      const s = await createSupervisee();
      await enrol(c.id, { superviseeId: s.id, from: '2026-03-01', to: '2026-03-20' });
    }
    expect(await settlement('deqing', c.id)).toMatchObject({
      entitlementFen: 10_959,
      workFundsFen: 5_479,
      activityFundsFen: 5_480,
    });
  });

  it('moves no fen when an enrolment is split in two at any day', async () => {
    const whole = await createContract('deqing');
    const split = await createContract('deqing');
    const s = await createSupervisee();
    await enrol(whole.id, { superviseeId: s.id, from: '2026-02-03' });
    await enrol(split.id, { superviseeId: s.id, from: '2026-02-03', to: '2026-05-17' });
    await enrol(split.id, { superviseeId: s.id, from: '2026-05-18' });
    const [a, b] = [await settlement('deqing', whole.id), await settlement('deqing', split.id)];
    expect(b.entitlementFen).toBe(a.entitlementFen);
    expect(b.workFundsFen).toBe(a.workFundsFen);
  });
});

describe('the release ratio', () => {
  it('comes from the most recently accepted evaluation; one between two bands releases the lower band', async () => {
    const c = await createContract('deqing', {
      pricing: { model: 'fixed', amountFen: 1_000_000, workFundsShare: 0.3 },
    });
    expect(await settlement('deqing', c.id)).toMatchObject({ releaseRatio: 0, payableFen: 300_000 });

    // 60 + 25 = 85: between the 80 and 90 bands, so 0.9.
    const first = await acceptedEvaluation('deqing', c.id, { business: 60, financial: 25 });
    expect(first).toMatchObject({ totalScore: 85, releaseRatio: 0.9, status: 'accepted' });
    expect(await settlement('deqing', c.id)).toMatchObject({
      entitlementFen: 1_000_000,
      workFundsFen: 300_000,
      activityFundsFen: 700_000,
      releaseRatio: 0.9,
      activityFundsPayableFen: 630_000,
      payableFen: 930_000,
      evaluationId: first.id,
    });

    // A submitted evaluation changes nothing until it is accepted.
    const submitted = await call('POST', `${api('deqing')}/contracts/${c.id}/evaluations`, {
      token: await tokenFor('deqing.evaluator'),
      body: { scores: { business: 40, financial: 15 } },
    });
    expect(submitted.body).toMatchObject({ totalScore: 55, releaseRatio: 0, status: 'submitted' });
    expect((await settlement('deqing', c.id)).releaseRatio).toBe(0.9);

    await call('POST', `${api('deqing')}/contracts/${c.id}/evaluations/${submitted.body.id}/accept`, {
      token: await tokenFor('deqing.admin'),
    });
    expect(await settlement('deqing', c.id)).toMatchObject({ releaseRatio: 0, payableFen: 300_000 });
  });
});

describe('per_service_hour', () => {
  const pricing = {
    model: 'per_service_hour',
    budgetFen: 1_000_000,
    minHours: 100,
    maxHours: 120,
    workFundsShare: 0.2,
  };

  /** A contract on a year of its own, so that no other test's activities fall in its period. */
  async function hourContract(year: number) {
    return createContract('deqing', {
      programmeYear: year,
      periodStart: `${year}-01-01`,
      periodEnd: `${year}-12-31`,
      pricing,
    });
  }

  it('pays pro rata below minHours, counting confirmed ledgers or every activity not voided', async () => {
    const c = await hourContract(2031);
    const confirmed = await insertLedger('deqing', { townshipId: 'wukang', status: 'confirmed' });
    const draft = await insertLedger('deqing', { townshipId: 'qianyuan', status: 'draft' });
    await insertActivities('deqing', [
      { occurredOn: '2031-03-10', durationMinutes: 40 * 60, townshipId: 'wukang', ledgerId: confirmed },
      { occurredOn: '2031-12-31', durationMinutes: 20 * 60, townshipId: 'wukang', ledgerId: confirmed },
      { occurredOn: '2031-06-01', durationMinutes: 15 * 60, townshipId: 'qianyuan', ledgerId: draft },
      // None of these count: voided, another provider's, outside the period.
      {
        occurredOn: '2031-04-01',
        durationMinutes: 10 * 60,
        townshipId: 'wukang',
        ledgerId: confirmed,
        status: 'voided',
      },
      {
        occurredOn: '2031-04-01',
        durationMinutes: 50 * 60,
        townshipId: 'wukang',
        providerId: 'someone-else',
      },
      { occurredOn: '2030-12-31', durationMinutes: 20 * 60, townshipId: 'wukang', ledgerId: confirmed },
    ]);
    expect(await settlement('deqing', c.id)).toMatchObject({
      model: 'per_service_hour',
      basis: 'confirmed',
      serviceHours: 60,
      minHours: 100,
      maxHours: 120,
      entitlementFen: 600_000,
      workFundsFen: 120_000,
      activityFundsFen: 480_000,
    });
    expect(await settlement('deqing', c.id, 'recorded')).toMatchObject({
      basis: 'recorded',
      serviceHours: 75,
      entitlementFen: 750_000,
      workFundsFen: 150_000,
    });
  });

  it('pays the whole budget inside the band, and nothing more above its ceiling', async () => {
    const inside = await hourContract(2032);
    const ledger = await insertLedger('deqing', { townshipId: 'wukang', status: 'confirmed' });
    await insertActivities('deqing', [
      { occurredOn: '2032-05-05', durationMinutes: 110 * 60 + 20, townshipId: 'wukang', ledgerId: ledger },
    ]);
    expect(await settlement('deqing', inside.id)).toMatchObject({
      serviceHours: 110.33,
      entitlementFen: 1_000_000,
      workFundsFen: 200_000,
    });

    const above = await hourContract(2033);
    await insertActivities('deqing', [
      { occurredOn: '2033-05-05', durationMinutes: 130 * 60, townshipId: 'wukang', ledgerId: ledger },
    ]);
    await acceptedEvaluation('deqing', above.id, { business: 70, financial: 30 });
    expect(await settlement('deqing', above.id)).toMatchObject({
      serviceHours: 130,
      maxHours: 120,
      entitlementFen: 1_000_000,
      releaseRatio: 1,
      payableFen: 1_000_000,
    });
  });

  it('works the same in anji, on its preset pricing', async () => {
    const s = await settlement('anji', 'anji-contract-2026-chenxi');
    expect(s).toMatchObject({
      model: 'per_service_hour',
      serviceHours: 0,
      minHours: 5000,
      maxHours: 6000,
      entitlementFen: 0,
    });
  });
});

describe('reading a settlement', () => {
  it('is open to the bureau, finance, the evaluator and the contract’s provider; refused to others', async () => {
    const c = await createContract('deqing');
    for (const login of [
      'deqing.officer',
      'deqing.finance',
      'deqing.evaluator',
      'provider.admin',
      'provider.worker',
    ]) {
      const r = await call('GET', `${api('deqing')}/contracts/${c.id}/settlement`, {
        token: await tokenFor(login),
      });
      expect({ login, status: r.status }).toEqual({ login, status: 200 });
    }
    const office = await call('GET', `${api('deqing')}/contracts/${c.id}/settlement`, {
      token: await tokenFor('deqing.office.wukang'),
    });
    expect(office.status).toBe(403);
    const bad = await call('GET', `${api('deqing')}/contracts/${c.id}/settlement?basis=estimated`, {
      token: await tokenFor('deqing.admin'),
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('basis');
  });
});

describe('invariants over random contracts', () => {
  it('never pays more than the entitlement, and agrees with the exact rules engine (rounding once)', async () => {
    // A pool of people with different terms, created once.
    const terms = [
      ['2025-06-01', '2026-03-31'],
      ['2026-01-01', '2027-06-30'],
      ['2026-02-10', '2026-08-19'],
      ['2026-05-05', '2028-01-01'],
      ['2024-01-01', '2026-12-31'],
    ] as const;
    const people: { id: string; termStart: string; termEnd: string }[] = [];
    for (const [termStart, termEnd] of terms)
      people.push({ ...(await createSupervisee({ termStart, termEnd })), termStart, termEnd });

    const day = fc.integer({ min: 0, max: 364 }).map((n) => {
      const d = new Date(Date.UTC(2026, 0, 1 + n));
      return d.toISOString().slice(0, 10);
    });
    const enrolment = fc.record({
      person: fc.integer({ min: 0, max: people.length - 1 }),
      from: day,
      length: fc.option(fc.integer({ min: 0, max: 200 }), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 500_000 }),
        fc.integer({ min: 0, max: 100 }).map((n) => n / 100),
        fc.uniqueArray(enrolment, { maxLength: 4, selector: (e) => e.person }),
        fc.option(
          fc.record({
            business: fc.integer({ min: 0, max: 70 }),
            financial: fc.integer({ min: 0, max: 30 }),
          }),
          { nil: undefined },
        ),
        async (unitPriceFen, workFundsShare, chosen, scores) => {
          const pricing = { model: 'per_supervisee_year' as const, unitPriceFen, workFundsShare };
          const c = await createContract('deqing', { pricing });
          const enrolled = [];
          for (const e of chosen) {
            const to = e.length === undefined ? undefined : addDays(e.from, e.length);
            const body = {
              superviseeId: people[e.person]!.id,
              from: e.from,
              ...(to && to <= '2026-12-31' ? { to } : {}),
            };
            await enrol(c.id, body);
            enrolled.push({
              from: body.from,
              to: 'to' in body ? body.to : undefined,
              termStart: people[e.person]!.termStart,
              termEnd: people[e.person]!.termEnd,
            });
          }
          if (scores) await acceptedEvaluation('deqing', c.id, scores);
          const got = await settlement('deqing', c.id);
          const releaseRatio = scores
            ? releaseRatioFor(scores.business + scores.financial, TWO_PART_BANDS)
            : 0;
          const exact = computeSettlement({
            pricing,
            periodStart: '2026-01-01',
            periodEnd: '2026-12-31',
            enrolments: enrolled,
            releaseRatio,
          });
          expect(got).toMatchObject(exact);
          expect(got.payableFen).toBeLessThanOrEqual(got.entitlementFen);
          expect(got.activityFundsPayableFen).toBeLessThanOrEqual(got.activityFundsFen);
          expect(got.workFundsFen + got.activityFundsFen).toBe(got.entitlementFen);
          expect(Number.isInteger(got.entitlementFen) && Number.isInteger(got.payableFen)).toBe(true);
        },
      ),
      { seed: 20261129, numRuns: 12 },
    );
  });
});

function addDays(day: string, n: number) {
  const d = new Date(`${day}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}
