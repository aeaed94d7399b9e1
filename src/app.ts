/**
 * Builds the Hono app. Middleware order matters and is the whole security story of a request:
 * request id → secure headers → log → body limit → authorize (permission table, caller, county)
 * → route (zod validation, 415 for non-JSON writes) → problem+json on any error.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { csrf } from 'hono/csrf';
import { HTTPException } from 'hono/http-exception';
import { requestId } from 'hono/request-id';
import { matchedRoutes } from 'hono/route';
import { secureHeaders } from 'hono/secure-headers';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { activityRoutes } from './activities/routes';
import { assignmentRoutes } from './assignments/routes';
import { auditRoutes } from './audit/routes';
import { authorize } from './auth/middleware';
import { authRoutes } from './auth/routes';
import { complianceRoutes } from './compliance/routes';
import { contractRoutes } from './contracts/routes';
import { disclosureRoutes } from './disclosure/routes';
import { mountDocs } from './docs/routes';
import type { AppEnv } from './env';
import { evaluationRoutes } from './evaluations/routes';
import { IMPORT_BODY_LIMIT, importRoutes } from './imports/routes';
import { incidentRoutes } from './incidents/routes';
import { jobRoutes } from './jobs/routes';
import { ledgerRoutes } from './ledgers/routes';
import { Problem, problemResponse } from './lib/problem';
import { notificationRoutes } from './notifications/routes';
import { pageErrorResponse, wantsPage } from './pages/errors';
import { pageRoutes } from './pages/routes';
import { paymentRoutes } from './payments/routes';
import { countyUserRoutes } from './platform/county-users';
import { platformRoutes } from './platform/routes';
import { profileRoutes } from './profiles/routes';
import { qualificationRoutes } from './providers/qualifications';
import { countyProviderRoutes } from './providers/routes';
import { reportRoutes } from './reports/routes';
import { ruleSetRoutes } from './rule-sets/routes';
import { superviseeRoutes } from './supervisees/routes';
import { townshipRoutes } from './townships/routes';
import { verificationRoutes } from './verification/routes';
import { webhookRoutes } from './webhooks/routes';

export const API_BODY_LIMIT = 1024 * 1024;
const IMPORT_UPLOAD_PATH = /^\/api\/v1\/counties\/[^/]+\/imports\/?$/;

/** Content-Security-Policy of every page: no inline script, nothing from elsewhere. */
export const CSP = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'"],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

function routeLabel(c: Context<AppEnv>) {
  return matchedRoutes(c).find((r) => r.method !== 'ALL')?.path ?? 'unmatched';
}

export function createApp() {
  const app = new OpenAPIHono<AppEnv>();

  app.use('*', requestId());
  app.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: CSP,
      strictTransportSecurity: 'max-age=31536000; includeSubDomains',
      referrerPolicy: 'same-origin',
      crossOriginEmbedderPolicy: false,
      // A route may set a stricter or looser header of its own (the API reference page does).
      overwrite: false,
      permissionsPolicy: { camera: [], microphone: [], geolocation: [] },
    }),
  );
  app.use('*', async (c, next) => {
    const started = Date.now();
    await next();
    // The route pattern, never the path or query: those can carry personal data.
    console.log(
      JSON.stringify({
        requestId: c.get('requestId'),
        method: c.req.method,
        route: routeLabel(c),
        status: c.res.status,
        ms: Date.now() - started,
      }),
    );
  });
  const limitTo = (maxSize: number) =>
    bodyLimit({
      maxSize,
      onError: (c) => problemResponse(c, 413, `The request body is larger than ${maxSize} bytes.`),
    });
  const apiLimit = limitTo(API_BODY_LIMIT);
  // File uploads for import are the one place a large body is expected.
  const importLimit = limitTo(IMPORT_BODY_LIMIT);
  app.use('/api/*', (c, next) =>
    c.req.method === 'POST' && IMPORT_UPLOAD_PATH.test(c.req.path) ? importLimit(c, next) : apiLimit(c, next),
  );
  // Pages post forms: refuse cross-site form posts by Origin before anything else runs.
  app.use('/login', csrf());
  app.use('/logout', csrf());
  app.use('/c/*', csrf());
  app.use('/inbox/*', csrf());
  app.use('/platform/*', csrf());
  app.use('*', authorize);

  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.route('/', authRoutes);
  app.route('/', platformRoutes);
  app.route('/', countyUserRoutes);
  app.route('/', townshipRoutes);
  app.route('/', auditRoutes);
  app.route('/', countyProviderRoutes);
  app.route('/', ruleSetRoutes);
  app.route('/', superviseeRoutes);
  app.route('/', jobRoutes);
  app.route('/', notificationRoutes);
  app.route('/', webhookRoutes);
  app.route('/', profileRoutes);
  app.route('/', incidentRoutes);
  app.route('/', reportRoutes);
  app.route('/', importRoutes);
  app.route('/', contractRoutes);
  app.route('/', paymentRoutes);
  app.route('/', evaluationRoutes);
  app.route('/', qualificationRoutes);
  app.route('/', disclosureRoutes);
  app.route('/', complianceRoutes);
  app.route('/', assignmentRoutes);
  app.route('/', activityRoutes);
  app.route('/', ledgerRoutes);
  app.route('/', verificationRoutes);
  app.route('/', pageRoutes);

  mountDocs(app);

  // A browser asking for a page gets the error as a page; API clients get problem+json.
  const answer = (
    c: Context<AppEnv>,
    status: ContentfulStatusCode,
    detail: string,
    extra?: Problem['extra'],
  ) => (wantsPage(c) ? pageErrorResponse(c, status, detail) : problemResponse(c, status, detail, extra));
  app.notFound((c) => answer(c, 404, 'There is nothing at this address.'));
  app.onError((err, c) => {
    if (err instanceof Problem) return answer(c, err.status, err.detail, err.extra);
    if (err instanceof HTTPException) {
      const status = err.status as ContentfulStatusCode;
      const detail =
        status === 400 ? 'The request body is not valid JSON.' : err.message || 'Request refused.';
      return answer(c, status, detail);
    }
    // Log the failure for operators, but only its kind: messages can carry SQL or values.
    // Tests see the whole error, since test data is synthetic.
    if (c.env.ENVIRONMENT === 'test') console.error(err);
    console.error(
      JSON.stringify({
        requestId: c.get('requestId'),
        route: routeLabel(c),
        error: err.name,
        at: 'unhandled',
      }),
    );
    return answer(c, 500, 'Something went wrong on our side. Quote the request id when reporting it.');
  });

  return app;
}

export type App = ReturnType<typeof createApp>;
