import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** One run of a county's background job: what ran, how long, what failed (no personal data). */
export const jobRuns = sqliteTable(
  'job_runs',
  {
    id: text('id').primaryKey(),
    county: text('county').notNull(),
    /** `scheduled` from the cron fan-out, `manual` from the operator's "run now". */
    trigger: text('trigger', { enum: ['scheduled', 'manual'] }).notNull(),
    /** The county day the run belongs to: daily tasks run once per day. */
    day: text('day').notNull(),
    status: text('status', { enum: ['running', 'ok', 'failed'] }).notNull(),
    startedAt: text('started_at').notNull(),
    finishedAt: text('finished_at'),
    durationMs: integer('duration_ms'),
    /** Which tasks ran and their counts, as JSON. */
    summary: text('summary'),
    /** The failing task and the error's kind; messages can carry data, so they are not kept. */
    error: text('error'),
  },
  (t) => [
    index('job_runs_county').on(t.county, t.startedAt),
    index('job_runs_day').on(t.county, t.day, t.status),
  ],
);
