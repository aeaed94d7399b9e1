/**
 * THE permission table: every route of the app, by method and Hono path, and who may call it.
 * A route missing here is refused (fail closed) and `test/permissions.test.ts` fails.
 *
 * `scope` says which finer check the route's service applies on top of the role:
 * - `township`: township-scoped roles (office_officer) only see and act on their townships;
 * - `provider`: provider roles only see and act on their own provider's records.
 */
import { COUNTY_ROLES, type CountyRole } from './roles';

export type Rule =
  | { access: 'public' }
  | { access: 'signed_in' }
  | { access: 'platform' }
  | {
      access: 'county';
      roles: readonly CountyRole[];
      scope?: readonly ('township' | 'provider')[];
      /** The platform operator may call it too (onboarding a county's first users). */
      platformOperator?: boolean;
    };

const PUBLIC: Rule = { access: 'public' };
const SIGNED_IN: Rule = { access: 'signed_in' };
const PLATFORM: Rule = { access: 'platform' };
const county = (
  roles: readonly CountyRole[],
  extra: Omit<Extract<Rule, { access: 'county' }>, 'access' | 'roles'> = {},
): Rule => ({
  access: 'county',
  roles,
  ...extra,
});

const EVERY_COUNTY_ROLE = COUNTY_ROLES;
const ADMIN = ['bureau_admin'] as const;
const BUREAU = ['bureau_admin', 'bureau_officer'] as const;
const SEES_SUPERVISEES = [
  ...BUREAU,
  'office_officer',
  'provider_admin',
  'provider_worker',
  'evaluator',
] as const;

const PROVIDER = ['provider_admin', 'provider_worker'] as const;
/** Those who serve, supervise or record services for supervisees (not evaluators). */
const WORKS_WITH_SUPERVISEES = [...BUREAU, 'office_officer', ...PROVIDER] as const;
/** Who reads programmes and payments: the bureau, finance, civil affairs, the evaluator, auditors. */
const MONEY_READERS = [
  ...BUREAU,
  'finance_officer',
  'civil_affairs_officer',
  'evaluator',
  'auditor',
] as const;
const CONTRACT_READERS = [...MONEY_READERS, 'provider_admin', 'provider_worker'] as const;
const BUDGET_HOLDERS = ['bureau_admin', 'finance_officer'] as const;
/** 绩效评价组: 财政局, 民政局, 司法局 and the third party (case study 二(六)). */
const EVALUATION_GROUP = [
  ...BUREAU,
  'finance_officer',
  'civil_affairs_officer',
  'evaluator',
  'auditor',
] as const;
const ASSIGNS = [...BUREAU, 'provider_admin'] as const;

const C = '/api/v1/counties/:county';

export const PERMISSIONS: Record<string, Rule> = {
  // Documents and liveness
  'GET /healthz': PUBLIC,
  'GET /openapi.json': PUBLIC,
  'GET /docs': PUBLIC,

  // Sign-in (API)
  'POST /api/v1/auth/login': PUBLIC,
  'POST /api/v1/auth/logout': SIGNED_IN,
  'GET /api/v1/me': SIGNED_IN,

  // Platform operator: counties, providers, platform audit
  'GET /api/v1/platform/counties': PLATFORM,
  'POST /api/v1/platform/counties': PLATFORM,
  'PATCH /api/v1/platform/counties/:slug': PLATFORM,
  'GET /api/v1/platform/providers': PLATFORM,
  'POST /api/v1/platform/providers': PLATFORM,
  'PATCH /api/v1/platform/providers/:id': PLATFORM,
  'PUT /api/v1/platform/providers/:id/counties/:slug': PLATFORM,
  'GET /api/v1/platform/audit/verify': PLATFORM,
  'GET /api/v1/platform/jobs': PLATFORM,
  'POST /api/v1/platform/jobs/:slug/run': PLATFORM,

  // My inbox (notifications are per user, across counties)
  'GET /api/v1/me/notifications': SIGNED_IN,
  'POST /api/v1/me/notifications/:id/read': SIGNED_IN,
  'POST /api/v1/me/notifications/read-all': SIGNED_IN,

  // County reference data
  [`GET ${C}/townships`]: county(EVERY_COUNTY_ROLE),
  [`POST ${C}/townships`]: county(ADMIN),
  [`GET ${C}/providers`]: county(EVERY_COUNTY_ROLE),

  // Rule sets: every role reads the rules it works to; the bureau admin writes them
  [`GET ${C}/rule-sets`]: county(EVERY_COUNTY_ROLE),
  [`GET ${C}/rule-sets/presets`]: county(ADMIN),
  [`POST ${C}/rule-sets/validate`]: county(ADMIN),
  [`POST ${C}/rule-sets`]: county(ADMIN),
  [`GET ${C}/rule-sets/current`]: county(EVERY_COUNTY_ROLE),
  [`GET ${C}/rule-sets/:id`]: county(EVERY_COUNTY_ROLE),
  [`PUT ${C}/rule-sets/:id`]: county(ADMIN),
  [`DELETE ${C}/rule-sets/:id`]: county(ADMIN),
  [`POST ${C}/rule-sets/:id/publish`]: county(ADMIN),
  [`GET ${C}/rule-sets/:id/diff`]: county(EVERY_COUNTY_ROLE),

  // Supervisees: the bureau registers and edits; offices, providers and evaluators read within their scope
  [`POST ${C}/supervisees`]: county(BUREAU),
  [`GET ${C}/supervisees`]: county(SEES_SUPERVISEES, { scope: ['township', 'provider'] }),
  [`GET ${C}/supervisees/:id`]: county(SEES_SUPERVISEES, { scope: ['township', 'provider'] }),
  [`PATCH ${C}/supervisees/:id`]: county(BUREAU),
  [`POST ${C}/supervisees/:id/levels`]: county(BUREAU),

  // Profile archive and assessments: written by those who work with the supervisee, read within scope
  [`GET ${C}/supervisees/:id/profile`]: county(SEES_SUPERVISEES, { scope: ['township', 'provider'] }),
  [`PUT ${C}/supervisees/:id/profile`]: county(WORKS_WITH_SUPERVISEES, { scope: ['township', 'provider'] }),
  [`GET ${C}/supervisees/:id/assessments`]: county(SEES_SUPERVISEES, { scope: ['township', 'provider'] }),
  [`POST ${C}/supervisees/:id/assessments`]: county(WORKS_WITH_SUPERVISEES, {
    scope: ['township', 'provider'],
  }),

  // Incidents: providers report, the township office (or the bureau) acknowledges and resolves
  [`POST ${C}/incidents`]: county(PROVIDER, { scope: ['provider'] }),
  [`GET ${C}/incidents`]: county(WORKS_WITH_SUPERVISEES, { scope: ['township', 'provider'] }),
  [`GET ${C}/incidents/:id`]: county(WORKS_WITH_SUPERVISEES, { scope: ['township', 'provider'] }),
  [`POST ${C}/incidents/:id/acknowledge`]: county([...BUREAU, 'office_officer'], { scope: ['township'] }),
  [`POST ${C}/incidents/:id/resolve`]: county([...BUREAU, 'office_officer'], { scope: ['township'] }),

  // Reports: aggregates without personal fields, for every county role within its scope (ADR 0402)
  [`GET ${C}/reports/statistics`]: county(EVERY_COUNTY_ROLE, { scope: ['township', 'provider'] }),
  [`GET ${C}/reports/volunteers`]: county(EVERY_COUNTY_ROLE, { scope: ['township', 'provider'] }),
  // Imports: the bureau brings records in (townships: the admin only, checked in the service)
  [`GET ${C}/imports/formats`]: county(BUREAU),
  [`POST ${C}/imports`]: county(BUREAU),
  [`GET ${C}/imports`]: county(BUREAU),
  [`GET ${C}/imports/:id`]: county(BUREAU),
  [`GET ${C}/imports/:id/rows`]: county(BUREAU),
  [`POST ${C}/imports/:id/continue`]: county(BUREAU),
  [`POST ${C}/imports/:id/resume`]: county(BUREAU),
  [`POST ${C}/imports/:id/commit`]: county(BUREAU),
  // Compliance: reads within the caller's view of supervisees; worklists of what one is responsible for
  [`GET ${C}/supervisees/:id/compliance`]: county(SEES_SUPERVISEES, { scope: ['township', 'provider'] }),
  [`GET ${C}/compliance`]: county(SEES_SUPERVISEES, { scope: ['township', 'provider'] }),
  [`GET ${C}/worklist`]: county([...BUREAU, 'office_officer', 'provider_admin', 'provider_worker'], {
    scope: ['township', 'provider'],
  }),
  [`POST ${C}/rule-sets/:id/preview`]: county(ADMIN),
  // Across counties: each county's part is scoped by the caller's memberships there
  'GET /api/v1/me/worklist': SIGNED_IN,
  'GET /api/v1/me/dashboard': SIGNED_IN,
  // Assignments: the bureau assigns providers; a provider admin assigns its own workers
  [`GET ${C}/supervisees/:id/assignments`]: county(WORKS_WITH_SUPERVISEES, {
    scope: ['township', 'provider'],
  }),
  [`POST ${C}/supervisees/:id/assignments`]: county(ASSIGNS, { scope: ['provider'] }),
  [`GET ${C}/assignments`]: county(WORKS_WITH_SUPERVISEES, { scope: ['township', 'provider'] }),
  [`PATCH ${C}/assignments/:id`]: county(ASSIGNS, { scope: ['provider'] }),

  // Activities: recorded by providers' staff, offices and the bureau, each within their scope
  [`GET ${C}/activity-types`]: county(EVERY_COUNTY_ROLE),
  [`POST ${C}/activity-types`]: county(ADMIN),
  [`POST ${C}/activities`]: county(WORKS_WITH_SUPERVISEES, { scope: ['township', 'provider'] }),
  [`GET ${C}/activities`]: county(WORKS_WITH_SUPERVISEES, { scope: ['township', 'provider'] }),
  [`GET ${C}/activities/:id`]: county(WORKS_WITH_SUPERVISEES, { scope: ['township', 'provider'] }),
  [`PATCH ${C}/activities/:id`]: county(WORKS_WITH_SUPERVISEES, { scope: ['township', 'provider'] }),
  [`POST ${C}/activities/:id/void`]: county(WORKS_WITH_SUPERVISEES, { scope: ['township', 'provider'] }),
  [`POST ${C}/activities/:id/amendments`]: county(WORKS_WITH_SUPERVISEES, {
    scope: ['township', 'provider'],
  }),

  // Ledgers (台账): the provider admin submits; the township office returns or confirms
  [`GET ${C}/ledgers`]: county(WORKS_WITH_SUPERVISEES, { scope: ['township', 'provider'] }),
  [`GET ${C}/ledgers/:id`]: county(WORKS_WITH_SUPERVISEES, { scope: ['township', 'provider'] }),
  [`POST ${C}/ledgers/:id/submit`]: county(['provider_admin'], { scope: ['provider'] }),
  [`POST ${C}/ledgers/:id/return`]: county(['office_officer'], { scope: ['township'] }),
  [`POST ${C}/ledgers/:id/confirm`]: county(['office_officer'], { scope: ['township'] }),

  // Verification call-backs (回访核查): offices (and the bureau) check providers' services
  [`POST ${C}/verification-callbacks`]: county([...BUREAU, 'office_officer'], { scope: ['township'] }),
  [`GET ${C}/verification-callbacks`]: county([...BUREAU, 'office_officer'], { scope: ['township'] }),
  [`GET ${C}/verification-callbacks/report`]: county(
    [...BUREAU, 'office_officer', 'provider_admin', 'evaluator'],
    {
      scope: ['township', 'provider'],
    },
  ),

  // County users and memberships (the bureau admin of that county only)
  [`GET ${C}/users`]: county(ADMIN, { platformOperator: true }),
  [`POST ${C}/users`]: county(ADMIN, { platformOperator: true }),
  [`PATCH ${C}/memberships/:id`]: county(ADMIN, { platformOperator: true }),
  [`DELETE ${C}/memberships/:id`]: county(ADMIN, { platformOperator: true }),

  // Outbound webhooks (group robots)
  [`GET ${C}/webhooks`]: county(ADMIN),
  [`POST ${C}/webhooks`]: county(ADMIN),
  [`PATCH ${C}/webhooks/:id`]: county(ADMIN),
  [`GET ${C}/webhooks/:id/deliveries`]: county(ADMIN),
  [`POST ${C}/webhooks/:id/test`]: county(ADMIN),
  // Programmes, contracts, enrolments and settlement (issue #5)
  [`GET ${C}/programmes`]: county(MONEY_READERS),
  [`POST ${C}/programmes`]: county(BUDGET_HOLDERS),
  [`GET ${C}/programmes/:id`]: county(MONEY_READERS),
  [`PATCH ${C}/programmes/:id`]: county(BUDGET_HOLDERS),
  [`POST ${C}/programmes/:id/procurements`]: county(ADMIN),
  [`GET ${C}/contracts`]: county(CONTRACT_READERS, { scope: ['provider'] }),
  [`POST ${C}/contracts`]: county(ADMIN),
  [`GET ${C}/contracts/:id`]: county(CONTRACT_READERS, { scope: ['provider'] }),
  [`POST ${C}/contracts/:id/enrolments`]: county(BUREAU),
  [`GET ${C}/contracts/:id/enrolments`]: county(CONTRACT_READERS, { scope: ['provider'] }),
  [`PATCH ${C}/contracts/:id/enrolments/:enrolmentId`]: county(BUREAU),
  [`GET ${C}/contracts/:id/settlement`]: county(CONTRACT_READERS, { scope: ['provider'] }),

  // Payments: the bureau records, a finance officer (not the recorder) approves and pays
  [`GET ${C}/contracts/:id/payment-schedule`]: county(CONTRACT_READERS, { scope: ['provider'] }),
  [`GET ${C}/contracts/:id/payments`]: county(CONTRACT_READERS, { scope: ['provider'] }),
  [`POST ${C}/contracts/:id/payments`]: county(BUREAU),
  [`GET ${C}/payments`]: county(MONEY_READERS),
  [`POST ${C}/payments/:id/approve`]: county(['finance_officer']),
  [`POST ${C}/payments/:id/pay`]: county(['finance_officer']),
  [`POST ${C}/payments/:id/cancel`]: county([...BUREAU, 'finance_officer']),

  // Evaluations: the evaluator (or the bureau) scores, the bureau accepts, the evaluation group remarks
  [`POST ${C}/contracts/:id/evaluations`]: county([...BUREAU, 'evaluator']),
  [`GET ${C}/contracts/:id/evaluations`]: county(CONTRACT_READERS, { scope: ['provider'] }),
  [`GET ${C}/contracts/:id/evaluations/:evaluationId`]: county(CONTRACT_READERS, { scope: ['provider'] }),
  [`POST ${C}/contracts/:id/evaluations/:evaluationId/accept`]: county(BUREAU),
  [`POST ${C}/contracts/:id/evaluations/:evaluationId/remarks`]: county(EVALUATION_GROUP),
  [`POST ${C}/contracts/:id/samples`]: county([...BUREAU, 'evaluator']),
  [`GET ${C}/contracts/:id/samples`]: county(EVALUATION_GROUP),
  [`GET ${C}/contracts/:id/samples/:sampleId`]: county(EVALUATION_GROUP),
  [`PUT ${C}/contracts/:id/samples/:sampleId/items/:activityId`]: county([...BUREAU, 'evaluator']),

  // Providers' qualifications: the provider adds its documents, the county's civil affairs verifies
  [`GET ${C}/providers/:providerId/qualifications`]: county(EVERY_COUNTY_ROLE),
  [`POST ${C}/providers/:providerId/qualifications`]: county(['provider_admin'], { scope: ['provider'] }),
  [`POST ${C}/providers/:providerId/qualifications/:qualificationId/verify`]: county([
    'civil_affairs_officer',
  ]),

  // Disclosure (信息公开): the bureau publishes; the public reads the last publication
  [`GET ${C}/disclosure/preview`]: county(BUREAU),
  [`POST ${C}/disclosure/publish`]: county(ADMIN),
  'GET /api/v1/public/counties/:county/disclosure': PUBLIC,

  // County audit log
  [`GET ${C}/audit`]: county(['bureau_admin', 'auditor']),
  [`GET ${C}/audit/verify`]: county(['bureau_admin', 'auditor']),

  // Pages
  'GET /login': PUBLIC,
  'POST /login': PUBLIC,
  'POST /logout': SIGNED_IN,
  'GET /c/:county': county(EVERY_COUNTY_ROLE),
  'GET /c/:county/': county(EVERY_COUNTY_ROLE),

  // Console pages (src/pages): the same rules as the API they stand beside
  'GET /': PUBLIC,
  'GET /public/:county': PUBLIC,
  'GET /inbox': SIGNED_IN,
  'GET /worklist': SIGNED_IN,
  'POST /inbox/read-all': SIGNED_IN,
  'POST /inbox/:id/read': SIGNED_IN,
  'GET /platform': PLATFORM,
  'POST /platform/counties/:slug': PLATFORM,
  'POST /platform/providers': PLATFORM,
  'POST /platform/providers/:id/counties': PLATFORM,
  'POST /platform/jobs/:slug/run': PLATFORM,
  'GET /c/:county/supervisees': county(SEES_SUPERVISEES, { scope: ['township', 'provider'] }),
  'GET /c/:county/supervisees/new': county(BUREAU),
  'POST /c/:county/supervisees': county(BUREAU),
  'GET /c/:county/supervisees/:id': county(SEES_SUPERVISEES, { scope: ['township', 'provider'] }),
  'GET /c/:county/supervisees/:id/edit': county(BUREAU),
  'POST /c/:county/supervisees/:id': county(BUREAU),
  'POST /c/:county/supervisees/:id/levels': county(BUREAU),
  'GET /c/:county/rule-sets': county(EVERY_COUNTY_ROLE),
  'POST /c/:county/rule-sets': county(ADMIN),
  'GET /c/:county/rule-sets/:id': county(EVERY_COUNTY_ROLE),
  'POST /c/:county/rule-sets/:id': county(ADMIN),
  'POST /c/:county/rule-sets/:id/publish': county(ADMIN),
  'POST /c/:county/rule-sets/:id/discard': county(ADMIN),
  'GET /c/:county/users': county(ADMIN, { platformOperator: true }),
  'POST /c/:county/users': county(ADMIN, { platformOperator: true }),
  'POST /c/:county/memberships/:id/delete': county(ADMIN, { platformOperator: true }),
  'GET /c/:county/incidents': county(WORKS_WITH_SUPERVISEES, { scope: ['township', 'provider'] }),
  'GET /c/:county/incidents/new': county(PROVIDER, { scope: ['provider'] }),
  'POST /c/:county/incidents': county(PROVIDER, { scope: ['provider'] }),
  'GET /c/:county/incidents/:id': county(WORKS_WITH_SUPERVISEES, { scope: ['township', 'provider'] }),
  'POST /c/:county/incidents/:id/acknowledge': county([...BUREAU, 'office_officer'], { scope: ['township'] }),
  'POST /c/:county/incidents/:id/resolve': county([...BUREAU, 'office_officer'], { scope: ['township'] }),
  'GET /c/:county/reports': county(EVERY_COUNTY_ROLE, { scope: ['township', 'provider'] }),
  'GET /c/:county/record': county(WORKS_WITH_SUPERVISEES, { scope: ['township', 'provider'] }),
  'POST /c/:county/record': county(WORKS_WITH_SUPERVISEES, { scope: ['township', 'provider'] }),
  'GET /c/:county/imports': county(BUREAU),
  'POST /c/:county/imports': county(BUREAU),
  'GET /c/:county/imports/:id': county(BUREAU),
  'POST /c/:county/imports/:id/continue': county(BUREAU),
  'POST /c/:county/imports/:id/commit': county(BUREAU),
  'GET /c/:county/ledgers': county(WORKS_WITH_SUPERVISEES, { scope: ['township', 'provider'] }),
  'GET /c/:county/ledgers/:id': county(WORKS_WITH_SUPERVISEES, { scope: ['township', 'provider'] }),
  'POST /c/:county/ledgers/:id/submit': county(['provider_admin'], { scope: ['provider'] }),
  'POST /c/:county/supervisees/:id/assignments': county(ASSIGNS, { scope: ['provider'] }),
  'POST /c/:county/activities/:id/void': county(WORKS_WITH_SUPERVISEES, { scope: ['township', 'provider'] }),
  'POST /c/:county/ledgers/:id/return': county(['office_officer'], { scope: ['township'] }),
  'POST /c/:county/ledgers/:id/confirm': county(['office_officer'], { scope: ['township'] }),
  'GET /c/:county/contracts': county(CONTRACT_READERS, { scope: ['provider'] }),
  'GET /c/:county/contracts/:id': county(CONTRACT_READERS, { scope: ['provider'] }),
  'POST /c/:county/contracts/:id/payments': county(BUREAU),
  'POST /c/:county/payments/:id/approve': county(['finance_officer']),
  'POST /c/:county/payments/:id/pay': county(['finance_officer']),
  'POST /c/:county/contracts/:id/evaluations': county([...BUREAU, 'evaluator']),
  'POST /c/:county/contracts/:id/evaluations/:evaluationId/accept': county(BUREAU),
  'GET /c/:county/disclosure': county(BUREAU),
  'POST /c/:county/disclosure': county(ADMIN),
};

export const ruleKey = (method: string, path: string) => `${method.toUpperCase()} ${path}`;
