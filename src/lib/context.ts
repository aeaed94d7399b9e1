/** Small accessors handlers share, so each route reads the caller and county the same way. */
import type { Context } from 'hono';
import type { AuditEntry } from '../audit/audit';
import { sealAuditLog } from '../audit/audit';
import type { AppEnv, Principal } from '../env';

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
