/**
 * Every successful write of the API leaves an audit entry (issue #11 §4): each POST, PUT, PATCH
 * and DELETE route of the app's route list is driven once with a valid request, and the county's
 * or the platform's audit_log must hold an entry with that request's id (`x-request-id`).
 *
 * A route gets here by a driver (what state it needs, who calls it, with what) or by the short
 * allowlist below of routes that write nothing auditable; a new write route with neither fails the
 * first test. The console's form posts (/c/…, /platform/…) answer 303 and call the same services;
 * they are not walked here.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { ruleKey } from '../src/auth/permissions';
import { DEMO_PASSWORD } from '../src/demo/data';
import { withCreditCheck } from '../src/lib/validators';
import { deqing2017 } from '../src/rules';
import { CookieClient } from './helpers/browser-like';
import { superviseeBody } from './helpers/fixtures';
import { call, freshLogin, tokenFor } from './helpers/http';
import { rosterBytes, superviseeCells, upload } from './helpers/imports';
import {
  contractBody,
  createContract,
  createProgramme,
  insertActivities,
  insertLedger,
} from './helpers/money';
import { sampleBody } from './helpers/probe';
import { appRoutes } from './helpers/routes';
import { activityBody, assign, D, newSupervisee, record, servedSupervisee } from './helpers/service-records';

const P = '/api/v1/platform';
const C = '/api/v1/counties/:county';

/**
 * Write routes that legitimately leave no audit entry. Each is still driven (below) and must
 * answer 2xx and leave none, so the list stays true.
 */
const NO_AUDIT_ENTRY: Record<string, string> = {
  // The caller marks their own inbox: a read marker on a message sent to them, no record of
  // anyone's data changes, and nothing is decrypted.
  'POST /api/v1/me/notifications/:id/read': 'marks the caller’s own notification read',
  'POST /api/v1/me/notifications/read-all': 'marks the caller’s own notifications read',
  // POST only because a rule set is too large for a query string: they compute and write nothing.
  [`POST ${C}/rule-sets/validate`]: 'validates a draft body; stores nothing',
  [`POST ${C}/rule-sets/:id/preview`]: 'computes what a draft would change; stores nothing',
};

type Request = {
  path: string;
  /** A demo login, or a token of its own (for a route that ends its session). */
  login?: string;
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
};

let serial = 0;
const unique = () => `${Date.now().toString(36)}${(serial++).toString(36)}`;
/** The first 17 characters of a credit code no other provider of this run has (a counter, not the clock). */
const freshCreditBody = () => `52330521MJ8${String(serial++).padStart(6, '0')}`;
let years = 2060;

const ok = <R extends { status: number; text: string }>(r: R, what: string): R => {
  expect(r.status, `${what}: ${r.text}`).toBeLessThan(300);
  return r;
};

const admin = () => tokenFor('deqing.admin');
const post = async (path: string, login: string, body?: unknown, headers?: Record<string, string>) =>
  ok(
    await call('POST', path, {
      token: await tokenFor(login),
      ...(body !== undefined ? { body } : {}),
      headers,
    }),
    path,
  );

const draftRuleSet = () => ({
  ...structuredClone(deqing2017),
  name: `审计${unique()}`,
  effectiveFrom: '2099-01-01',
});
const newDraft = async () => (await post(`${D}/rule-sets`, 'deqing.admin', draftRuleSet())).body.id as string;

const newUser = async () =>
  (
    await post(`${D}/users`, 'deqing.admin', {
      login: `audit.${unique()}`,
      displayName: '审计',
      password: 'audit-password-2026',
      role: 'auditor',
    })
  ).body as { membership: { id: string } };

const newHook = async () =>
  (
    await post(`${D}/webhooks`, 'deqing.admin', {
      name: '审计',
      kind: 'generic',
      url: `${env.WEBHOOK_RECEIVER}/hook/audit-walk`,
      secret: 'audit-secret-0123456789',
      events: ['ledger.due'],
    })
  ).body.id as string;

const newProvider = async () =>
  (
    await post(`${P}/providers`, 'platform.operator', {
      name: `审计社会工作服务中心${unique()}`,
      creditCode: withCreditCheck(freshCreditBody()),
    })
  ).body.id as string;

const report = async () => {
  const s = await servedSupervisee();
  return (
    await post(`${D}/incidents`, 'provider.worker', {
      superviseeId: s.id,
      kind: 'violation',
      description: '审计',
    })
  ).body.id as string;
};

/** An activity of chenxi in wukang on `day`; each month used here is its own ledger. */
const visit = async (day: string) => {
  const s = await servedSupervisee();
  const r = ok(
    await record(await tokenFor('provider.worker'), activityBody([s.id], { occurredOn: day })),
    'visit',
  );
  return r.body as { id: string; ledgerId: string };
};
const submitted = async (day: string) => {
  const a = await visit(day);
  await post(`${D}/ledgers/${a.ledgerId}/submit`, 'provider.admin');
  return a;
};

/** A roster dry run larger than one step (1,000 rows): the next continue completes it. */
const unfinishedImport = async () => {
  const salt = 700 + serial++;
  const rows = Array.from({ length: 1001 }, (_, i) => superviseeCells(i, salt));
  const r = ok(await upload(await admin(), 'supervisees', rosterBytes(rows), { dryRun: 'true' }), 'upload');
  expect(r.body).toMatchObject({ next: 'continue' });
  return r.body.id as string;
};

/** A fixed-price contract in a programme year of its own. */
const ownContract = async () => {
  const programme = await createProgramme('deqing', { year: years++, budgetFen: 1_000_000 });
  const contract = await createContract('deqing', {
    programmeYear: programme.year,
    periodStart: `${programme.year}-01-01`,
    periodEnd: `${programme.year}-12-31`,
    signedOn: '2026-01-10',
    pricing: { model: 'fixed', amountFen: 600_000, workFundsShare: 0.5 },
  });
  return { id: contract.id, year: programme.year as number };
};
const recordedPayment = async () => {
  const { id } = await ownContract();
  return (await post(`${D}/contracts/${id}/payments`, 'deqing.officer', { kind: 'work_funds' })).body
    .id as string;
};

const submittedEvaluation = async () => {
  const contract = await createContract('deqing');
  const e = await post(`${D}/contracts/${contract.id}/evaluations`, 'deqing.evaluator', {
    scores: { business: 60, financial: 25 },
  });
  return { contract: contract.id, evaluation: e.body.id as string };
};

/** A contract whose period holds confirmed-ledger activities of its provider: what a sample draws from. */
const sampledContract = async () => {
  const { id, year } = await ownContract();
  const person = await newSupervisee();
  const ledger = await insertLedger('deqing', { townshipId: 'wukang', status: 'confirmed' });
  await insertActivities(
    'deqing',
    [3, 4, 5, 6].map((m) => ({
      occurredOn: `${year}-0${m}-10`,
      durationMinutes: 60,
      townshipId: 'wukang',
      ledgerId: ledger,
      participants: [{ superviseeId: person.id }],
    })),
  );
  return id;
};

const qualification = async () =>
  (
    await post(`${D}/providers/chenxi/qualifications`, 'provider.admin', {
      kind: 'registration_certificate',
      title: `审计证书${unique()}`,
    })
  ).body.id as string;

const DRIVERS: Record<string, () => Promise<Request>> = {
  'POST /api/v1/auth/login': async () => ({
    path: '/api/v1/auth/login',
    body: { login: 'deqing.officer', password: DEMO_PASSWORD },
  }),
  'POST /api/v1/auth/logout': async () => ({
    path: '/api/v1/auth/logout',
    token: ok(await freshLogin('deqing.officer'), 'login').body.accessToken,
  }),
  [`POST ${P}/counties`]: async () => ({
    path: `${P}/counties`,
    login: 'platform.operator',
    body: { slug: 'spare', name: '长兴县', regionCode: '330522' },
  }),
  [`PATCH ${P}/counties/:slug`]: async () => ({
    path: `${P}/counties/anji`,
    login: 'platform.operator',
    body: { name: '安吉县' },
  }),
  [`POST ${P}/providers`]: async () => ({
    path: `${P}/providers`,
    login: 'platform.operator',
    body: {
      name: `审计服务中心${unique()}`,
      creditCode: withCreditCheck(freshCreditBody()),
    },
  }),
  [`PATCH ${P}/providers/:id`]: async () => ({
    path: `${P}/providers/chenxi`,
    login: 'platform.operator',
    body: { contactName: '审计' },
  }),
  [`PUT ${P}/providers/:id/counties/:slug`]: async () => ({
    path: `${P}/providers/${await newProvider()}/counties/deqing`,
    login: 'platform.operator',
    body: {},
  }),
  [`POST ${P}/jobs/:slug/run`]: async () => ({ path: `${P}/jobs/anji/run`, login: 'platform.operator' }),
  'POST /api/v1/me/notifications/:id/read': async () => {
    const id = crypto.randomUUID();
    await env.CONTROL_DB.prepare(
      "INSERT INTO notifications (id, user_id, county, kind, title_zh, title_en, dedupe_key) VALUES (?, 'u-deqing-admin', 'deqing', 'ledger.due', '审计', 'Audit', ?)",
    )
      .bind(id, `audit:${id}`)
      .run();
    return { path: `/api/v1/me/notifications/${id}/read`, login: 'deqing.admin' };
  },
  'POST /api/v1/me/notifications/read-all': async () => ({
    path: '/api/v1/me/notifications/read-all',
    login: 'deqing.admin',
  }),

  [`POST ${C}/townships`]: async () => ({
    path: `${D}/townships`,
    login: 'deqing.admin',
    body: { name: `审计镇${unique()}` },
  }),
  [`POST ${C}/rule-sets/validate`]: async () => ({
    path: `${D}/rule-sets/validate`,
    login: 'deqing.admin',
    body: draftRuleSet(),
  }),
  [`POST ${C}/rule-sets`]: async () => ({
    path: `${D}/rule-sets`,
    login: 'deqing.admin',
    body: draftRuleSet(),
  }),
  [`PUT ${C}/rule-sets/:id`]: async () => ({
    path: `${D}/rule-sets/${await newDraft()}`,
    login: 'deqing.admin',
    body: draftRuleSet(),
  }),
  [`DELETE ${C}/rule-sets/:id`]: async () => ({
    path: `${D}/rule-sets/${await newDraft()}`,
    login: 'deqing.admin',
  }),
  [`POST ${C}/rule-sets/:id/publish`]: async () => ({
    path: `${D}/rule-sets/${await newDraft()}/publish`,
    login: 'deqing.admin',
  }),
  [`POST ${C}/rule-sets/:id/preview`]: async () => ({
    path: `${D}/rule-sets/${await newDraft()}/preview?month=2026-11`,
    login: 'deqing.admin',
  }),

  [`POST ${C}/supervisees`]: async () => ({
    path: `${D}/supervisees`,
    login: 'deqing.admin',
    body: superviseeBody(),
  }),
  [`PATCH ${C}/supervisees/:id`]: async () => {
    const s = await newSupervisee();
    const read = ok(await call('GET', `${D}/supervisees/${s.id}`, { token: await admin() }), 'read');
    return {
      path: `${D}/supervisees/${s.id}`,
      login: 'deqing.admin',
      body: { crimeType: '审计' },
      headers: { 'if-match': read.headers.get('etag') ?? '' },
    };
  },
  [`POST ${C}/supervisees/:id/levels`]: async () => ({
    path: `${D}/supervisees/${(await newSupervisee()).id}/levels`,
    login: 'deqing.admin',
    body: { level: 'strict', effectiveFrom: '2026-02-01', reason: '审计' },
  }),
  [`PUT ${C}/supervisees/:id/profile`]: async () => ({
    path: `${D}/supervisees/${(await newSupervisee()).id}/profile`,
    login: 'deqing.admin',
    body: sampleBody('PUT', `${C}/supervisees/:id/profile`),
  }),
  [`POST ${C}/supervisees/:id/assessments`]: async () => ({
    path: `${D}/supervisees/${(await newSupervisee()).id}/assessments`,
    login: 'deqing.admin',
    body: sampleBody('POST', `${C}/supervisees/:id/assessments`),
  }),

  [`POST ${C}/incidents`]: async () => ({
    path: `${D}/incidents`,
    login: 'provider.worker',
    body: { superviseeId: (await servedSupervisee()).id, kind: 'violation', description: '审计' },
  }),
  [`POST ${C}/incidents/:id/acknowledge`]: async () => ({
    path: `${D}/incidents/${await report()}/acknowledge`,
    login: 'deqing.admin',
    body: { note: '审计' },
  }),
  [`POST ${C}/incidents/:id/resolve`]: async () => {
    const id = await report();
    await post(`${D}/incidents/${id}/acknowledge`, 'deqing.admin', { note: '审计' });
    return { path: `${D}/incidents/${id}/resolve`, login: 'deqing.admin', body: { resolution: '审计' } };
  },

  [`POST ${C}/imports`]: async () => ({
    path: `${D}/imports`,
    login: 'deqing.admin',
    body: sampleBody('POST', `${C}/imports`),
  }),
  [`POST ${C}/imports/:id/continue`]: async () => ({
    path: `${D}/imports/${await unfinishedImport()}/continue`,
    login: 'deqing.admin',
  }),
  [`POST ${C}/imports/:id/resume`]: async () => ({
    path: `${D}/imports/${await unfinishedImport()}/resume`,
    login: 'deqing.admin',
  }),
  [`POST ${C}/imports/:id/commit`]: async () => {
    const dry = await post(`${D}/imports`, 'deqing.admin', sampleBody('POST', `${C}/imports`));
    expect(dry.body).toMatchObject({ status: 'completed', next: 'commit' });
    return { path: `${D}/imports/${dry.body.id}/commit`, login: 'deqing.admin' };
  },

  [`POST ${C}/supervisees/:id/assignments`]: async () => ({
    path: `${D}/supervisees/${(await newSupervisee()).id}/assignments`,
    login: 'deqing.admin',
    body: { providerId: 'chenxi', from: '2026-01-01' },
  }),
  [`PATCH ${C}/assignments/:id`]: async () => ({
    path: `${D}/assignments/${(await assign((await newSupervisee()).id)).id}`,
    login: 'deqing.admin',
    body: { to: '2026-12-31' },
  }),

  [`POST ${C}/activity-types`]: async () => ({
    path: `${D}/activity-types`,
    login: 'deqing.admin',
    body: { code: `audit_${unique()}`, labelZh: '审计' },
  }),
  [`POST ${C}/activities`]: async () => ({
    path: `${D}/activities`,
    login: 'provider.worker',
    body: activityBody([(await servedSupervisee()).id], { occurredOn: '2026-03-10' }),
  }),
  [`PATCH ${C}/activities/:id`]: async () => ({
    path: `${D}/activities/${(await visit('2026-03-11')).id}`,
    login: 'provider.worker',
    body: { summary: '审计' },
    headers: { 'if-match': '"v1"' },
  }),
  [`POST ${C}/activities/:id/void`]: async () => ({
    path: `${D}/activities/${(await visit('2026-03-12')).id}/void`,
    login: 'provider.worker',
    body: { reason: '审计' },
  }),
  [`POST ${C}/activities/:id/amendments`]: async () => {
    const a = await submitted('2026-07-10');
    await post(`${D}/ledgers/${a.ledgerId}/confirm`, 'deqing.office.wukang');
    return {
      path: `${D}/activities/${a.id}/amendments`,
      login: 'provider.worker',
      body: { reason: '审计', durationMinutes: 30 },
    };
  },
  [`POST ${C}/ledgers/:id/submit`]: async () => ({
    path: `${D}/ledgers/${(await visit('2026-04-10')).ledgerId}/submit`,
    login: 'provider.admin',
  }),
  [`POST ${C}/ledgers/:id/return`]: async () => ({
    path: `${D}/ledgers/${(await submitted('2026-05-10')).ledgerId}/return`,
    login: 'deqing.office.wukang',
    body: { reason: '审计' },
  }),
  [`POST ${C}/ledgers/:id/confirm`]: async () => ({
    path: `${D}/ledgers/${(await submitted('2026-06-10')).ledgerId}/confirm`,
    login: 'deqing.office.wukang',
  }),
  [`POST ${C}/verification-callbacks`]: async () => ({
    path: `${D}/verification-callbacks`,
    login: 'deqing.office.wukang',
    body: {
      activityId: (await visit('2026-03-03')).id,
      calledOn: '2026-03-05',
      happened: true,
      satisfaction: 5,
    },
  }),

  [`POST ${C}/users`]: async () => ({
    path: `${D}/users`,
    login: 'deqing.admin',
    body: {
      login: `audit.${unique()}`,
      displayName: '审计',
      password: 'audit-password-2026',
      role: 'auditor',
    },
  }),
  [`PATCH ${C}/memberships/:id`]: async () => ({
    path: `${D}/memberships/${(await newUser()).membership.id}`,
    login: 'deqing.admin',
    body: { role: 'evaluator' },
  }),
  [`DELETE ${C}/memberships/:id`]: async () => ({
    path: `${D}/memberships/${(await newUser()).membership.id}`,
    login: 'deqing.admin',
  }),

  [`POST ${C}/webhooks`]: async () => ({
    path: `${D}/webhooks`,
    login: 'deqing.admin',
    body: {
      name: '审计',
      kind: 'generic',
      url: `${env.WEBHOOK_RECEIVER}/hook/audit-walk`,
      secret: 'audit-secret-0123456789',
      events: ['ledger.due'],
    },
  }),
  [`PATCH ${C}/webhooks/:id`]: async () => ({
    path: `${D}/webhooks/${await newHook()}`,
    login: 'deqing.admin',
    body: { active: false },
  }),
  [`POST ${C}/webhooks/:id/test`]: async () => ({
    path: `${D}/webhooks/${await newHook()}/test`,
    login: 'deqing.admin',
  }),

  [`POST ${C}/programmes`]: async () => ({
    path: `${D}/programmes`,
    login: 'deqing.admin',
    body: { year: years++, name: `审计项目${unique()}`, budgetFen: 1_000_000 },
  }),
  [`PATCH ${C}/programmes/:id`]: async () => ({
    path: `${D}/programmes/${(await createProgramme('deqing', { year: years++ })).id}`,
    login: 'deqing.admin',
    body: { name: `审计项目${unique()}` },
  }),
  [`POST ${C}/programmes/:id/procurements`]: async () => ({
    path: `${D}/programmes/${(await createProgramme('deqing', { year: years++ })).id}/procurements`,
    login: 'deqing.admin',
    body: sampleBody('POST', `${C}/programmes/:id/procurements`),
  }),
  [`POST ${C}/contracts`]: async () => {
    const year = (await createProgramme('deqing', { year: years++ })).year as number;
    return {
      path: `${D}/contracts`,
      login: 'deqing.admin',
      body: contractBody({ programmeYear: year, periodStart: `${year}-01-01`, periodEnd: `${year}-12-31` }),
    };
  },
  [`POST ${C}/contracts/:id/enrolments`]: async () => ({
    path: `${D}/contracts/${(await createContract('deqing')).id}/enrolments`,
    login: 'deqing.officer',
    body: { superviseeId: (await newSupervisee()).id, from: '2026-01-01' },
  }),
  [`PATCH ${C}/contracts/:id/enrolments/:enrolmentId`]: async () => {
    const contract = await createContract('deqing');
    const e = await post(`${D}/contracts/${contract.id}/enrolments`, 'deqing.officer', {
      superviseeId: (await newSupervisee()).id,
      from: '2026-01-01',
    });
    return {
      path: `${D}/contracts/${contract.id}/enrolments/${e.body.id}`,
      login: 'deqing.officer',
      body: { to: '2026-06-30' },
    };
  },
  [`POST ${C}/contracts/:id/payments`]: async () => ({
    path: `${D}/contracts/${(await ownContract()).id}/payments`,
    login: 'deqing.officer',
    body: { kind: 'work_funds' },
  }),
  [`POST ${C}/payments/:id/approve`]: async () => ({
    path: `${D}/payments/${await recordedPayment()}/approve`,
    login: 'deqing.finance',
  }),
  [`POST ${C}/payments/:id/pay`]: async () => {
    const id = await recordedPayment();
    await post(`${D}/payments/${id}/approve`, 'deqing.finance');
    return { path: `${D}/payments/${id}/pay`, login: 'deqing.finance', body: { paidOn: '2026-01-15' } };
  },
  [`POST ${C}/payments/:id/cancel`]: async () => ({
    path: `${D}/payments/${await recordedPayment()}/cancel`,
    login: 'deqing.officer',
    body: { reason: '审计' },
  }),
  [`POST ${C}/contracts/:id/evaluations`]: async () => ({
    path: `${D}/contracts/${(await createContract('deqing')).id}/evaluations`,
    login: 'deqing.evaluator',
    body: { scores: { business: 60, financial: 25 } },
  }),
  [`POST ${C}/contracts/:id/evaluations/:evaluationId/accept`]: async () => {
    const e = await submittedEvaluation();
    return { path: `${D}/contracts/${e.contract}/evaluations/${e.evaluation}/accept`, login: 'deqing.admin' };
  },
  [`POST ${C}/contracts/:id/evaluations/:evaluationId/remarks`]: async () => {
    const e = await submittedEvaluation();
    return {
      path: `${D}/contracts/${e.contract}/evaluations/${e.evaluation}/remarks`,
      login: 'deqing.civil',
      body: { text: '审计' },
    };
  },
  [`POST ${C}/contracts/:id/samples`]: async () => ({
    path: `${D}/contracts/${await sampledContract()}/samples`,
    login: 'deqing.evaluator',
    body: { share: 0.5, seed: 'audit' },
  }),
  [`PUT ${C}/contracts/:id/samples/:sampleId/items/:activityId`]: async () => {
    const contract = await sampledContract();
    const s = await post(`${D}/contracts/${contract}/samples`, 'deqing.evaluator', {
      share: 0.5,
      seed: 'audit',
    });
    const item = (s.body.items as { activityId: string }[])[0]!;
    return {
      path: `${D}/contracts/${contract}/samples/${s.body.id}/items/${item.activityId}`,
      login: 'deqing.evaluator',
      body: { finding: 'consistent' },
    };
  },

  [`POST ${C}/providers/:providerId/qualifications`]: async () => ({
    path: `${D}/providers/chenxi/qualifications`,
    login: 'provider.admin',
    body: { kind: 'registration_certificate', title: '审计证书' },
  }),
  [`POST ${C}/providers/:providerId/qualifications/:qualificationId/verify`]: async () => ({
    path: `${D}/providers/chenxi/qualifications/${await qualification()}/verify`,
    login: 'deqing.civil',
    body: { note: '审计' },
  }),
  [`POST ${C}/disclosure/publish`]: async () => ({ path: `${D}/disclosure/publish`, login: 'deqing.admin' }),
};

const writeRoutes = appRoutes()
  .filter((r) => r.path.startsWith('/api/') && ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method))
  .map((r) => ({ ...r, key: ruleKey(r.method, r.path) }));

/** Entries carrying the request's id, in the platform's log and in every county's. */
async function entriesOf(requestId: string) {
  const logs = [
    env.CONTROL_DB,
    ...Object.keys(env)
      .filter((k) => k.startsWith('COUNTY_'))
      .map((k) => env[k as `COUNTY_${string}`]!),
  ];
  let n = 0;
  for (const db of logs) {
    const row = await db
      .prepare('SELECT count(*) AS n FROM audit_log WHERE request_id = ?')
      .bind(requestId)
      .first<{ n: number }>();
    n += row!.n;
  }
  return n;
}

describe('every write route', () => {
  it('has a driver here, or a reason in the allowlist, and neither names a route that does not exist', () => {
    const keys = new Set(writeRoutes.map((r) => r.key));
    expect(writeRoutes.length).toBeGreaterThan(50);
    expect(writeRoutes.filter((r) => !DRIVERS[r.key]).map((r) => r.key)).toEqual([]);
    expect(Object.keys(DRIVERS).filter((k) => !keys.has(k))).toEqual([]);
    expect(Object.keys(NO_AUDIT_ENTRY).filter((k) => !keys.has(k))).toEqual([]);
  });

  for (const { method, key } of writeRoutes) {
    it(`${key} leaves ${NO_AUDIT_ENTRY[key] ? 'no audit entry (allowlisted)' : 'an audit entry with its request id'}`, async () => {
      const req = await DRIVERS[key]!();
      const token = req.token ?? (req.login ? await tokenFor(req.login) : undefined);
      const r = await call(method, req.path, {
        ...(token ? { token } : {}),
        ...(req.body !== undefined ? { body: req.body } : {}),
        ...(req.headers ? { headers: req.headers } : {}),
      });
      expect(r.status, `${method} ${req.path} → ${r.text}`).toBeGreaterThanOrEqual(200);
      expect(r.status, `${method} ${req.path} → ${r.text}`).toBeLessThan(300);
      const requestId = r.headers.get('x-request-id');
      expect(requestId).toBeTruthy();
      const entries = await entriesOf(requestId!);
      if (NO_AUDIT_ENTRY[key]) expect({ key, entries }).toEqual({ key, entries: 0 });
      else expect({ key, entries: entries > 0 }).toEqual({ key, entries: true });
    });
  }
});

describe("the console's run now", () => {
  it('leaves the same platform entry as the API (job.run), through the form post', async () => {
    const browser = new CookieClient();
    const signIn = await browser.fetch('POST', '/login', {
      form: { login: 'platform.operator', password: DEMO_PASSWORD },
    });
    expect(signIn.status).toBe(303);
    const csrf = CookieClient.csrfOf((await browser.fetch('GET', '/platform')).text);
    const r = await browser.fetch('POST', '/platform/jobs/deqing/run', { form: { _csrf: csrf } });
    expect(r.status).toBe(303);
    const requestId = r.headers.get('x-request-id')!;
    const entry = await env.CONTROL_DB.prepare(
      'SELECT action, target_id, detail FROM audit_log WHERE request_id = ?',
    )
      .bind(requestId)
      .first();
    expect(entry).toEqual({ action: 'job.run', target_id: 'deqing', detail: '{"trigger":"manual"}' });
  });
});
