import { integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * The county's compliance as the daily job saw it: per day, requirement and township, how many
 * windows were met, short or still open. Dashboards draw trends from it and the evaluation reads
 * it as evidence; it is rewritten, not appended, when the job runs twice on a day.
 */
export const complianceSnapshots = sqliteTable(
  'compliance_snapshots',
  {
    day: text('day').notNull(),
    requirementId: text('requirement_id').notNull(),
    townshipId: text('township_id').notNull(),
    total: integer('total').notNull(),
    met: integer('met').notNull(),
    short: integer('short').notNull(),
    open: integer('open').notNull(),
  },
  (t) => [primaryKey({ columns: [t.day, t.requirementId, t.townshipId] })],
);
