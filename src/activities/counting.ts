/**
 * Which activities count, for statistics, settlement and compliance (docs/adr/0102). A voided
 * activity never counts. An amendment replaces the activity it amends: the original stays in its
 * confirmed ledger unchanged, but once an amendment exists it counts instead — on the `recorded`
 * basis at once, on the `confirmed` basis once the amendment's own ledger is confirmed.
 */
import { and, eq, isNotNull, type SQL, sql } from 'drizzle-orm';
import { activities } from './schema';

/** Basis `recorded`: active, and not replaced by an active amendment. */
export const countsRecorded = (): SQL =>
  and(
    eq(activities.status, 'active'),
    sql`NOT EXISTS (SELECT 1 FROM activities AS m WHERE m.amends = ${activities.id} AND m.status = 'active')`,
  )!;

/** Basis `confirmed`: active, in a confirmed ledger, and not replaced by a confirmed amendment. */
export const countsConfirmed = (): SQL =>
  and(
    eq(activities.status, 'active'),
    isNotNull(activities.ledgerId),
    sql`EXISTS (SELECT 1 FROM ledgers AS l WHERE l.id = ${activities.ledgerId} AND l.status = 'confirmed')`,
    sql`NOT EXISTS (SELECT 1 FROM activities AS m JOIN ledgers AS ml ON ml.id = m.ledger_id
          WHERE m.amends = ${activities.id} AND m.status = 'active' AND ml.status = 'confirmed')`,
  )!;
