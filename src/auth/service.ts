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

  const throttle = await env.CONTROL_DB.prepare('SELECT locked_until FROM login_throttle WHERE login_key = ?')
    .bind(loginKey)
    .first<{ locked_until: string | null }>();
  if (throttle?.locked_until && throttle.locked_until > now) {
    return {
      ok: false,
      reason: 'locked',
      retryAfterSeconds: Math.ceil((Date.parse(throttle.locked_until) - Date.parse(now)) / 1000),
    };
  }

  const user = (await db.select().from(users).where(eq(users.login, login)).limit(1))[0];
  const passwordOk = await verifyPassword(
    input.password,
    user?.passwordHash ?? DECOY_HASH,
    env.PASSWORD_PEPPER,
  );
  if (!user || !passwordOk || user.status !== 'active') {
    const windowStart = addMinutes(now, -cfg.lockoutWindowMinutes);
    const lockUntil = addMinutes(now, cfg.lockoutWindowMinutes);
    // One statement, so concurrent failures cannot lose a count.
    await env.CONTROL_DB.batch([
      env.CONTROL_DB.prepare(
        `INSERT INTO login_throttle (login_key, failures, window_started_at, locked_until) VALUES (?1, 1, ?2, CASE WHEN 1 >= ?4 THEN ?5 END)
         ON CONFLICT(login_key) DO UPDATE SET
           failures = CASE WHEN window_started_at < ?3 THEN 1 ELSE failures + 1 END,
           window_started_at = CASE WHEN window_started_at < ?3 THEN ?2 ELSE window_started_at END,
           locked_until = CASE WHEN (CASE WHEN window_started_at < ?3 THEN 1 ELSE failures + 1 END) >= ?4 THEN ?5 END`,
      ).bind(loginKey, now, windowStart, cfg.lockoutMaxFailures, lockUntil),
      auditStatement(env.CONTROL_DB, {
        actorUserId: user?.id ?? null,
        action: 'auth.login_failed',
        targetType: 'user',
        targetId: user?.id ?? null,
        requestId: input.requestId,
      }),
    ]);
    return { ok: false, reason: 'invalid' };
  }

  const { session, cookieSecret } = await createSession(db, user.id, cfg);
  await env.CONTROL_DB.batch([
    env.CONTROL_DB.prepare('DELETE FROM login_throttle WHERE login_key = ?').bind(loginKey),
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
