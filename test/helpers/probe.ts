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

/** A one-row roster as base64: a dry run of it writes nothing. */
function importSample() {
  const b = superviseeBody();
  const csv = `案件编号,姓名,身份证号,乡镇,矫正类别,矫正起止日期,管理级别\n${b.caseNumber},${b.name},${b.idNumber},武康,缓刑,2026-01-01至2027-06-30,普管\n`;
  return btoa(String.fromCharCode(...new TextEncoder().encode(csv)));
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
    case 'POST /api/v1/counties/:county/webhooks':
      return {
        name: '探针',
        kind: 'generic',
        url: 'http://127.0.0.1:9/probe',
        secret: 'probe-secret-0123456789',
        events: ['ledger.due'],
      };
    case 'PATCH /api/v1/counties/:county/webhooks/:id':
      return { active: false };
    case 'PUT /api/v1/counties/:county/supervisees/:id/profile':
      return { employment: '探针', volunteerSince: '2026-01-15' };
    case 'POST /api/v1/counties/:county/supervisees/:id/assessments':
      return { kind: 'risk', assessedOn: '2026-02-01', result: '低风险' };
    case 'POST /api/v1/counties/:county/incidents':
      return { superviseeId: 'probe', kind: 'violation', description: '探针' };
    case 'POST /api/v1/counties/:county/incidents/:id/acknowledge':
      return { note: '探针' };
    case 'POST /api/v1/counties/:county/incidents/:id/resolve':
      return { resolution: '探针' };
    case 'POST /api/v1/counties/:county/imports':
      return { kind: 'supervisees', dryRun: true, content: importSample() };
    case 'POST /api/v1/counties/:county/programmes':
      return { year: 2030 + (counter++ % 60), name: `探针项目${unique()}`, budgetFen: 1_000_000 };
    case 'PATCH /api/v1/counties/:county/programmes/:id':
      return { name: '探针项目' };
    case 'POST /api/v1/counties/:county/programmes/:id/procurements':
      return {
        method: '竞争性磋商',
        announcedOn: '2026-01-05',
        bidders: [{ name: '探针' }],
        chosenProviderIds: ['chenxi'],
      };
    case 'POST /api/v1/counties/:county/contracts':
      return {
        providerId: 'chenxi',
        programmeYear: 2026,
        periodStart: '2026-01-01',
        periodEnd: '2026-12-31',
        pricing: { model: 'fixed', amountFen: 100_000, workFundsShare: 0.5 },
        procurementMethod: '竞争性磋商',
      };
    case 'POST /api/v1/counties/:county/contracts/:id/enrolments':
      return { superviseeId: 'probe', from: '2026-01-01' };
    case 'PATCH /api/v1/counties/:county/contracts/:id/enrolments/:enrolmentId':
      return { to: '2026-06-30' };
    case 'POST /api/v1/counties/:county/contracts/:id/payments':
      return { kind: 'work_funds', amountFen: 100 };
    case 'POST /api/v1/counties/:county/payments/:id/pay':
      return { paidOn: '2026-01-15' };
    case 'POST /api/v1/counties/:county/payments/:id/cancel':
      return { reason: '探针' };
    case 'POST /api/v1/counties/:county/contracts/:id/evaluations':
      return { scores: { business: 60, financial: 25 } };
    case 'POST /api/v1/counties/:county/contracts/:id/evaluations/:evaluationId/remarks':
      return { text: '探针' };
    case 'POST /api/v1/counties/:county/contracts/:id/samples':
      return { share: 0.1, seed: 'probe' };
    case 'PUT /api/v1/counties/:county/contracts/:id/samples/:sampleId/items/:activityId':
      return { finding: 'consistent' };
    case 'POST /api/v1/counties/:county/providers/:providerId/qualifications':
      return { kind: 'registration_certificate', title: '探针证书' };
    case 'POST /api/v1/counties/:county/rule-sets/:id/preview':
      return undefined; // no body: the month is a query parameter
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
