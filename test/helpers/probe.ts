/**
 * What the cross-county and fuzz suites need to call any route: a demo login per role, the
 * parameters to fill in, and a plausible body for each write (so a probe gets past validation
 * and reaches the data). New routes add their sample body here.
 */
import { PERMISSIONS, type Rule, ruleKey } from '../../src/auth/permissions';
import type { CountyRole } from '../../src/auth/roles';
import { DEMO_USERS } from '../../src/demo/data';
import { deqing2017 } from '../../src/rules';
import { superviseeBody } from './fixtures';

export const LOGIN_FOR_ROLE: Record<string, Partial<Record<CountyRole | 'platform_operator', string>>> = {};
for (const u of DEMO_USERS) {
  for (const m of u.memberships) {
    const county = m.county ?? '*';
    LOGIN_FOR_ROLE[county] ??= {};
    LOGIN_FOR_ROLE[county][m.role] ??= u.login;
  }
}

export const ALL_LOGINS = DEMO_USERS.map((u) => u.login);

/** A login allowed by the rule in `county`, or null when the demo has none. */
export function allowedLogin(rule: Rule, county = 'deqing'): string | null {
  if (rule.access === 'public' || rule.access === 'signed_in') return 'deqing.admin';
  if (rule.access === 'platform') return 'platform.operator';
  for (const role of rule.roles) {
    const login = LOGIN_FOR_ROLE[county]?.[role];
    if (login) return login;
  }
  return rule.platformOperator ? 'platform.operator' : null;
}

let counter = 0;
const unique = () => `${Date.now().toString(36)}${(counter++).toString(36)}`;

/** Plausible bodies per route key; `{}` for the rest. */
export function sampleBody(method: string, path: string): unknown {
  const key = ruleKey(method, path);
  switch (key) {
    case 'POST /api/v1/counties/:county/townships':
      return { name: `探针镇${unique()}` };
    case 'POST /api/v1/counties/:county/users':
      return {
        login: `probe.${unique()}`,
        displayName: '探针',
        password: 'probe-password-1',
        role: 'auditor',
      };
    case 'PATCH /api/v1/counties/:county/memberships/:id':
      return { role: 'auditor' };
    case 'POST /api/v1/counties/:county/rule-sets':
    case 'POST /api/v1/counties/:county/rule-sets/validate':
    case 'PUT /api/v1/counties/:county/rule-sets/:id':
      return structuredClone(deqing2017);
    case 'POST /api/v1/counties/:county/supervisees':
      return superviseeBody();
    case 'PATCH /api/v1/counties/:county/supervisees/:id':
      return { crimeType: '探针' };
    case 'POST /api/v1/counties/:county/supervisees/:id/levels':
      return { level: 'normal', effectiveFrom: '2026-02-01', reason: '探针' };
    case 'POST /api/v1/counties/:county/supervisees/:id/assignments':
      return { providerId: 'chenxi', from: '2026-01-01' };
    case 'PATCH /api/v1/counties/:county/assignments/:id':
      return { to: '2026-12-31' };
    case 'POST /api/v1/counties/:county/activity-types':
      return { code: `probe_${unique()}`, labelZh: '探针' };
    case 'POST /api/v1/counties/:county/activities':
      return { type: 'legal_publicity', occurredOn: '2026-03-10', durationMinutes: 60, townshipId: 'wukang' };
    case 'PATCH /api/v1/counties/:county/activities/:id':
      return { summary: '探针' };
    case 'POST /api/v1/counties/:county/activities/:id/void':
    case 'POST /api/v1/counties/:county/ledgers/:id/return':
      return { reason: '探针' };
    case 'POST /api/v1/counties/:county/activities/:id/amendments':
      return { reason: '探针', durationMinutes: 30 };
    case 'POST /api/v1/counties/:county/verification-callbacks':
      return { activityId: 'does-not-exist', happened: true, satisfaction: 4 };
    default:
      return method === 'GET' || method === 'DELETE' ? undefined : {};
  }
}

/** Fills a Hono path pattern: `:county` with the county, every other parameter with `id`. */
export const fillPath = (pattern: string, county: string, id: string) =>
  pattern.replace(':county', county).replace(/:[a-zA-Z]+/g, encodeURIComponent(id));

export const countyApiRoutes = () =>
  Object.keys(PERMISSIONS)
    .filter((k) => k.includes('/api/v1/counties/:county'))
    .map((k) => {
      const [method, path] = k.split(' ') as [string, string];
      return { method, path, rule: PERMISSIONS[k]! };
    });
