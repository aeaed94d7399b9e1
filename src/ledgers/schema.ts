import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { createdAt } from '../db/columns';

/**
 * 台账: one per provider × township × cycle, created on demand when its first activity is
 * recorded. draft → submitted → returned → submitted … → confirmed (then locked).
 */
export const ledgers = sqliteTable(
  'ledgers',
  {
    id: text('id').primaryKey(),
    providerId: text('provider_id').notNull(),
    townshipId: text('township_id').notNull(),
    /** The month in which the cycle ends, YYYY-MM. */
    cycle: text('cycle').notNull(),
    cycleStart: text('cycle_start').notNull(),
    cycleEnd: text('cycle_end').notNull(),
    dueBy: text('due_by').notNull(),
    status: text('status', { enum: ['draft', 'submitted', 'returned', 'confirmed'] })
      .notNull()
      .default('draft'),
    submittedAt: text('submitted_at'),
    submittedBy: text('submitted_by'),
    /** Submitted after `due_by` (in the county's timezone). */
    late: integer('late', { mode: 'boolean' }).notNull().default(false),
    returnedReason: text('returned_reason'),
    confirmedAt: text('confirmed_at'),
    confirmedBy: text('confirmed_by'),
    version: integer('version').notNull().default(1),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('ledgers_provider_township_cycle').on(t.providerId, t.townshipId, t.cycle),
    index('ledgers_cycle').on(t.cycle, t.status),
    index('ledgers_township').on(t.townshipId, t.cycle),
  ],
);

/** Every transition of a ledger, with who and why (return reasons are kept here too). */
export const ledgerEvents = sqliteTable(
  'ledger_events',
  {
    id: text('id').primaryKey(),
    ledgerId: text('ledger_id').notNull(),
    action: text('action', { enum: ['submit', 'return', 'confirm', 'amend'] }).notNull(),
    byUserId: text('by_user_id').notNull(),
    at: text('at').notNull(),
    reason: text('reason'),
    detail: text('detail'),
  },
  (t) => [index('ledger_events_ledger').on(t.ledgerId, t.at)],
);

export type LedgerRow = typeof ledgers.$inferSelect;
