import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * The audit log's table. The platform's log (CONTROL_DB) and each county's log have this same
 * shape, which is what lets one implementation (src/audit/audit.ts) seal and verify both.
 */
export const auditLogTable = () =>
  sqliteTable(
    'audit_log',
    {
      seq: integer('seq').primaryKey({ autoIncrement: true }),
      at: text('at').notNull(),
      actorUserId: text('actor_user_id'),
      action: text('action').notNull(),
      targetType: text('target_type').notNull(),
      targetId: text('target_id'),
      requestId: text('request_id'),
      /** JSON with ids, field names and counts: never a personal value. */
      detail: text('detail'),
      /** SHA-256 over the previous entry's hash and this entry; null until sealed. */
      hash: text('hash'),
    },
    (t) => [index('audit_log_target').on(t.targetType, t.targetId)],
  );

/** The county's audit log. */
export const auditLog = auditLogTable();
