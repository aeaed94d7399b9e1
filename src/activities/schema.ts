import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { createdAt } from '../db/columns';
import { supervisees } from '../supervisees/schema';
import { townships } from '../townships/schema';

/**
 * 服务记录: a recorded service (visit, call, session…). Never deleted: voided with a reason.
 * An activity belongs to the ledger of its provider, township and cycle (`ledger_id`).
 */
export const activities = sqliteTable(
  'activities',
  {
    id: text('id').primaryKey(),
    type: text('type').notNull(),
    occurredOn: text('occurred_on').notNull(),
    /** HH:MM local time, when known (needed to flag overlaps). */
    startTime: text('start_time'),
    durationMinutes: integer('duration_minutes').notNull(),
    /** Null for activities of the bureau or a township office (e.g. verification call-backs). */
    providerId: text('provider_id'),
    townshipId: text('township_id')
      .notNull()
      .references(() => townships.id),
    /** The user who did the work (a social worker, or an office officer). */
    staffUserId: text('staff_user_id'),
    place: text('place'),
    /** What was done: personal facts, so ciphertext (src/crypto/fields.ts; ADR 0403). */
    summaryEnc: text('summary_enc'),
    outcome: text('outcome'),
    /** 困难帮扶: the amount handed over, in fen. */
    aidAmountFen: integer('aid_amount_fen'),
    ledgerId: text('ledger_id'),
    status: text('status', { enum: ['active', 'voided'] })
      .notNull()
      .default('active'),
    voidReason: text('void_reason'),
    voidedBy: text('voided_by'),
    voidedAt: text('voided_at'),
    /** Set on an amendment: the confirmed activity it corrects (which stays as it was). */
    amends: text('amends'),
    version: integer('version').notNull().default(1),
    createdBy: text('created_by'),
    createdAt: createdAt(),
    updatedAt: text('updated_at'),
  },
  (t) => [
    index('activities_occurred').on(t.occurredOn),
    index('activities_provider').on(t.providerId, t.occurredOn),
    index('activities_township').on(t.townshipId, t.occurredOn),
    index('activities_ledger').on(t.ledgerId),
    index('activities_type').on(t.type, t.occurredOn),
    index('activities_staff').on(t.staffUserId, t.occurredOn),
    index('activities_amends').on(t.amends),
  ],
);

/** Who took part and the minutes credited to each (a group session has many). */
export const activityParticipants = sqliteTable(
  'activity_participants',
  {
    activityId: text('activity_id')
      .notNull()
      .references(() => activities.id),
    superviseeId: text('supervisee_id')
      .notNull()
      .references(() => supervisees.id),
    minutes: integer('minutes').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.activityId, t.superviseeId] }),
    index('participants_supervisee').on(t.superviseeId),
  ],
);

/** Answers kept for `Idempotency-Key` retries (scoped to the caller; kept at least 24 hours). */
export const idempotencyKeys = sqliteTable(
  'idempotency_keys',
  {
    userId: text('user_id').notNull(),
    key: text('key').notNull(),
    /** SHA-256 of method, route and body: the same key with another body is refused. */
    requestHash: text('request_hash').notNull(),
    status: text('status', { enum: ['in_flight', 'done'] }).notNull(),
    responseStatus: integer('response_status'),
    responseBody: text('response_body'),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.key] }), index('idempotency_created').on(t.createdAt)],
);

export type ActivityRow = typeof activities.$inferSelect;

/** The county's own activity types, besides the base list of API.md. */
export const customActivityTypes = sqliteTable('custom_activity_types', {
  code: text('code').primaryKey(),
  labelZh: text('label_zh').notNull(),
  labelEn: text('label_en'),
  createdBy: text('created_by'),
  createdAt: createdAt(),
});
