/**
 * Assertions inside a D1 batch. D1 has no interactive transactions, but a batch is atomic: if
 * any statement fails, none is applied. `batchAssert` adds a statement that fails (a CHECK
 * violation on the `batch_guard` table) unless a condition holds when it runs, so a
 * batch can be made conditional on what it finds: "only if the version is still 7", "only if
 * the ledger is not confirmed". Put it first: later statements then run only when it passed.
 */
import { type SQL, sql } from 'drizzle-orm';
import { check, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import type { CountyDb } from '../env';

export const batchGuard = sqliteTable(
  'batch_guard',
  {
    id: integer('id').primaryKey(),
    ok: integer('ok').notNull(),
    reason: text('reason'),
  },
  (t) => [check('batch_guard_never', sql`${t.ok} = 0`)],
);

export const GUARD_FAILED = 'batch_guard_never';

/**
 * A statement that aborts its batch unless `condition` is true. It upserts the single row
 * `id = 1` with `ok = 0` when the condition holds (a no-op after the first time) and `ok = 1`
 * when it does not, which the CHECK refuses: SQLite checks CHECK before the conflict clause.
 */
export const batchAssert = (db: CountyDb, condition: SQL, reason: string) =>
  db
    .insert(batchGuard)
    .values({ id: 1, ok: sql`CASE WHEN ${condition} THEN 0 ELSE 1 END`, reason })
    .onConflictDoNothing({ target: batchGuard.id });

/** Whether an error is a failed `batchAssert` (the batch was rolled back). */
export const isGuardFailure = (e: unknown) =>
  String(e).includes(GUARD_FAILED) || String(e).includes('CHECK constraint failed');
