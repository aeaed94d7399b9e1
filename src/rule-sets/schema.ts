import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { createdAt } from '../db/columns';

/**
 * Versions of the county's rule set. The document itself (API.md "Rule sets") is stored as JSON
 * in `body`; `effective_from` and `status` are copied out so the history can be read by SQL.
 * Published versions are never changed: a change is a new version.
 */
export const ruleSets = sqliteTable(
  'rule_sets',
  {
    id: text('id').primaryKey(),
    version: integer('version').notNull().unique(),
    status: text('status', { enum: ['draft', 'published', 'discarded'] }).notNull(),
    name: text('name').notNull(),
    effectiveFrom: text('effective_from').notNull(),
    body: text('body', { mode: 'json' }).notNull().$type<Record<string, unknown>>(),
    /** The version this draft started from, for the diff an admin reviews before publishing. */
    basedOn: text('based_on'),
    createdBy: text('created_by'),
    createdAt: createdAt(),
    updatedAt: text('updated_at'),
    publishedBy: text('published_by'),
    publishedAt: text('published_at'),
  },
  (t) => [index('rule_sets_status').on(t.status, t.effectiveFrom, t.publishedAt)],
);

export type RuleSetRow = typeof ruleSets.$inferSelect;
