/**
 * Settlement of a contract from the county's data (API.md "Settlement of a contract"): which
 * enrolments, activities and evaluation count is decided here; the arithmetic is the rules
 * engine's `computeSettlement`, so every amount is rounded exactly once.
 */
import { and, desc, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import { activities } from '../activities/schema';
import { chunkForParams } from '../db';
import type { CountyDb } from '../env';
import { type EvaluationRow, evaluations } from '../evaluations/schema';
import { ledgers } from '../ledgers/schema';
import { computeSettlement, type Pricing, type Settlement, type SettlementEnrolment } from '../rules';
import { supervisees } from '../supervisees/schema';
import { type ContractRow, enrolments } from './schema';

export type Basis = 'recorded' | 'confirmed';

export const pricingOf = (contract: ContractRow) => contract.pricing as unknown as Pricing;

/** Enrolments with their supervisee's term, per contract: one query per 90 contracts. */
export async function settlementEnrolments(
  db: CountyDb,
  contractIds: readonly string[],
): Promise<Map<string, SettlementEnrolment[]>> {
  const out = new Map<string, SettlementEnrolment[]>(contractIds.map((id) => [id, []]));
  const chunks = chunkForParams(contractIds, 1).filter((c) => c.length > 0);
  const results = await Promise.all(
    chunks.map((ids) =>
      db
        .select({
          contractId: enrolments.contractId,
          from: enrolments.fromDate,
          to: enrolments.toDate,
          termStart: supervisees.termStart,
          termEnd: supervisees.termEnd,
        })
        .from(enrolments)
        .innerJoin(supervisees, eq(supervisees.id, enrolments.superviseeId))
        .where(inArray(enrolments.contractId, ids)),
    ),
  );
  for (const rows of results) {
    for (const { contractId, ...e } of rows) out.get(contractId)?.push(e);
  }
  return out;
}

/** Σ durationMinutes of the provider's activities dated in the period, on the given basis. */
export async function serviceMinutes(db: CountyDb, contract: ContractRow, basis: Basis): Promise<number> {
  const inPeriod = and(
    eq(activities.providerId, contract.providerId),
    sql`${activities.occurredOn} BETWEEN ${contract.periodStart} AND ${contract.periodEnd}`,
    sql`${activities.status} <> 'voided'`,
  );
  const total = sql<number>`coalesce(sum(${activities.durationMinutes}), 0)`;
  const rows =
    basis === 'recorded'
      ? await db.select({ total }).from(activities).where(inPeriod)
      : await db
          .select({ total })
          .from(activities)
          .innerJoin(ledgers, eq(ledgers.id, activities.ledgerId))
          .where(and(inPeriod, eq(ledgers.status, 'confirmed')));
  return Number(rows[0]?.total ?? 0);
}

/** The most recently accepted evaluation of a contract, if any. */
export async function latestAccepted(db: CountyDb, contractId: string): Promise<EvaluationRow | undefined> {
  const rows = await db
    .select()
    .from(evaluations)
    .where(and(eq(evaluations.contractId, contractId), isNotNull(evaluations.acceptedSeq)))
    .orderBy(desc(evaluations.acceptedSeq))
    .limit(1);
  return rows[0];
}

export type ContractSettlement = Settlement & {
  contractId: string;
  basis: Basis;
  periodStart: string;
  periodEnd: string;
  /** The accepted evaluation whose ratio applies; null before any. */
  evaluationId: string | null;
  enrolmentCount?: number;
};

export async function settlementOf(
  db: CountyDb,
  contract: ContractRow,
  basis: Basis,
): Promise<ContractSettlement> {
  const pricing = pricingOf(contract);
  const [enrolled, minutes, evaluation] = await Promise.all([
    pricing.model === 'per_supervisee_year'
      ? settlementEnrolments(db, [contract.id]).then((m) => m.get(contract.id) ?? [])
      : Promise.resolve(undefined),
    pricing.model === 'per_service_hour' ? serviceMinutes(db, contract, basis) : Promise.resolve(undefined),
    latestAccepted(db, contract.id),
  ]);
  const settlement = computeSettlement({
    pricing,
    periodStart: contract.periodStart,
    periodEnd: contract.periodEnd,
    enrolments: enrolled,
    serviceMinutes: minutes,
    releaseRatio: evaluation?.releaseRatio ?? 0,
  });
  return {
    ...settlement,
    contractId: contract.id,
    basis,
    periodStart: contract.periodStart,
    periodEnd: contract.periodEnd,
    evaluationId: evaluation?.id ?? null,
    ...(enrolled ? { enrolmentCount: enrolled.length } : {}),
  };
}

/**
 * What a contract commits of its programme's budget (ADR 0302): the fixed amount, the hourly
 * budget, or for per_supervisee_year its ceiling, else the entitlement of its enrolments.
 */
export function committedFen(contract: ContractRow, enrolled: readonly SettlementEnrolment[]): number {
  const pricing = pricingOf(contract);
  switch (pricing.model) {
    case 'fixed':
      return pricing.amountFen;
    case 'per_service_hour':
      return pricing.budgetFen;
    case 'per_supervisee_year':
      return (
        contract.ceilingFen ??
        computeSettlement({
          pricing,
          periodStart: contract.periodStart,
          periodEnd: contract.periodEnd,
          enrolments: enrolled,
          releaseRatio: 0,
        }).entitlementFen
      );
  }
}

/** Work funds due on signing: the committed amount × workFundsShare, rounded once. */
export function workFundsOnSigning(contract: ContractRow, committed: number): number {
  const pricing = pricingOf(contract);
  return computeSettlement({
    pricing: { model: 'fixed', amountFen: committed, workFundsShare: pricing.workFundsShare ?? 0 },
    periodStart: contract.periodStart,
    periodEnd: contract.periodEnd,
    releaseRatio: 0,
  }).workFundsFen;
}
