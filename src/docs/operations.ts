/**
 * What the route definitions do not say themselves, added to the generated document from the
 * sources that already know it (ADR 0801): each operation's `security` from THE permission table,
 * and an `operationId` read from its method and path. Both are derived rather than written on
 * 124 routes so that they cannot drift from the table and the paths that API.md keeps stable.
 */
import { PERMISSIONS, ruleKey } from '../auth/permissions';

type Operation = { operationId?: string; security?: Record<string, string[]>[]; tags?: string[] };
type Document = {
  paths?: Record<string, Record<string, Operation>>;
  tags?: { name: string; description?: string }[];
};

/** Either credential the API accepts: a bearer token, or the console's session cookie (+ CSRF header). */
const SIGNED_IN: Record<string, string[]>[] = [{ bearer: [] }, { session: [] }];

/** The last path word that names what a call acts on, not an action. */
const ACTIONS = new Set([
  'login',
  'logout',
  'read',
  'read-all',
  'submit',
  'return',
  'confirm',
  'approve',
  'pay',
  'cancel',
  'publish',
  'preview',
  'validate',
  'verify',
  'accept',
  'acknowledge',
  'resolve',
  'continue',
  'resume',
  'commit',
  'test',
  'void',
  'run',
]);

/** Where the generated name reads badly, the name a client author would choose. */
const NAMED: Record<string, string> = {
  'GET /api/v1/me': 'getMe',
  'POST /api/v1/auth/login': 'login',
  'POST /api/v1/auth/logout': 'logout',
  'GET /api/v1/platform/providers': 'listPlatformProviders',
  'GET /api/v1/counties/:county/audit': 'listAuditEntries',
  'GET /api/v1/counties/:county/rule-sets/current': 'getCurrentRuleSet',
  'GET /api/v1/counties/:county/rule-sets/presets': 'listRuleSetPresets',
  'GET /api/v1/counties/:county/imports/formats': 'listImportFormats',
  'GET /api/v1/counties/:county/reports/statistics': 'getStatistics',
  'GET /api/v1/counties/:county/reports/volunteers': 'getVolunteerReport',
  'GET /api/v1/counties/:county/verification-callbacks/report': 'getVerificationReport',
  'GET /api/v1/counties/:county/disclosure/preview': 'previewDisclosure',
  'POST /api/v1/counties/:county/disclosure/publish': 'publishDisclosure',
  'GET /api/v1/public/counties/:county/disclosure': 'getPublicDisclosure',
  'GET /api/v1/platform/audit/verify': 'verifyPlatformAudit',
  'GET /api/v1/counties/:county/audit/verify': 'verifyCountyAudit',
  'GET /api/v1/me/worklist': 'getMyWorklist',
  'GET /api/v1/me/dashboard': 'getMyDashboard',
  'GET /api/v1/me/notifications': 'listMyNotifications',
  'POST /api/v1/me/notifications/:id/read': 'readNotification',
  'POST /api/v1/me/notifications/read-all': 'readAllNotifications',
  'GET /api/v1/counties/:county/compliance': 'getCountyCompliance',
  'GET /api/v1/counties/:county/worklist': 'getCountyWorklist',
  'PUT /api/v1/platform/providers/:id/counties/:slug': 'setProviderCounty',
};

const WRITE_VERB: Record<string, string> = { POST: 'create', PATCH: 'update', PUT: 'set', DELETE: 'delete' };

const pascal = (word: string) =>
  word
    .split('-')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
const singular = (word: string) =>
  word.endsWith('ies') ? `${word.slice(0, -3)}y` : word.endsWith('s') ? word.slice(0, -1) : word;

/** `GET /api/v1/counties/:county/ledgers/:id` → `getLedger`, `POST …/ledgers/:id/submit` → `submitLedger`. */
export function operationIdOf(method: string, path: string): string {
  const key = ruleKey(method, path);
  if (NAMED[key]) return NAMED[key];
  const parts = path
    .replace(/^\/api\/v1\/(counties\/:county|platform|me|public\/counties\/:county)?/, '')
    .split('/')
    .filter(Boolean);
  const last = parts.at(-1)!;
  const action = !last.startsWith(':') && ACTIONS.has(last) && method === 'POST' ? parts.pop()! : null;
  const endsOnId = parts.at(-1)?.startsWith(':') ?? false;
  // Every word followed by an id is one of its kind; the last word is plural for a list.
  const words = parts.filter((p) => !p.startsWith(':'));
  const noun = words
    .map((w, i) => {
      const one = i < words.length - 1 || endsOnId || method !== 'GET';
      return pascal(one ? singular(w) : w);
    })
    .join('');
  const read = endsOnId || !last.endsWith('s') ? 'get' : 'list';
  const verb = action ?? (method === 'GET' ? read : (WRITE_VERB[method] ?? method.toLowerCase()));
  // Actions are path words (`read-all` → `readAll…`): camelCase the verb, then the noun.
  const camel = pascal(verb);
  return `${camel.charAt(0).toLowerCase()}${camel.slice(1)}${noun}`;
}

const TAG_TEXT: Record<string, string> = {
  Auth: 'Sign-in and the caller (登录与当前用户)',
  Platform: 'The platform operator: counties, providers, jobs (平台运营)',
  County: 'A county’s users, townships and audit log (县区)',
  'Rule sets': 'Each county’s rule set: requirements, levels, prices (规则)',
  Supervisees: 'Supervisees, their levels, profiles and assessments (矫正对象)',
  Notifications: 'The caller’s inbox (消息)',
  Incidents: 'Major events reported by providers (重大事项)',
  Reports: 'Statistics and volunteer hours (统计)',
  Imports: 'Roster and ledger imports (导入)',
  Contracts: 'Programmes, procurement, contracts, enrolments, settlement (项目与合同)',
  Payments: 'Payments on a contract (付款)',
  Evaluations: 'Performance evaluations and spot checks (绩效评价)',
  Disclosure: 'What the county publishes of what it bought (信息公开)',
  Compliance: 'Requirements met or short, per supervisee and county (达标)',
  'Across counties': 'A caller’s work across every county (跨县区)',
  Assignments: 'Which provider serves which supervisee (服务安排)',
  Activities: 'Services recorded, amended and voided (服务记录)',
  Ledgers: 'Monthly ledgers: submit, return, confirm (台账)',
  Verification: 'Verification callbacks (回访核实)',
};

/** The document with every operation's `operationId` and `security`, and every tag described. */
export function completeDocument<D extends object>(generated: D): D {
  const doc = generated as Document;
  const used = new Set<string>();
  for (const [docPath, ops] of Object.entries(doc.paths ?? {})) {
    const path = docPath.replace(/\{([^}]+)\}/g, ':$1');
    for (const [method, op] of Object.entries(ops)) {
      const rule = PERMISSIONS[ruleKey(method, path)];
      op.operationId ??= operationIdOf(method.toUpperCase(), path);
      // A route missing from the table is refused (fail closed), so it is documented as signed-in.
      op.security ??= rule?.access === 'public' ? [] : SIGNED_IN;
      for (const t of op.tags ?? []) used.add(t);
    }
  }
  doc.tags = [...used].map((name) => ({ name, description: TAG_TEXT[name] ?? name }));
  return generated;
}
