/**
 * 绩效评价: scoring a contract on the county's indicator system, acceptance by the bureau, the
 * evaluation group's remarks, and the evaluator's spot checks on a reproducible sample of
 * confirmed-ledger activities. The evaluator sees minimised data only: activity facts and case
 * numbers, never a name, ID number, phone, address, summary or place.
 */
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import { activities, activityParticipants } from '../activities/schema';
import type { ContractRow } from '../contracts/schema';
import { chunkForParams } from '../db';
import { batchAssert, isGuardFailure } from '../db/guard';
import { ledgers } from '../ledgers/schema';
import { type CountyCtx, countyAudit } from '../lib/context';
import { newId, randomToken } from '../lib/ids';
import { conflict, invalid, notFound } from '../lib/problem';
import { nowInstant } from '../lib/time';
import { ruleSetOn } from '../rule-sets/service';
import { releaseRatioFor, totalScore } from '../rules';
import { supervisees } from '../supervisees/schema';
import { drawSample } from './sampling';
import {
  type EvaluationRow,
  evaluationRemarks,
  evaluationSampleItems,
  evaluationSamples,
  evaluations,
  type SampleRow,
} from './schema';

// ---------------------------------------------------------------------------------------------
// Evaluations

export type NewEvaluation = {
  scores: Record<string, number>;
  report?: string | undefined;
  agency?: string | undefined;
  evaluatedOn?: string | undefined;
  sampleId?: string | undefined;
};

/** The indicators and bands that apply to a contract: those in force on its last day. */
export async function evaluationRulesFor(k: CountyCtx, contract: ContractRow) {
  const inForce = await ruleSetOn(k.db, contract.periodEnd);
  if (!inForce) {
    throw conflict(
      `No rule set is in force on ${contract.periodEnd}, the contract's last day: there are no indicators to score.`,
    );
  }
  return { ruleSetId: inForce.id, ...inForce.ruleSet.evaluation };
}

export async function createEvaluation(k: CountyCtx, contract: ContractRow, input: NewEvaluation) {
  const rules = await evaluationRulesFor(k, contract);
  const scored = totalScore(input.scores, rules.indicators);
  if (!scored.ok) throw invalid(scored.errors, 'The scores do not fit the indicator system.');
  if (input.sampleId) await findSample(k, contract, input.sampleId, 'sampleId');
  const releaseRatio = releaseRatioFor(scored.totalScore, rules.releaseBands);
  const id = newId();
  const [rows] = await k.db.batch([
    k.db
      .insert(evaluations)
      .values({
        id,
        contractId: contract.id,
        ruleSetId: rules.ruleSetId,
        scores: input.scores,
        totalScore: scored.totalScore,
        releaseRatio,
        report: input.report ?? null,
        agency: input.agency ?? null,
        evaluatedOn: input.evaluatedOn ?? k.today,
        sampleId: input.sampleId ?? null,
        submittedBy: k.actorUserId,
      })
      .returning(),
    countyAudit(k, {
      action: 'evaluation.submit',
      targetType: 'evaluation',
      targetId: id,
      detail: { contractId: contract.id, totalScore: scored.totalScore, releaseRatio },
    }),
  ]);
  return rows[0]!;
}

export async function findEvaluation(
  k: CountyCtx,
  contract: ContractRow,
  id: string,
): Promise<EvaluationRow> {
  const row = (
    await k.db
      .select()
      .from(evaluations)
      .where(and(eq(evaluations.id, id), eq(evaluations.contractId, contract.id)))
      .limit(1)
  )[0];
  if (!row) throw notFound('evaluation');
  return row;
}

export async function acceptEvaluation(k: CountyCtx, evaluation: EvaluationRow): Promise<EvaluationRow> {
  if (evaluation.status !== 'submitted') throw conflict(`The evaluation is already ${evaluation.status}.`);
  try {
    const [, updated] = await k.db.batch([
      batchAssert(
        k.db,
        sql`(SELECT status FROM evaluations WHERE id = ${evaluation.id}) = 'submitted'`,
        'state',
      ),
      k.db
        .update(evaluations)
        .set({
          status: 'accepted',
          acceptedBy: k.actorUserId,
          acceptedAt: nowInstant(),
          acceptedSeq: sql`(SELECT coalesce(max(accepted_seq), 0) + 1 FROM evaluations WHERE contract_id = ${evaluation.contractId})`,
        })
        .where(eq(evaluations.id, evaluation.id))
        .returning(),
      countyAudit(k, {
        action: 'evaluation.accept',
        targetType: 'evaluation',
        targetId: evaluation.id,
        detail: { contractId: evaluation.contractId, releaseRatio: evaluation.releaseRatio },
      }),
    ]);
    return updated[0]!;
  } catch (e) {
    if (isGuardFailure(e)) throw conflict('The evaluation was accepted meanwhile.');
    throw e;
  }
}

export async function listEvaluations(k: CountyCtx, contract: ContractRow): Promise<EvaluationRow[]> {
  return k.db
    .select()
    .from(evaluations)
    .where(eq(evaluations.contractId, contract.id))
    .orderBy(desc(evaluations.createdAt), desc(evaluations.id));
}

export async function remarksOf(k: CountyCtx, evaluationIds: readonly string[]) {
  if (evaluationIds.length === 0) return [];
  const chunks = chunkForParams(evaluationIds, 1);
  const results = await Promise.all(
    chunks.map((ids) =>
      k.db
        .select()
        .from(evaluationRemarks)
        .where(inArray(evaluationRemarks.evaluationId, ids))
        .orderBy(asc(evaluationRemarks.createdAt), asc(evaluationRemarks.id)),
    ),
  );
  return results.flat();
}

export async function addRemark(k: CountyCtx, evaluation: EvaluationRow, role: string, text: string) {
  const id = newId();
  const [rows] = await k.db.batch([
    k.db
      .insert(evaluationRemarks)
      .values({ id, evaluationId: evaluation.id, byUserId: k.actorUserId, role, text })
      .returning(),
    countyAudit(k, {
      action: 'evaluation.remark',
      targetType: 'evaluation',
      targetId: evaluation.id,
      detail: { remarkId: id, role },
    }),
  ]);
  return rows[0]!;
}

export type RemarkRow = typeof evaluationRemarks.$inferSelect;

export const presentRemark = (r: RemarkRow) => ({
  id: r.id,
  byUserId: r.byUserId,
  role: r.role,
  text: r.text,
  createdAt: r.createdAt,
});

export const presentEvaluation = (r: EvaluationRow, remarks: RemarkRow[] = []) => ({
  id: r.id,
  contractId: r.contractId,
  ruleSetId: r.ruleSetId,
  scores: r.scores,
  totalScore: r.totalScore,
  releaseRatio: r.releaseRatio,
  status: r.status,
  report: r.report,
  agency: r.agency,
  evaluatedOn: r.evaluatedOn,
  sampleId: r.sampleId,
  submittedBy: r.submittedBy,
  submittedAt: r.createdAt,
  acceptedBy: r.acceptedBy,
  acceptedAt: r.acceptedAt,
  remarks: remarks.filter((m) => m.evaluationId === r.id).map(presentRemark),
});

// ---------------------------------------------------------------------------------------------
// Spot-check samples

/** At most this many activities in one sample: a spot check, not a re-audit. */
export const MAX_SAMPLE = 2000;

export async function drawContractSample(
  k: CountyCtx,
  contract: ContractRow,
  input: { share: number; seed?: string | undefined; from?: string | undefined; to?: string | undefined },
) {
  const from = input.from ?? contract.periodStart;
  const to = input.to ?? contract.periodEnd;
  const errors: { path: string; message: string }[] = [];
  if (from < contract.periodStart || from > contract.periodEnd)
    errors.push({ path: 'from', message: 'must lie within the contract period' });
  if (to < from || to > contract.periodEnd)
    errors.push({ path: 'to', message: 'must lie within the contract period, not before from' });
  if (errors.length) throw invalid(errors);

  // The population: the provider's activities in confirmed ledgers, dated in the span.
  const population = await k.db
    .select({ id: activities.id })
    .from(activities)
    .innerJoin(ledgers, eq(ledgers.id, activities.ledgerId))
    .where(
      and(
        eq(activities.providerId, contract.providerId),
        eq(ledgers.status, 'confirmed'),
        sql`${activities.status} <> 'voided'`,
        sql`${activities.occurredOn} BETWEEN ${from} AND ${to}`,
      ),
    );
  const seed = input.seed ?? randomToken(12);
  const chosen = (
    await drawSample(
      population.map((p) => p.id),
      input.share,
      seed,
    )
  ).slice(0, MAX_SAMPLE);
  const id = newId();
  const items = chosen.map((activityId, rank) => ({ sampleId: id, activityId, rank }));
  await k.db.batch([
    k.db.insert(evaluationSamples).values({
      id,
      contractId: contract.id,
      seed,
      share: input.share,
      fromDate: from,
      toDate: to,
      populationSize: population.length,
      sampleSize: chosen.length,
      drawnBy: k.actorUserId,
    }),
    ...chunkForParams(items, 3).map((chunk) => k.db.insert(evaluationSampleItems).values(chunk)),
    countyAudit(k, {
      action: 'evaluation.sample',
      targetType: 'evaluation_sample',
      targetId: id,
      detail: {
        contractId: contract.id,
        share: input.share,
        population: population.length,
        sample: chosen.length,
      },
    }),
  ]);
  return findSample(k, contract, id);
}

export async function findSample(
  k: CountyCtx,
  contract: ContractRow,
  id: string,
  path?: string,
): Promise<SampleRow> {
  const row = (
    await k.db
      .select()
      .from(evaluationSamples)
      .where(and(eq(evaluationSamples.id, id), eq(evaluationSamples.contractId, contract.id)))
      .limit(1)
  )[0];
  if (!row) {
    if (path) throw invalid([{ path, message: 'no such sample of this contract' }]);
    throw notFound('sample');
  }
  return row;
}

export async function listSamples(k: CountyCtx, contract: ContractRow): Promise<SampleRow[]> {
  return k.db
    .select()
    .from(evaluationSamples)
    .where(eq(evaluationSamples.contractId, contract.id))
    .orderBy(desc(evaluationSamples.createdAt));
}

/** The sample with each activity's minimised facts and the finding recorded for it. */
export async function presentSample(k: CountyCtx, sample: SampleRow) {
  const items = await k.db
    .select()
    .from(evaluationSampleItems)
    .where(eq(evaluationSampleItems.sampleId, sample.id))
    .orderBy(asc(evaluationSampleItems.rank));
  const ids = items.map((i) => i.activityId);
  const chunks = chunkForParams(ids, 1).filter((c) => c.length);
  const [facts, people] = await Promise.all([
    Promise.all(
      chunks.map((chunk) =>
        k.db
          .select({
            id: activities.id,
            type: activities.type,
            occurredOn: activities.occurredOn,
            startTime: activities.startTime,
            durationMinutes: activities.durationMinutes,
            townshipId: activities.townshipId,
            staffUserId: activities.staffUserId,
            ledgerId: activities.ledgerId,
            aidAmountFen: activities.aidAmountFen,
          })
          .from(activities)
          .where(inArray(activities.id, chunk)),
      ),
    ).then((r) => r.flat()),
    Promise.all(
      chunks.map((chunk) =>
        k.db
          .select({
            activityId: activityParticipants.activityId,
            superviseeId: activityParticipants.superviseeId,
            caseNumber: supervisees.caseNumber,
            minutes: activityParticipants.minutes,
          })
          .from(activityParticipants)
          .innerJoin(supervisees, eq(supervisees.id, activityParticipants.superviseeId))
          .where(inArray(activityParticipants.activityId, chunk)),
      ),
    ).then((r) => r.flat()),
  ]);
  const factOf = new Map(facts.map((f) => [f.id, f]));
  const counts = { consistent: 0, inconsistent: 0, not_verifiable: 0, unchecked: 0 };
  for (const i of items) counts[i.finding ?? 'unchecked'] += 1;
  return {
    id: sample.id,
    contractId: sample.contractId,
    seed: sample.seed,
    share: sample.share,
    from: sample.fromDate,
    to: sample.toDate,
    populationSize: sample.populationSize,
    sampleSize: sample.sampleSize,
    method: 'the sampleSize activities with the smallest SHA-256(seed:activityId), hex order',
    drawnBy: sample.drawnBy,
    drawnAt: sample.createdAt,
    findings: counts,
    items: items.map((i) => {
      const f = factOf.get(i.activityId);
      return {
        activityId: i.activityId,
        rank: i.rank,
        type: f?.type ?? null,
        occurredOn: f?.occurredOn ?? null,
        startTime: f?.startTime ?? null,
        durationMinutes: f?.durationMinutes ?? null,
        townshipId: f?.townshipId ?? null,
        staffUserId: f?.staffUserId ?? null,
        ledgerId: f?.ledgerId ?? null,
        aidAmountFen: f?.aidAmountFen ?? null,
        participants: people
          .filter((p) => p.activityId === i.activityId)
          .map((p) => ({ superviseeId: p.superviseeId, caseNumber: p.caseNumber, minutes: p.minutes })),
        finding: i.finding,
        note: i.note,
        checkedBy: i.checkedBy,
        checkedAt: i.checkedAt,
      };
    }),
  };
}

export async function recordFinding(
  k: CountyCtx,
  sample: SampleRow,
  activityId: string,
  input: { finding: 'consistent' | 'inconsistent' | 'not_verifiable'; note?: string | undefined },
) {
  try {
    const [, updated] = await k.db.batch([
      batchAssert(
        k.db,
        sql`EXISTS (SELECT 1 FROM ${evaluationSampleItems} WHERE ${evaluationSampleItems.sampleId} = ${sample.id}
            AND ${evaluationSampleItems.activityId} = ${activityId})`,
        'sampled',
      ),
      k.db
        .update(evaluationSampleItems)
        .set({
          finding: input.finding,
          note: input.note ?? null,
          checkedBy: k.actorUserId,
          checkedAt: nowInstant(),
        })
        .where(
          and(
            eq(evaluationSampleItems.sampleId, sample.id),
            eq(evaluationSampleItems.activityId, activityId),
          ),
        )
        .returning(),
      countyAudit(k, {
        action: 'evaluation.finding',
        targetType: 'evaluation_sample',
        targetId: sample.id,
        detail: { activityId, finding: input.finding },
      }),
    ]);
    return updated[0]!;
  } catch (e) {
    if (isGuardFailure(e)) throw notFound('sampled activity');
    throw e;
  }
}
