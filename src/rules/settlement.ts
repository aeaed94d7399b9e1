/**
 * Settlement of a contract (API.md "Settlement of a contract"), as pure arithmetic: which
 * activities and enrolments count is the caller's business; this turns them into fen.
 *
 * Entitlement and work funds are each computed exactly and rounded half up to a whole fen once;
 * nothing is rounded per enrolment or per year, so splitting an enrolment never moves a fen.
 */
import {
  type CivilDate,
  type DayNumber,
  dayNumberFromParts,
  daysInYear,
  partsFromDayNumber,
  toDayNumber,
} from './dates.ts';
import { compare, div, fromDecimal, mul, type Ratio, ratio, roundHalfUp } from './rational.ts';
import type { Pricing, PricingModel } from './schema.ts';

export interface SettlementEnrolment {
  from: CivilDate;
  /** Absent or null: to the end of the contract period. */
  to?: CivilDate | null | undefined;
  termStart: CivilDate;
  termEnd: CivilDate;
}

export interface SettlementInput {
  pricing: Pricing;
  periodStart: CivilDate;
  periodEnd: CivilDate;
  /** For per_supervisee_year. */
  enrolments?: readonly SettlementEnrolment[];
  /** For per_service_hour: Σ durationMinutes of the provider's counted activities in the period. */
  serviceMinutes?: number;
  /** Of the most recently accepted evaluation; 0 before any. */
  releaseRatio: number;
}

export interface Settlement {
  model: PricingModel;
  entitlementFen: number;
  workFundsFen: number;
  activityFundsFen: number;
  releaseRatio: number;
  activityFundsPayableFen: number;
  payableFen: number;
  /** per_service_hour only; hours rounded to two decimals for display. */
  serviceHours?: number;
  minHours?: number;
  maxHours?: number;
}

// 365 × 366: a common denominator for a day's share of any year.
const YEARS = 365n * 366n;

/** Σ over enrolments and calendar years of unitPrice × days / days-in-that-year, exactly. */
function perSuperviseeYear(
  unitPriceFen: number,
  periodStart: DayNumber,
  periodEnd: DayNumber,
  enrolments: readonly SettlementEnrolment[],
): Ratio {
  let numerator = 0n;
  for (const e of enrolments) {
    const start = Math.max(toDayNumber(e.from), periodStart, toDayNumber(e.termStart));
    const end = Math.min(e.to ? toDayNumber(e.to) : periodEnd, periodEnd, toDayNumber(e.termEnd));
    if (start > end) continue;
    const lastYear = partsFromDayNumber(end).year;
    for (let year = partsFromDayNumber(start).year; year <= lastYear; year++) {
      const yearStart = Math.max(start, dayNumberFromParts(year, 1, 1));
      const yearEnd = Math.min(end, dayNumberFromParts(year, 12, 31));
      numerator += BigInt(yearEnd - yearStart + 1) * (YEARS / BigInt(daysInYear(year)));
    }
  }
  return ratio(numerator * BigInt(unitPriceFen), YEARS);
}

function perServiceHour(budgetFen: number, serviceMinutes: number, minHours: number): Ratio {
  const minutes = fromDecimal(serviceMinutes);
  const minMinutes = mul(fromDecimal(minHours), ratio(60));
  const budget = ratio(budgetFen);
  if (compare(minutes, minMinutes) >= 0) return budget;
  return mul(budget, div(minutes, minMinutes));
}

function checkRatio(name: string, value: number) {
  if (!(Number.isFinite(value) && value >= 0 && value <= 1))
    throw new RangeError(`${name} must be between 0 and 1, got ${value}`);
}

export function computeSettlement(input: SettlementInput): Settlement {
  const { pricing, releaseRatio } = input;
  checkRatio('releaseRatio', releaseRatio);
  const periodStart = toDayNumber(input.periodStart);
  const periodEnd = toDayNumber(input.periodEnd);
  const serviceMinutes = input.serviceMinutes ?? 0;
  if (!(Number.isFinite(serviceMinutes) && serviceMinutes >= 0))
    throw new RangeError(`serviceMinutes must be ≥ 0, got ${serviceMinutes}`);

  let entitlement: Ratio;
  let extra: Pick<Settlement, 'serviceHours' | 'minHours' | 'maxHours'> = {};
  switch (pricing.model) {
    case 'per_supervisee_year':
      entitlement = perSuperviseeYear(pricing.unitPriceFen, periodStart, periodEnd, input.enrolments ?? []);
      break;
    case 'per_service_hour':
      entitlement = perServiceHour(pricing.budgetFen, serviceMinutes, pricing.minHours);
      extra = {
        serviceHours: Math.round((serviceMinutes / 60) * 100) / 100,
        minHours: pricing.minHours,
        maxHours: pricing.maxHours,
      };
      break;
    case 'fixed':
      entitlement = ratio(pricing.amountFen);
      break;
  }
  const share = pricing.workFundsShare ?? 0;
  checkRatio('workFundsShare', share);

  const entitlementFen = roundHalfUp(entitlement);
  const workFundsFen = roundHalfUp(mul(entitlement, fromDecimal(share)));
  const activityFundsFen = entitlementFen - workFundsFen;
  const activityFundsPayableFen = roundHalfUp(mul(ratio(activityFundsFen), fromDecimal(releaseRatio)));
  return {
    model: pricing.model,
    entitlementFen: Number(entitlementFen),
    workFundsFen: Number(workFundsFen),
    activityFundsFen: Number(activityFundsFen),
    releaseRatio,
    activityFundsPayableFen: Number(activityFundsPayableFen),
    payableFen: Number(workFundsFen + activityFundsPayableFen),
    ...extra,
  };
}
