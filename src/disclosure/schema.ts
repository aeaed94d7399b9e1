import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * 信息公开: each publication is a snapshot of the allowlisted disclosure document. The public
 * endpoint serves the latest one, so nothing reaches the public that the bureau did not publish.
 */
export const disclosures = sqliteTable('disclosures', {
  seq: integer('seq').primaryKey({ autoIncrement: true }),
  id: text('id').notNull().unique(),
  publishedBy: text('published_by').notNull(),
  publishedAt: text('published_at').notNull(),
  body: text('body', { mode: 'json' }).notNull().$type<Record<string, unknown>>(),
});
