/**
 * The periodic work of one county. Each task is idempotent (safe to run twice: notifications
 * carry dedupe keys, snapshots are keyed by day) and reports counts for the run log.
 * Hourly tasks run on every tick; daily tasks once per county day.
 */
import { lt } from 'drizzle-orm';
import { idempotencyKeys } from '../activities/schema';
import { sealAuditLog } from '../audit/audit';
import type { CountyRow } from '../db/control-schema';
import type { Bindings, CountyDb } from '../env';
import { purgeImportRows } from '../imports/service';
import type { CountyCtx } from '../lib/context';
import type { NewNotification } from '../notifications/service';

export type JobCtx = {
  env: Bindings;
  county: CountyRow;
  db: CountyDb;
  d1: D1Database;
  /** The county's civil date and the instant of this run: tasks never read the clock. */
  today: string;
  now: string;
  notify(items: readonly NewNotification[]): Promise<number>;
};

/** A county context for services called from a job: the actor is the system itself. */
export const jobCountyCtx = (k: JobCtx): CountyCtx => ({
  db: k.db,
  d1: k.d1,
  county: k.county,
  actorUserId: 'system:jobs',
  requestId: `job:${k.now}`,
  dataKeySecret: k.env.DATA_KEY_SECRET,
  today: k.today,
});

export type Task = {
  name: string;
  cadence: 'hourly' | 'daily';
  run(k: JobCtx): Promise<Record<string, number | string>>;
};

const IDEMPOTENCY_KEEP_HOURS = 48;
/** Uploaded rows of imports are kept this long for a dry run to be committed (ADR 0502). */
const IMPORT_ROWS_KEEP_DAYS = 7;

/** Core tasks; feature folders add theirs in src/jobs/registry.ts. */
export const CORE_TASKS: Task[] = [
  {
    name: 'seal-audit',
    cadence: 'hourly',
    async run(k) {
      const sealed = await sealAuditLog(k.d1);
      // The newest hash goes into the run log in the control database: deleting the tail of a
      // county's log can then no longer go unnoticed (ADR 0005).
      const last = await k.d1
        .prepare('SELECT seq, hash FROM audit_log WHERE hash IS NOT NULL ORDER BY seq DESC LIMIT 1')
        .first<{ seq: number; hash: string }>();
      return { sealed, anchorSeq: last?.seq ?? 0, anchorHash: last?.hash ?? '' };
    },
  },
  {
    name: 'purge-idempotency-keys',
    cadence: 'daily',
    async run(k) {
      const cutoff = new Date(Date.parse(k.now) - IDEMPOTENCY_KEEP_HOURS * 3600_000).toISOString();
      const deleted = await k.db
        .delete(idempotencyKeys)
        .where(lt(idempotencyKeys.createdAt, cutoff))
        .returning({ key: idempotencyKeys.key });
      return { purged: deleted.length };
    },
  },
  {
    name: 'purge-import-rows',
    cadence: 'daily',
    async run(k) {
      const before = new Date(Date.parse(k.now) - IMPORT_ROWS_KEEP_DAYS * 86_400_000).toISOString();
      return { purged: await purgeImportRows(k.db, before) };
    },
  },
];
