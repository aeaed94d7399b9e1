/** Small accessors handlers share, so each route reads the caller and county the same way. */
import type { Context } from 'hono';
import type { AuditEntry } from '../audit/audit';
import { auditValues, sealAuditLog, sealCountyLog, sealPlatformLog } from '../audit/audit';
import { auditLog } from '../audit/schema';
import type { CountyRow } from '../db/control-schema';
import type { AppEnv, CountyDb, Principal } from '../env';
import { todayIn } from './time';

export type Ctx = Context<AppEnv>;

/** The caller on a route whose rule requires sign-in (the middleware has already checked). */
export const principalOf = (c: Ctx): Principal => c.get('principal')!;

/** Who did it and under which request: the part of an audit entry every handler fills the same way. */
export const auditBy = (c: Ctx, entry: Omit<AuditEntry, 'actorUserId' | 'requestId'>): AuditEntry => ({
  ...entry,
  actorUserId: c.get('principal')?.user.id ?? null,
  requestId: c.get('requestId'),
});

/**
 * Chains the entries just written once the response is on its way, and anchors the log's newest
 * entry outside its database (ADR 0005): the platform's log (CONTROL_DB) in the counties'
 * databases, the request's county's log in the control database.
 */
export function sealLater(c: Ctx, db: D1Database) {
  const county = c.get('county');
  const seal =
    db === c.env.CONTROL_DB
      ? sealPlatformLog(c.env)
      : county && c.get('countyD1') === db
        ? sealCountyLog(c.env, county.slug, db)
        : // Not the request's county: sealed now, anchored by that county's job on its next tick.
          sealAuditLog(db);
  const work = seal.catch(() => undefined);
  try {
    c.executionCtx.waitUntil(work);
  } catch {
    // No execution context (a direct app.request() call): let the promise run on its own.
  }
}

/** What a county service needs from a request, without depending on Hono. */
export type CountyCtx = {
  db: CountyDb;
  d1: D1Database;
  county: CountyRow;
  actorUserId: string;
  requestId: string;
  dataKeySecret: string;
  /** Today in the county's timezone. */
  today: string;
};

export const countyCtx = (c: Ctx): CountyCtx => ({
  db: c.var.countyDb,
  d1: c.var.countyD1,
  county: c.var.county,
  actorUserId: c.var.principal!.user.id,
  requestId: c.get('requestId'),
  dataKeySecret: c.env.DATA_KEY_SECRET,
  today: todayIn(c.var.county.timezone),
});

/** An audit entry by the context's actor, for the county's own log. */
export const countyAudit = (k: CountyCtx, entry: Omit<AuditEntry, 'actorUserId' | 'requestId'>) =>
  k.db.insert(auditLog).values(auditValues({ ...entry, actorUserId: k.actorUserId, requestId: k.requestId }));
