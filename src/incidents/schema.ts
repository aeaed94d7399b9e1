import { index, integer, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { createdAt } from '../db/columns';
import { supervisees } from '../supervisees/schema';

export const INCIDENT_KINDS = [
  'violation',
  'absconding_risk',
  'suspected_offence',
  'mental_health_crisis',
  'emergency_hardship',
] as const;
export type IncidentKind = (typeof INCIDENT_KINDS)[number];

export const INCIDENT_STATUSES = ['open', 'acknowledged', 'resolved'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/**
 * 重大事项报告: a provider reports, the township office acknowledges and resolves. The narrative
 * columns (`*_enc`) are encrypted: they describe health crises, offences and whereabouts.
 * The deadlines are those of the rule set in force when it was reported, kept on the row so a
 * later rule-set version never moves a deadline already running; `escalate_at` is stored (not
 * only computed) so "escalated" is an indexed filter.
 */
export const incidents = sqliteTable(
  'incidents',
  {
    id: text('id').primaryKey(),
    superviseeId: text('supervisee_id')
      .notNull()
      .references(() => supervisees.id),
    /** The supervisee's township when reported: its office handles the incident. */
    townshipId: text('township_id').notNull(),
    providerId: text('provider_id').notNull(),
    kind: text('kind', { enum: INCIDENT_KINDS }).notNull(),
    status: text('status', { enum: INCIDENT_STATUSES }).notNull().default('open'),
    /** When it happened, if the reporter knows (UTC instant). */
    occurredAt: text('occurred_at'),
    descriptionEnc: text('description_enc').notNull(),
    reportedBy: text('reported_by').notNull(),
    reportedAt: text('reported_at').notNull(),
    ruleSetId: text('rule_set_id'),
    acknowledgeWithinHours: real('acknowledge_within_hours').notNull(),
    escalateAfterHours: real('escalate_after_hours').notNull(),
    acknowledgeBy: text('acknowledge_by').notNull(),
    escalateAt: text('escalate_at').notNull(),
    acknowledgedBy: text('acknowledged_by'),
    acknowledgedAt: text('acknowledged_at'),
    acknowledgeNoteEnc: text('acknowledge_note_enc'),
    resolvedBy: text('resolved_by'),
    resolvedAt: text('resolved_at'),
    resolutionEnc: text('resolution_enc'),
    /** Set by the scheduled job once the bureau has been told of the escalation. */
    escalationNotifiedAt: text('escalation_notified_at'),
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
  },
  (t) => [
    index('incidents_township').on(t.townshipId, t.reportedAt),
    index('incidents_provider').on(t.providerId, t.reportedAt),
    index('incidents_supervisee').on(t.superviseeId, t.reportedAt),
    index('incidents_status_escalate').on(t.status, t.escalateAt),
    index('incidents_reported').on(t.reportedAt),
  ],
);

export type IncidentRow = typeof incidents.$inferSelect;
