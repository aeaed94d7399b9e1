/** Signing in: password check, lockout, session creation. Shared by the API and the login page. */
import { eq } from 'drizzle-orm';
import { auditStatement } from '../audit/audit';
import type { AppConfig } from '../config';
import { controlDb } from '../db';
import { memberships, users } from '../db/control-schema';
import type { Bindings } from '../env';
import { sha256Hex } from '../lib/ids';
import { addMinutes, nowInstant } from '../lib/time';
import { DECOY_HASH, verifyPassword } from './passwords';
import type { Membership } from './roles';
import { createSession, toMembership } from './sessions';
import { signAccessToken } from './tokens';

export type SignedIn = {
  accessToken: string;
  expiresIn: number;
  cookieSecret: string;
  csrfToken: string;
  user: { id: string; login: string; displayName: string };
  memberships: Membership[];
};

export type SignInResult =
  | { ok: true; value: SignedIn }
  | { ok: false; reason: 'invalid' | 'locked'; retryAfterSeconds?: number };

export const normalizeLogin = (login: string) => login.trim().toLowerCase();

/**
 * Counts this attempt in the login's window and answers whether it may be checked, in one
 * statement: D1 runs statements one at a time, so however many attempts arrive at once, only
 * the first `lockoutMaxFailures` of a window see a count within the allowance and get a password
 * check; every later one, the right password included, is refused until the window (started by
 * its first attempt) has passed. Counting only after a failed check let concurrent attempts all
 * read the counter before any of them had written to it.
 */
async function countAttempt(
  env: Bindings,
  cfg: AppConfig,
  loginKey: string,
  now: string,
): Promise<{ allowed: boolean; windowStartedAt: string; retryAfterSeconds: number }> {
  const windowStart = addMinutes(now, -cfg.lockoutWindowMinutes);
  const row = await env.CONTROL_DB.prepare(
    `INSERT INTO login_throttle (login_key, failures, window_started_at) VALUES (?1, 1, ?2)
     ON CONFLICT(login_key) DO UPDATE SET
       failures = CASE WHEN window_started_at < ?3 THEN 1 ELSE failures + 1 END,
       window_started_at = CASE WHEN window_started_at < ?3 THEN ?2 ELSE window_started_at END
     RETURNING failures, window_started_at`,
  )
    .bind(loginKey, now, windowStart)
    .first<{ failures: number; window_started_at: string }>();
  // RETURNING always gives the row; refuse rather than check a password without a count.
  if (!row) return { allowed: false, windowStartedAt: now, retryAfterSeconds: cfg.lockoutWindowMinutes * 60 };
  const windowEnds = addMinutes(row.window_started_at, cfg.lockoutWindowMinutes);
  return {
    allowed: row.failures <= cfg.lockoutMaxFailures,
    windowStartedAt: row.window_started_at,
    retryAfterSeconds: Math.max(1, Math.ceil((Date.parse(windowEnds) - Date.parse(now)) / 1000)),
  };
}

/**
 * The same path for an unknown login and a wrong password: same answer, same PBKDF2 cost, and
 * the same lockout counter (kept per login, whether or not it exists).
 */
export async function signIn(
  env: Bindings,
  cfg: AppConfig,
  input: { login: string; password: string; requestId: string },
): Promise<SignInResult> {
  const db = controlDb(env);
  const login = normalizeLogin(input.login);
  const loginKey = await sha256Hex(`login:${login}`);
  const now = nowInstant();

  const attempt = await countAttempt(env, cfg, loginKey, now);
  if (!attempt.allowed) {
    return { ok: false, reason: 'locked', retryAfterSeconds: attempt.retryAfterSeconds };
  }

  const user = (await db.select().from(users).where(eq(users.login, login)).limit(1))[0];
  const passwordOk = await verifyPassword(
    input.password,
    user?.passwordHash ?? DECOY_HASH,
    env.PASSWORD_PEPPER,
  );
  if (!user || !passwordOk || user.status !== 'active') {
    // The attempt is already counted: a failure only leaves its audit entry.
    await auditStatement(env.CONTROL_DB, {
      actorUserId: user?.id ?? null,
      action: 'auth.login_failed',
      targetType: 'user',
      targetId: user?.id ?? null,
      requestId: input.requestId,
    }).run();
    return { ok: false, reason: 'invalid' };
  }

  const { session, cookieSecret } = await createSession(db, user.id, cfg);
  await env.CONTROL_DB.batch([
    // A success gives back its own attempt and no more: someone who signs in often is never
    // locked out by it, and the failures of the window (someone guessing) still count, so a
    // real sign-in in the middle of a guessing burst does not hand the guesser a new allowance.
    env.CONTROL_DB.prepare(
      'UPDATE login_throttle SET failures = failures - 1 WHERE login_key = ? AND window_started_at = ? AND failures > 0',
    ).bind(loginKey, attempt.windowStartedAt),
    auditStatement(env.CONTROL_DB, {
      actorUserId: user.id,
      action: 'auth.login',
      targetType: 'session',
      targetId: session.id,
      requestId: input.requestId,
    }),
  ]);
  const rows = await db.select().from(memberships).where(eq(memberships.userId, user.id));
  return {
    ok: true,
    value: {
      accessToken: await signAccessToken(
        env.JWT_PRIVATE_KEYS,
        { userId: user.id, sessionId: session.id },
        cfg.accessTokenTtlSeconds,
      ),
      expiresIn: cfg.accessTokenTtlSeconds,
      cookieSecret,
      csrfToken: session.csrfToken,
      user: publicUser(user),
      memberships: rows.map(toMembership),
    },
  };
}

export const publicUser = (u: { id: string; login: string; displayName: string }) => ({
  id: u.id,
  login: u.login,
  displayName: u.displayName,
});
