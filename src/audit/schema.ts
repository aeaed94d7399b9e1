import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** The county's audit log (same shape as the platform's in CONTROL_DB). */
export const auditLog = sqliteTable(
  'audit_log',
  {
    seq: integer('seq').primaryKey({ autoIncrement: true }),
    at: text('at').notNull(),
    actorUserId: text('actor_user_id'),
    action: text('action').notNull(),
    targetType: text('target_type').notNull(),
    targetId: text('target_id'),
    requestId: text('request_id'),
    /** Ids, field names and counts: never a personal value. */
    detail: text('detail'),
    hash: text('hash'),
  },
  (t) => [index('audit_log_target').on(t.targetType, t.targetId)],
);
