/**
 * Server-side sessions. A request's principal, its memberships and the county it addresses are
 * read in one D1 batch (one round trip), which keeps an authenticated county read cheap.
 */
import { and, eq, inArray, isNull } from 'drizzle-orm';
import type { AppConfig } from '../config';
import { type ControlDb, controlDb } from '../db';
import {
  type CountyRow,
  counties,
  type MembershipRow,
  memberships,
  sessions,
  users,
} from '../db/control-schema';
import type { Bindings, Principal } from '../env';
import { newId, randomToken, sha256Hex } from '../lib/ids';
import { addMinutes, nowInstant, nowMs } from '../lib/time';
import type { Membership, Role } from './roles';

/** last_seen_at is rewritten at most this often, so reads stay reads. */
const TOUCH_EVERY_MS = 60_000;

export function toMembership(row: MembershipRow): Membership {
  return {
    id: row.id,
    county: row.county,
    role: row.role as Role,
    ...(row.providerId ? { providerId: row.providerId } : {}),
    ...(row.townshipIds ? { townshipIds: row.townshipIds } : {}),
  };
}

export async function createSession(db: ControlDb, userId: string, cfg: AppConfig) {
  const now = nowInstant();
  const cookieSecret = randomToken(32);
  const session = {
    id: newId(),
    userId,
    cookieHash: await sha256Hex(cookieSecret),
    csrfToken: randomToken(24),
    createdAt: now,
    lastSeenAt: now,
    expiresAt: addMinutes(now, cfg.sessionAbsoluteHours * 60),
    revokedAt: null,
  };
  await db.insert(sessions).values(session);
  return { session, cookieSecret };
}

/** A Bearer token names its session and user (both must agree); a cookie carries the session secret. */
export type SessionLookup = { sessionId: string; userId: string } | { cookieSecret: string };

export type LoadedContext = { principal: Principal | null; county: CountyRow | null };

/** Reads session, user, memberships and (optionally) the addressed county in one round trip. */
export async function loadRequestContext(
  env: Bindings,
  cfg: AppConfig,
  lookup: SessionLookup | null,
  countySlug: string | null,
): Promise<LoadedContext> {
  const db = controlDb(env);
  const countyQuery = db
    .select()
    .from(counties)
    .where(eq(counties.slug, countySlug ?? ''))
    .limit(1);
  if (!lookup) {
    const county = countySlug ? ((await countyQuery)[0] ?? null) : null;
    return { principal: null, county };
  }
  const sessionFilter =
    'sessionId' in lookup
      ? eq(sessions.id, lookup.sessionId)
      : eq(sessions.cookieHash, await sha256Hex(lookup.cookieSecret));
  // No joins: drizzle's D1 batch maps joined columns of the same name onto each other.
  const userOfSession = db.select({ id: sessions.userId }).from(sessions).where(sessionFilter);
  const [sessionRows, userRows, membershipRows, countyRows] = await db.batch([
    db
      .select()
      .from(sessions)
      .where(and(sessionFilter, isNull(sessions.revokedAt)))
      .limit(1),
    db.select().from(users).where(inArray(users.id, userOfSession)).limit(1),
    db.select().from(memberships).where(inArray(memberships.userId, userOfSession)),
    countyQuery,
  ]);
  const county = countyRows[0] ?? null;
  const session = sessionRows[0];
  const user = userRows[0];
  if (!session || !user || user.status !== 'active') return { principal: null, county };
  if ('userId' in lookup && lookup.userId !== user.id) return { principal: null, county };
  const now = nowMs();
  const idleLimit = Date.parse(session.lastSeenAt) + cfg.sessionIdleMinutes * 60_000;
  if (now >= Date.parse(session.expiresAt) || now >= idleLimit) return { principal: null, county };
  if (now - Date.parse(session.lastSeenAt) > TOUCH_EVERY_MS) {
    const seen = new Date(now).toISOString();
    await db.update(sessions).set({ lastSeenAt: seen }).where(eq(sessions.id, session.id));
    session.lastSeenAt = seen;
  }
  return {
    principal: {
      user,
      session: session,
      memberships: membershipRows.map(toMembership),
      via: 'sessionId' in lookup ? 'bearer' : 'cookie',
    },
    county,
  };
}

export async function revokeSession(db: ControlDb, sessionId: string): Promise<void> {
  await db.update(sessions).set({ revokedAt: nowInstant() }).where(eq(sessions.id, sessionId));
}

export async function revokeUserSessions(db: ControlDb, userId: string): Promise<void> {
  await db
    .update(sessions)
    .set({ revokedAt: nowInstant() })
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt)));
}
