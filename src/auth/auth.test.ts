import { env } from 'cloudflare:workers';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { CookieClient } from '../../test/helpers/browser-like';
import { call, freshLogin, tokenFor } from '../../test/helpers/http';
import { OFF_SITE_TARGETS } from '../../test/helpers/redirects';
import { appConfig } from '../config';
import { DEMO_PASSWORD } from '../demo/data';
import { sha256Hex } from '../lib/ids';
import { nowMs } from '../lib/time';
import { hashPassword, PBKDF2_ITERATIONS, verifyPassword } from './passwords';

const sessionOf = (accessToken: string) => decodeJwt(accessToken).sid as string;

describe('POST /api/v1/auth/login', () => {
  it('answers with a token, the user and the memberships of API.md, and sets the session cookie', async () => {
    const r = await freshLogin('provider.worker');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      accessToken: expect.any(String),
      tokenType: 'Bearer',
      expiresIn: 900,
      user: { id: 'u-provider-worker', login: 'provider.worker', displayName: expect.any(String) },
    });
    expect(r.body.memberships).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ county: 'deqing', role: 'provider_worker', providerId: 'chenxi' }),
        expect.objectContaining({ county: 'anji', role: 'provider_worker', providerId: 'chenxi' }),
      ]),
    );
    const cookie = r.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^__Host-bj_session=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/Secure/i);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).not.toMatch(/Domain=/i);
  });

  it('gives the township scope of an office officer', async () => {
    const r = await freshLogin('deqing.office.wukang');
    expect(r.body.memberships).toEqual([
      expect.objectContaining({ county: 'deqing', role: 'office_officer', townshipIds: ['wukang'] }),
    ]);
  });

  it('answers an unknown login exactly like a wrong password', async () => {
    const wrong = await freshLogin('deqing.admin', 'not-the-password');
    const unknown = await freshLogin('nobody.here', 'not-the-password');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const strip = (b: Record<string, unknown>) => ({ ...b, requestId: undefined });
    expect(strip(unknown.body)).toEqual(strip(wrong.body));
    expect(unknown.headers.get('set-cookie')).toBeNull();
  });

  it('treats the login case-insensitively', async () => {
    expect((await freshLogin('Deqing.Admin')).status).toBe(200);
  });

  it('locks a login after 5 failures, even against the right password, and unknown logins alike', async () => {
    for (let i = 0; i < 5; i++) expect((await freshLogin('deqing.finance', `wrong-${i}`)).status).toBe(401);
    const locked = await freshLogin('deqing.finance', DEMO_PASSWORD);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);

    for (let i = 0; i < 5; i++) expect((await freshLogin('ghost.user', `wrong-${i}`)).status).toBe(401);
    expect((await freshLogin('ghost.user', 'whatever')).status).toBe(429);
  });

  it('forgets old failures once the lockout window has passed', async () => {
    for (let i = 0; i < 4; i++) await freshLogin('deqing.evaluator', 'wrong');
    // Age the window: the next failure starts a new count instead of locking.
    await env.CONTROL_DB.prepare(
      "UPDATE login_throttle SET window_started_at = '2000-01-01T00:00:00.000Z'",
    ).run();
    expect((await freshLogin('deqing.evaluator', 'wrong')).status).toBe(401);
    expect((await freshLogin('deqing.evaluator', DEMO_PASSWORD)).status).toBe(200);
  });

  it('checks at most the allowance of passwords in a window however many arrive at once', async () => {
    // A login of its own, so the lockout it ends in touches no other test.
    const login = 'burst.target';
    const password = 'burst-target-password';
    const created = await call('POST', '/api/v1/counties/deqing/users', {
      token: await tokenFor('deqing.admin'),
      body: { login, displayName: '并发测试', password, role: 'bureau_officer' },
    });
    expect(created.status, created.text).toBe(201);
    const userId = (await env.CONTROL_DB.prepare('SELECT id FROM users WHERE login = ?').bind(login).first<{
      id: string;
    }>())!.id;
    const loginKey = await sha256Hex(`login:${login}`);
    const counted = async () =>
      (
        await env.CONTROL_DB.prepare('SELECT failures FROM login_throttle WHERE login_key = ?')
          .bind(loginKey)
          .first<{ failures: number }>()
      )?.failures ?? 0;
    const { lockoutMaxFailures: max } = appConfig(env);

    const burst = Promise.all(
      Array.from({ length: 50 }, (_, i) => freshLogin(login, `wrong-${i}`).then((r) => r.status)),
    );
    // The right password once the allowance is spent, while the burst may still be in flight.
    while ((await counted()) < max) await new Promise((r) => setTimeout(r, 1));
    const during = await freshLogin(login, password);
    const statuses = await burst;
    const after = await freshLogin(login, password);

    // Each 401 is a real PBKDF2 check; each one left an audit entry of its own.
    const checks = statuses.filter((s) => s === 401).length;
    const audited = await env.CONTROL_DB.prepare(
      "SELECT count(*) AS n FROM audit_log WHERE action = 'auth.login_failed' AND actor_user_id = ?",
    )
      .bind(userId)
      .first<{ n: number }>();
    expect(checks).toBeGreaterThan(0);
    expect(checks).toBeLessThanOrEqual(max);
    expect(audited!.n).toBe(checks);
    expect(statuses.filter((s) => s === 429).length).toBe(50 - checks);
    expect(during.status).toBe(429);
    expect(after.status).toBe(429);
    expect(Number(after.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(after.headers.get('set-cookie')).toBeNull();

    // Once the window has passed the right password gets in again.
    await env.CONTROL_DB.prepare(
      "UPDATE login_throttle SET window_started_at = '2000-01-01T00:00:00.000Z' WHERE login_key = ?",
    )
      .bind(loginKey)
      .run();
    expect((await freshLogin(login, password)).status).toBe(200);
  });

  it('holds an unknown login to the same allowance under a concurrent burst', async () => {
    const statuses = await Promise.all(
      Array.from({ length: 50 }, (_, i) => freshLogin('nobody.in.burst', `wrong-${i}`).then((r) => r.status)),
    );
    const checks = statuses.filter((s) => s === 401).length;
    expect(checks).toBeGreaterThan(0);
    expect(checks).toBeLessThanOrEqual(appConfig(env).lockoutMaxFailures);
    expect(statuses.filter((s) => s === 429).length).toBe(50 - checks);
  });

  it('does not spend the allowance on successful sign-ins', async () => {
    // deqing.civil signs in nowhere else in this file.
    for (let i = 0; i < 8; i++) expect((await freshLogin('deqing.civil')).status).toBe(200);
    for (let i = 0; i < 4; i++) expect((await freshLogin('deqing.civil', 'wrong')).status).toBe(401);
    expect((await freshLogin('deqing.civil')).status).toBe(200);
    // A success refunds only its own attempt: the four failures still count.
    expect((await freshLogin('deqing.civil', 'wrong')).status).toBe(401);
    expect((await freshLogin('deqing.civil')).status).toBe(429);
  });

  it('validates the body strictly', async () => {
    const r = await call('POST', '/api/v1/auth/login', {
      body: { login: 'x', password: 'y', remember: true },
    });
    expect(r.status).toBe(400);
    expect(r.body.errors[0].message).toMatch(/remember/);
  });

  it('leaves an audit entry for a sign-in and for a failure, without the password', async () => {
    await freshLogin('anji.admin', 'secret-typed-wrong');
    await freshLogin('anji.admin');
    const { results } = await env.CONTROL_DB.prepare(
      "SELECT action, detail FROM audit_log WHERE actor_user_id = 'u-anji-admin' ORDER BY seq",
    ).all<{ action: string; detail: string | null }>();
    expect(results.map((r) => r.action)).toEqual(expect.arrayContaining(['auth.login_failed', 'auth.login']));
    expect(JSON.stringify(results)).not.toContain('secret-typed-wrong');
  });
});

describe('sessions', () => {
  it('ends at once on logout', async () => {
    const { body } = await freshLogin('deqing.officer');
    expect((await call('POST', '/api/v1/auth/logout', { token: body.accessToken })).status).toBe(204);
    expect((await call('GET', '/api/v1/me', { token: body.accessToken })).status).toBe(401);
  });

  it('ends after 30 idle minutes', async () => {
    const { body } = await freshLogin('deqing.officer');
    const idle = new Date(nowMs() - 31 * 60_000).toISOString();
    await env.CONTROL_DB.prepare('UPDATE sessions SET last_seen_at = ? WHERE id = ?')
      .bind(idle, sessionOf(body.accessToken))
      .run();
    expect((await call('GET', '/api/v1/me', { token: body.accessToken })).status).toBe(401);
  });

  it('ends at its absolute limit however active it is', async () => {
    const { body } = await freshLogin('deqing.officer');
    const past = new Date(nowMs() - 1000).toISOString();
    await env.CONTROL_DB.prepare('UPDATE sessions SET expires_at = ? WHERE id = ?')
      .bind(past, sessionOf(body.accessToken))
      .run();
    expect((await call('GET', '/api/v1/me', { token: body.accessToken })).status).toBe(401);
  });

  it('is kept alive by use (last seen moves forward)', async () => {
    const { body } = await freshLogin('deqing.officer');
    const id = sessionOf(body.accessToken);
    const earlier = new Date(nowMs() - 20 * 60_000).toISOString();
    await env.CONTROL_DB.prepare('UPDATE sessions SET last_seen_at = ? WHERE id = ?').bind(earlier, id).run();
    expect((await call('GET', '/api/v1/me', { token: body.accessToken })).status).toBe(200);
    const row = await env.CONTROL_DB.prepare('SELECT last_seen_at FROM sessions WHERE id = ?')
      .bind(id)
      .first<{ last_seen_at: string }>();
    expect(row!.last_seen_at > earlier).toBe(true);
  });

  it('ends when the user is disabled', async () => {
    const { body } = await freshLogin('deqing.evaluator');
    await env.CONTROL_DB.prepare(
      "UPDATE users SET status = 'disabled' WHERE login = 'deqing.evaluator'",
    ).run();
    expect((await call('GET', '/api/v1/me', { token: body.accessToken })).status).toBe(401);
    expect((await freshLogin('deqing.evaluator')).status).toBe(401);
    await env.CONTROL_DB.prepare("UPDATE users SET status = 'active' WHERE login = 'deqing.evaluator'").run();
  });
});

describe('passwords', () => {
  it('uses PBKDF2-SHA-256 at 100,000 iterations, the most the Workers runtime allows', async () => {
    expect(PBKDF2_ITERATIONS).toBe(100_000);
    const stored = await hashPassword('correct horse', 'pepper');
    expect(stored.split('$').slice(0, 2)).toEqual(['pbkdf2-sha256', '100000']);
    // Deployed Workers throw above 100,000 iterations; local workerd does not, so the app
    // itself refuses any other count rather than accept a hash production could not check.
    const [scheme, , salt, hash] = stored.split('$');
    expect(await verifyPassword('correct horse', stored, 'pepper')).toBe(true);
    expect(await verifyPassword('correct horse', `${scheme}$100001$${salt}$${hash}`, 'pepper')).toBe(false);
    expect(await verifyPassword('correct horse', `${scheme}$99999$${salt}$${hash}`, 'pepper')).toBe(false);
  });

  it('needs the pepper: the same password with another pepper does not verify', async () => {
    const stored = await hashPassword('correct horse', 'pepper-a');
    expect(await verifyPassword('correct horse', stored, 'pepper-a')).toBe(true);
    expect(await verifyPassword('correct horse', stored, 'pepper-b')).toBe(false);
    expect(await verifyPassword('correct horsf', stored, 'pepper-a')).toBe(false);
  });

  it('salts every hash', async () => {
    expect(await hashPassword('same', 'p')).not.toBe(await hashPassword('same', 'p'));
  });
});

describe('pages: cookie sessions and CSRF', () => {
  it('signs in through the form and lands on the county console', async () => {
    const browser = new CookieClient();
    const login = await browser.fetch('POST', '/login', {
      form: { login: 'deqing.admin', password: DEMO_PASSWORD },
    });
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/c/deqing/');
    const page = await browser.fetch('GET', '/c/deqing/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('德清县');
    expect(page.text).toContain('县司法局管理员');
  });

  it('shows the sign-in page in Chinese, and in English on request', async () => {
    const zh = await call('GET', '/login');
    expect(zh.text).toContain('lang="zh-CN"');
    expect(zh.text).toContain('登录');
    const en = await call('GET', '/login?lang=en');
    expect(en.text).toContain('Sign in');
  });

  it('re-shows the form with an error for a wrong password', async () => {
    const browser = new CookieClient();
    const r = await browser.fetch('POST', '/login', { form: { login: 'deqing.admin', password: 'nope' } });
    expect(r.status).toBe(401);
    expect(r.text).toContain('账号或密码错误');
    expect(browser.cookies.size).toBe(0);
  });

  it('redirects a signed-out visitor of the console to the sign-in page', async () => {
    const r = await call('GET', '/c/deqing/');
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('/login?next=%2Fc%2Fdeqing%2F');
  });

  it('refuses a cross-site form post', async () => {
    const browser = new CookieClient();
    const r = await browser.fetch('POST', '/login', {
      form: { login: 'deqing.admin', password: DEMO_PASSWORD },
      headers: { origin: 'https://evil.example' },
    });
    expect(r.status).toBe(403);
  });

  it('needs the CSRF token for a cookie-authenticated write, and accepts it', async () => {
    const browser = new CookieClient();
    await browser.fetch('POST', '/login', { form: { login: 'deqing.admin', password: DEMO_PASSWORD } });
    const csrf = CookieClient.csrfOf((await browser.fetch('GET', '/c/deqing/')).text);

    const without = await browser.fetch('POST', '/api/v1/counties/deqing/townships', {
      json: { name: '测试镇甲' },
    });
    expect(without.status).toBe(403);
    const wrong = await browser.fetch('POST', '/api/v1/counties/deqing/townships', {
      json: { name: '测试镇甲' },
      headers: { 'x-csrf-token': 'forged' },
    });
    expect(wrong.status).toBe(403);
    const right = await browser.fetch('POST', '/api/v1/counties/deqing/townships', {
      json: { name: '测试镇甲' },
      headers: { 'x-csrf-token': csrf },
    });
    expect(right.status).toBe(201);
  });

  it('signs out through the form and the cookie stops working', async () => {
    const browser = new CookieClient();
    await browser.fetch('POST', '/login', { form: { login: 'deqing.admin', password: DEMO_PASSWORD } });
    const csrf = CookieClient.csrfOf((await browser.fetch('GET', '/c/deqing/')).text);
    const cookie = [...browser.cookies][0]!;
    const out = await browser.fetch('POST', '/logout', { form: { _csrf: csrf } });
    expect(out.status).toBe(303);
    // Replaying the old cookie after logout: the session row is revoked.
    const replay = await call('GET', '/api/v1/me', { headers: { cookie: `${cookie[0]}=${cookie[1]}` } });
    expect(replay.status).toBe(401);
  });

  it('does not redirect to another site after sign-in', async () => {
    const browser = new CookieClient();
    const r = await browser.fetch('POST', '/login', {
      form: { login: 'deqing.admin', password: DEMO_PASSWORD, next: '//evil.example/x' },
    });
    expect(r.headers.get('location')).toBe('/c/deqing/');
  });

  it('after sign-in follows only a path of this site, and falls back to the console home', async () => {
    for (const next of OFF_SITE_TARGETS) {
      const r = await new CookieClient().fetch('POST', '/login', {
        form: { login: 'deqing.admin', password: DEMO_PASSWORD, next },
      });
      expect([r.status, r.headers.get('location')], JSON.stringify(next)).toEqual([303, '/c/deqing/']);
    }
    const kept = await new CookieClient().fetch('POST', '/login', {
      form: { login: 'deqing.admin', password: DEMO_PASSWORD, next: '/c/deqing/supervisees?status=active' },
    });
    expect(kept.headers.get('location')).toBe('/c/deqing/supervisees?status=active');
  });

  it('does not carry an off-site next into the sign-in form, nor fail on a newline in it', async () => {
    for (const next of OFF_SITE_TARGETS) {
      const r = await call('GET', `/login?next=${encodeURIComponent(next)}`);
      expect(r.status, JSON.stringify(next)).toBe(200);
      expect(r.text).not.toContain('name="next"');
    }
    // A wrong password re-shows the form: the bad next is dropped there too, never a 500.
    const wrong = await new CookieClient().fetch('POST', '/login', {
      form: { login: 'anji.admin', password: 'nope', next: '/\n/evil.example' },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.text).not.toContain('name="next"');
    const kept = await call('GET', `/login?next=${encodeURIComponent('/c/deqing/ledgers')}`);
    expect(kept.text).toContain('name="next" value="/c/deqing/ledgers"');
  });
});
