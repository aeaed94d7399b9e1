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

/**
 * The newest sealed entry of an audit log, kept in a database other than the log's own (ADR 0005):
 * CONTROL_DB keeps one row per county (`chain` = the county's slug), each county database keeps
 * the platform log's (`chain` = 'platform'). Deleting the newest entries of a log then leaves its
 * anchor pointing past the end. Only ever moved forward (src/audit/audit.ts anchorStatement).
 */
export const auditAnchorTable = () =>
  sqliteTable('audit_anchors', {
    chain: text('chain').primaryKey(),
    seq: integer('seq').notNull(),
    hash: text('hash').notNull(),
    at: text('at').notNull(),
  });

/** In a county database: the anchor of the platform's log. */
export const auditAnchors = auditAnchorTable();
