/**
 * The gate every request passes: find the route's rule in the permission table, load the
 * caller and the addressed county (one D1 round trip), and refuse what the rule does not allow.
 */
import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { matchedRoutes } from 'hono/route';
import { appConfig } from '../config';
import { countyDatabase, countyDrizzle } from '../db';
import type { AppEnv, Principal } from '../env';
import { timingSafeEqual } from '../lib/ids';
import { forbidden, notFound, Problem } from '../lib/problem';
import { PERMISSIONS, type Rule, ruleKey } from './permissions';
import { loadRequestContext, type SessionLookup } from './sessions';
import { verifyAccessToken } from './tokens';

export const SESSION_COOKIE = '__Host-bj_session';
export const CSRF_HEADER = 'x-csrf-token';
export const CSRF_FIELD = '_csrf';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The route that will answer: the first matched route registered for a method, not `use()`. */
function handlerRoute(c: Parameters<MiddlewareHandler<AppEnv>>[0]) {
  return matchedRoutes(c).find((r) => r.method !== 'ALL');
}

/** The `:county` segment of the request path, read against the route's pattern. */
function countyParam(pattern: string, path: string): string | null {
  const at = pattern.split('/').indexOf(':county');
  if (at < 0) return null;
  const segment = path.split('/')[at];
  return segment ? decodeURIComponent(segment) : null;
}

async function credentials(
  c: Parameters<MiddlewareHandler<AppEnv>>[0],
): Promise<SessionLookup | null | 'invalid'> {
  const header = c.req.header('authorization');
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) return 'invalid';
    const cfg = appConfig(c.env);
    const claims = await verifyAccessToken(c.env.JWT_PRIVATE_KEYS, match[1]!, cfg.accessTokenTtlSeconds);
    return claims ?? 'invalid';
  }
  const cookie = getCookie(c, SESSION_COOKIE);
  return cookie ? { cookieSecret: cookie } : null;
}

const isPage = (path: string) => !path.startsWith('/api/');

export const authorize: MiddlewareHandler<AppEnv> = async (c, next) => {
  c.set('principal', null);
  const route = handlerRoute(c);
  if (!route) return next(); // no such route: the app's 404
  const rule: Rule | undefined = PERMISSIONS[ruleKey(route.method, route.path)];
  if (!rule) {
    console.error(
      JSON.stringify({ level: 'error', msg: 'route without permission entry', route: route.path }),
    );
    throw forbidden('This route has no permission entry.');
  }

  const slug = countyParam(route.path, c.req.path);
  const found = await credentials(c);
  const lookup = found === 'invalid' ? null : found;
  const { principal, county } = await loadRequestContext(c.env, appConfig(c.env), lookup, slug);
  c.set('principal', principal);

  if (rule.access === 'public') return next();

  if (!principal) {
    if (isPage(c.req.path) && c.req.method === 'GET') {
      return c.redirect(`/login?next=${encodeURIComponent(c.req.path)}`, 303);
    }
    throw new Problem(401, 'Sign in first: the access token or session is missing, invalid or expired.', {
      headers: { 'www-authenticate': 'Bearer' },
    });
  }
  if (principal.via === 'cookie' && !SAFE_METHODS.has(c.req.method)) await checkCsrf(c, principal);

  if (rule.access === 'signed_in') return next();
  const isOperator = principal.memberships.some((m) => m.role === 'platform_operator');
  if (rule.access === 'platform') {
    if (!isOperator) throw forbidden('Only the platform operator may do this.');
    return next();
  }

  // County routes: the county must exist and be active, then the caller needs a role in it.
  if (!county || county.status !== 'active') throw notFound('county');
  const mine = principal.memberships.filter(
    (m) => m.county === county.slug && rule.roles.includes(m.role as never),
  );
  if (mine.length === 0 && !(rule.platformOperator && isOperator)) {
    throw forbidden(
      principal.memberships.some((m) => m.county === county.slug)
        ? 'Your role in this county may not do this.'
        : 'You have no role in this county.',
    );
  }
  c.set('county', county);
  c.set('countyMemberships', mine);
  const d1 = countyDatabase(c.env, county);
  c.set('countyD1', d1);
  c.set('countyDb', countyDrizzle(d1));
  return next();
};

async function checkCsrf(c: Parameters<MiddlewareHandler<AppEnv>>[0], principal: Principal) {
  let token = c.req.header(CSRF_HEADER);
  if (
    !token &&
    /^(application\/x-www-form-urlencoded|multipart\/form-data)/.test(c.req.header('content-type') ?? '')
  ) {
    const form = await c.req.parseBody();
    token = typeof form[CSRF_FIELD] === 'string' ? form[CSRF_FIELD] : undefined;
  }
  if (!token || !timingSafeEqual(token, principal.session.csrfToken)) {
    throw forbidden('The CSRF token is missing or wrong; reload the page and try again.');
  }
}
