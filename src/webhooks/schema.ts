import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { createdAt } from '../db/columns';

/**
 * Outbound webhooks of a county: group robots of WeCom (企业微信) or DingTalk (钉钉), or a generic
 * JSON receiver. The signing secret is encrypted like personal fields.
 */
export const webhooks = sqliteTable('webhooks', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  kind: text('kind', { enum: ['wecom', 'dingtalk', 'generic'] }).notNull(),
  url: text('url').notNull(),
  secretEnc: text('secret_enc').notNull(),
  /** Notification kinds it receives, as a JSON array. */
  events: text('events', { mode: 'json' }).notNull().$type<string[]>(),
  active: integer('active', { mode: 'boolean' }).notNull().default(true),
  createdBy: text('created_by'),
  createdAt: createdAt(),
});

/** The delivery log: one row per webhook and event, retried with backoff until delivered or failed. */
export const webhookDeliveries = sqliteTable(
  'webhook_deliveries',
  {
    id: text('id').primaryKey(),
    webhookId: text('webhook_id').notNull(),
    eventKey: text('event_key').notNull(),
    kind: text('kind').notNull(),
    text: text('text').notNull(),
    status: text('status', { enum: ['pending', 'delivered', 'failed'] }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    lastStatusCode: integer('last_status_code'),
    lastError: text('last_error'),
    nextAttemptAt: text('next_attempt_at'),
    deliveredAt: text('delivered_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('webhook_deliveries_event').on(t.webhookId, t.eventKey),
    index('webhook_deliveries_status').on(t.status),
  ],
);
