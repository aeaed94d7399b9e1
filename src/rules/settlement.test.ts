import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, fromDayNumber, toDayNumber } from './dates.ts';
import type { Pricing } from './schema.ts';
import { computeSettlement, type SettlementEnrolment } from './settlement.ts';

const deqing: Pricing = { model: 'per_supervisee_year', unitPriceFen: 100000, workFundsShare: 0.5 };
const term = { termStart: '2010-01-01', termEnd: '2040-12-31' };
const enrol = (from: string, to?: string, t = term): SettlementEnrolment => ({
  from,
  ...(to ? { to } : {}),
  ...t,
});

describe('per_supervisee_year', () => {
  it('pays a whole year for a whole year: the Deqing example', () => {
    const s = computeSettlement({
      pricing: deqing,
      periodStart: '2017-01-01',
      periodEnd: '2017-12-31',
      enrolments: [enrol('2017-01-01')],
      releaseRatio: 0.9,
    });
    expect(s).toEqual({
      model: 'per_supervisee_year',
      entitlementFen: 100000,
      workFundsFen: 50000,
      activityFundsFen: 50000,
      releaseRatio: 0.9,
      activityFundsPayableFen: 45000,
      payableFen: 95000,
    });
  });

  it('divides by the length of each calendar year touched', () => {
    const settle = (periodStart: string, periodEnd: string, enrolments: SettlementEnrolment[]) =>
      computeSettlement({ pricing: deqing, periodStart, periodEnd, enrolments, releaseRatio: 1 })
        .entitlementFen;
    // 182 of 366 days: 49726.78 → 49727
    expect(settle('2024-01-01', '2024-12-31', [enrol('2024-01-01', '2024-06-30')])).toBe(49727);
    expect(settle('2024-01-01', '2024-12-31', [enrol('2024-01-01')])).toBe(100000);
    // 184/365 + 181/365: exactly one year
    expect(settle('2025-07-01', '2026-06-30', [enrol('2025-01-01')])).toBe(100000);
    // 184/365 + 182/366 = 1.0013773 years → 100137.73 → 100138
    expect(settle('2023-07-01', '2024-06-30', [enrol('2023-07-01')])).toBe(100138);
  });

  it('counts only days within the period and the term, to the period end when open', () => {
    const settle = (e: SettlementEnrolment) =>
      computeSettlement({
        pricing: deqing,
        periodStart: '2017-01-01',
        periodEnd: '2017-12-31',
        enrolments: [e],
        releaseRatio: 0,
      }).entitlementFen;
    // term ends 03-31: 90 days → 24657.53 → 24658
    expect(settle(enrol('2017-01-01', undefined, { termStart: '2016-01-01', termEnd: '2017-03-31' }))).toBe(
      24658,
    );
    // enrolled from before the period: 31 days of January → 8493.15 → 8493
    expect(settle(enrol('2016-10-01', '2017-01-31'))).toBe(8493);
    expect(settle(enrol('2018-01-01'))).toBe(0);
    expect(settle(enrol('2017-06-01', '2017-05-31'))).toBe(0);
  });

  it('rounds once, from the exact sum, not per enrolment', () => {
    // 19 × 100000/365 = 5205.48 → 5205 (rounding each day first would give 19 × 274 = 5206)
    const days = Array.from({ length: 19 }, (_, i) => addDays('2026-01-01', i * 2));
    const s = computeSettlement({
      pricing: deqing,
      periodStart: '2026-01-01',
      periodEnd: '2026-12-31',
      enrolments: days.map((d) => enrol(d, d)),
      releaseRatio: 1,
    });
    expect(s.entitlementFen).toBe(5205);
  });

  it('takes work funds from the exact entitlement, not the rounded one', () => {
    // 1000/365 = 2.74 → 3 fen; work funds 1.37 → 1 fen (half of the rounded 3 would round to 2)
    const s = computeSettlement({
      pricing: { model: 'per_supervisee_year', unitPriceFen: 1000, workFundsShare: 0.5 },
      periodStart: '2026-01-01',
      periodEnd: '2026-12-31',
      enrolments: [enrol('2026-03-01', '2026-03-01')],
      releaseRatio: 1,
    });
    expect(s).toMatchObject({ entitlementFen: 3, workFundsFen: 1, activityFundsFen: 2, payableFen: 3 });
  });
});

describe('per_service_hour', () => {
  const pricing: Pricing = {
    model: 'per_service_hour',
    budgetFen: 1_000_000,
    minHours: 100,
    maxHours: 150,
    workFundsShare: 0.3,
  };
  const settle = (serviceMinutes: number) =>
    computeSettlement({
      pricing,
      periodStart: '2026-01-01',
      periodEnd: '2026-12-31',
      serviceMinutes,
      releaseRatio: 0.6,
    });

  it('pays the budget from minHours on, and reports hours and the band', () => {
    expect(settle(6000)).toEqual({
      model: 'per_service_hour',
      entitlementFen: 1_000_000,
      workFundsFen: 300_000,
      activityFundsFen: 700_000,
      releaseRatio: 0.6,
      activityFundsPayableFen: 420_000,
      payableFen: 720_000,
      serviceHours: 100,
      minHours: 100,
      maxHours: 150,
    });
    expect(settle(12_000)).toMatchObject({ entitlementFen: 1_000_000, serviceHours: 200 });
  });

  it('pays pro rata below minHours', () => {
    expect(settle(3000)).toMatchObject({ entitlementFen: 500_000, serviceHours: 50 });
    // 1 minute of 6000: 166.67 → 167
    expect(settle(1)).toMatchObject({ entitlementFen: 167, serviceHours: 0.02 });
    expect(settle(0).entitlementFen).toBe(0);
  });

  it('pays the budget when minHours is 0', () => {
    const s = computeSettlement({
      pricing: { model: 'per_service_hour', budgetFen: 500, minHours: 0, maxHours: 10 },
      periodStart: '2026-01-01',
      periodEnd: '2026-12-31',
      serviceMinutes: 0,
      releaseRatio: 1,
    });
    expect(s).toMatchObject({ entitlementFen: 500, workFundsFen: 0, payableFen: 500 });
  });
});

describe('fixed', () => {
  const settle = (pricing: Pricing, releaseRatio: number) =>
    computeSettlement({ pricing, periodStart: '2026-01-01', periodEnd: '2026-12-31', releaseRatio });

  it('rounds halves up, each amount from exact values', () => {
    expect(settle({ model: 'fixed', amountFen: 3, workFundsShare: 0.5 }, 0.5)).toMatchObject({
      entitlementFen: 3,
      workFundsFen: 2,
      activityFundsFen: 1,
      activityFundsPayableFen: 1,
      payableFen: 3,
    });
    // 0.565 × 100 is 56.49999999999999 in floating point, but exactly 56.5 → 57
    expect(settle({ model: 'fixed', amountFen: 100, workFundsShare: 0.565 }, 0).workFundsFen).toBe(57);
  });

  it('has no work funds without a share, and pays only work funds before any evaluation', () => {
    expect(settle({ model: 'fixed', amountFen: 1_000_000 }, 0.6)).toMatchObject({
      workFundsFen: 0,
      activityFundsPayableFen: 600_000,
      payableFen: 600_000,
    });
    expect(settle({ model: 'fixed', amountFen: 1_000_000, workFundsShare: 0.4 }, 0)).toMatchObject({
      workFundsFen: 400_000,
      payableFen: 400_000,
    });
  });

  it('refuses ratios outside [0, 1]', () => {
    expect(() => settle({ model: 'fixed', amountFen: 1 }, 1.5)).toThrow(RangeError);
    expect(() => settle({ model: 'fixed', amountFen: 1 }, Number.NaN)).toThrow(RangeError);
  });
});

describe('invariants', () => {
  const share = fc.oneof(
    fc.constant(undefined),
    fc.integer({ min: 0, max: 1000 }).map((n) => n / 1000),
  );
  const day = fc
    .integer({ min: toDayNumber('2023-01-01'), max: toDayNumber('2026-12-31') })
    .map(fromDayNumber);
  const enrolment = fc.record({
    from: day,
    to: fc.option(day, { nil: undefined }),
    termStart: day,
    termEnd: day,
  });
  const pricing: fc.Arbitrary<Pricing> = fc.oneof(
    fc.record({
      model: fc.constant('per_supervisee_year' as const),
      unitPriceFen: fc.integer({ min: 0, max: 10_000_000 }),
      workFundsShare: share.map((s) => s ?? 0),
    }),
    fc.record({
      model: fc.constant('per_service_hour' as const),
      budgetFen: fc.integer({ min: 0, max: 1_000_000_000 }),
      minHours: fc.integer({ min: 0, max: 10_000 }),
      maxHours: fc.constant(10_000),
      workFundsShare: share,
    }),
    fc.record({
      model: fc.constant('fixed' as const),
      amountFen: fc.integer({ min: 0, max: 1_000_000_000 }),
      workFundsShare: share,
    }),
  );

  it('work + activity funds = entitlement exactly; nothing payable exceeds what it is part of', () => {
    fc.assert(
      fc.property(
        pricing,
        fc.array(enrolment, { maxLength: 8 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.integer({ min: 0, max: 100 }).map((n) => n / 100),
        (p, enrolments, serviceMinutes, releaseRatio) => {
          const s = computeSettlement({
            pricing: p,
            periodStart: '2024-01-01',
            periodEnd: '2025-12-31',
            enrolments,
            serviceMinutes,
            releaseRatio,
          });
          expect(s.workFundsFen + s.activityFundsFen).toBe(s.entitlementFen);
          expect(s.activityFundsFen).toBeGreaterThanOrEqual(0);
          expect(s.activityFundsPayableFen).toBeGreaterThanOrEqual(0);
          expect(s.activityFundsPayableFen).toBeLessThanOrEqual(s.activityFundsFen);
          expect(s.payableFen).toBe(s.workFundsFen + s.activityFundsPayableFen);
          expect(s.payableFen).toBeLessThanOrEqual(s.entitlementFen);
          for (const n of [s.entitlementFen, s.workFundsFen, s.payableFen])
            expect(Number.isInteger(n)).toBe(true);
          if (p.model === 'per_service_hour') expect(s.entitlementFen).toBeLessThanOrEqual(p.budgetFen);
          if (p.model === 'fixed') expect(s.entitlementFen).toBe(p.amountFen);
        },
      ),
      { seed: 42, numRuns: 200 },
    );
  });

  it('splitting an enrolment in two at any day leaves the entitlement unchanged', () => {
    const period = { periodStart: '2023-01-01', periodEnd: '2026-12-31' };
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 0, max: 1000 }),
        fc.integer({ min: 1, max: 10_000_000 }),
        (offset, length, unitPriceFen) => {
          const from = addDays('2023-01-01', offset);
          const to = addDays(from, length);
          const cut = addDays(from, Math.floor(length / 2));
          const p: Pricing = { model: 'per_supervisee_year', unitPriceFen, workFundsShare: 0.5 };
          const whole = computeSettlement({
            pricing: p,
            ...period,
            enrolments: [enrol(from, to)],
            releaseRatio: 1,
          });
          const split = computeSettlement({
            pricing: p,
            ...period,
            enrolments: [enrol(from, cut), enrol(addDays(cut, 1), to)].filter(
              (e) => e.from <= (e.to ?? e.from),
            ),
            releaseRatio: 1,
          });
          expect(split.entitlementFen).toBe(whole.entitlementFen);
        },
      ),
      { seed: 42, numRuns: 200 },
    );
  });
});
