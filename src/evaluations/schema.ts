import { index, integer, primaryKey, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { createdAt } from '../db/columns';

/**
 * 绩效评价 of a contract by the third party (or the bureau), scored on the indicators of the rule
 * set in force on the contract's `period_end`. submitted → accepted (by the bureau); the most
 * recently accepted one (`accepted_seq`) sets the contract's release ratio.
 */
export const evaluations = sqliteTable(
  'evaluations',
  {
    id: text('id').primaryKey(),
    contractId: text('contract_id').notNull(),
    /** The rule set whose indicators and bands were used. */
    ruleSetId: text('rule_set_id').notNull(),
    scores: text('scores', { mode: 'json' }).notNull().$type<Record<string, number>>(),
    totalScore: real('total_score').notNull(),
    releaseRatio: real('release_ratio').notNull(),
    status: text('status', { enum: ['submitted', 'accepted'] })
      .notNull()
      .default('submitted'),
    /** 年度绩效评价报告: the evaluator's written report. */
    report: text('report'),
    agency: text('agency'),
    evaluatedOn: text('evaluated_on').notNull(),
    sampleId: text('sample_id'),
    submittedBy: text('submitted_by').notNull(),
    acceptedBy: text('accepted_by'),
    acceptedAt: text('accepted_at'),
    /** Order of acceptance within the contract: instants can tie, this cannot. */
    acceptedSeq: integer('accepted_seq'),
    createdAt: createdAt(),
  },
  (t) => [index('evaluations_contract').on(t.contractId, t.acceptedSeq)],
);

/** Remarks of the evaluation group (民政局, 财政局, 司法局, the evaluator) on an evaluation. */
export const evaluationRemarks = sqliteTable(
  'evaluation_remarks',
  {
    id: text('id').primaryKey(),
    evaluationId: text('evaluation_id').notNull(),
    byUserId: text('by_user_id').notNull(),
    /** The role the author spoke in (e.g. civil_affairs_officer). */
    role: text('role').notNull(),
    text: text('text').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('evaluation_remarks_evaluation').on(t.evaluationId, t.createdAt)],
);

/** A reproducible random sample of confirmed-ledger activities drawn for spot checks. */
export const evaluationSamples = sqliteTable(
  'evaluation_samples',
  {
    id: text('id').primaryKey(),
    contractId: text('contract_id').notNull(),
    seed: text('seed').notNull(),
    share: real('share').notNull(),
    fromDate: text('from_date').notNull(),
    toDate: text('to_date').notNull(),
    populationSize: integer('population_size').notNull(),
    sampleSize: integer('sample_size').notNull(),
    drawnBy: text('drawn_by').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('evaluation_samples_contract').on(t.contractId, t.createdAt)],
);

/** One sampled activity and what the spot check found. */
export const evaluationSampleItems = sqliteTable(
  'evaluation_sample_items',
  {
    sampleId: text('sample_id').notNull(),
    activityId: text('activity_id').notNull(),
    /** Position in the draw (0 = smallest draw key). */
    rank: integer('rank').notNull(),
    finding: text('finding', { enum: ['consistent', 'inconsistent', 'not_verifiable'] }),
    note: text('note'),
    checkedBy: text('checked_by'),
    checkedAt: text('checked_at'),
  },
  (t) => [primaryKey({ columns: [t.sampleId, t.activityId] })],
);

export type EvaluationRow = typeof evaluations.$inferSelect;
export type SampleRow = typeof evaluationSamples.$inferSelect;
