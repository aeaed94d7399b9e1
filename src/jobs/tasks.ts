/**
 * The periodic work of one county. Each task is idempotent (safe to run twice: notifications
 * carry dedupe keys, snapshots are keyed by day) and reports counts for the run log.
 * Hourly tasks run on every tick; daily tasks once per county day.
 */
import { lt } from 'drizzle-orm';
import { idempotencyKeys } from '../activities/schema';
import { anchorStatement, PLATFORM_CHAIN, sealAuditLog, sealCountyLog } from '../audit/audit';
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
      // The county's log, anchored in the control database (every seal does this, ADR 0005):
      // deleting the tail of the log can then no longer go unnoticed.
      const county = await sealCountyLog(k.env, k.county.slug, k.d1);
      // The platform's log, anchored in this county's database: each county's tick keeps its
      // copy of the platform anchor current, whatever a write path's seal missed.
      const platform = await sealAuditLog(k.env.CONTROL_DB);
      if (platform.head) await anchorStatement(k.d1, PLATFORM_CHAIN, platform.head).run();
      return {
        sealed: county.sealed,
        anchorSeq: county.head?.seq ?? 0,
        anchorHash: county.head?.hash ?? '',
        platformSealed: platform.sealed,
        platformAnchorSeq: platform.head?.seq ?? 0,
      };
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
