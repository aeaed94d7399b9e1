/** Small accessors handlers share, so each route reads the caller and county the same way. */
import type { Context } from 'hono';
import type { AuditEntry } from '../audit/audit';
import { auditValues, sealAuditLog } from '../audit/audit';
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

/** Chains the entries just written once the response is on its way. */
export function sealLater(c: Ctx, db: D1Database) {
  const work = sealAuditLog(db).catch(() => undefined);
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
