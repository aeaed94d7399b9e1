/** Server-rendered pages (DESIGN.md §5, no SPA): sign-in here, the console's sections beside it. */

import { deleteCookie, setCookie } from 'hono/cookie';
import { SESSION_COOKIE } from '../auth/middleware';
import { signIn } from '../auth/service';
import { revokeSession } from '../auth/sessions';
import { appConfig } from '../config';
import { controlDb } from '../db';
import { createRouter } from '../lib/router';
import { safeRedirectPath } from '../lib/safe-redirect';
import { assignmentPages } from './assignments';
import { compliancePages } from './compliance';
import { dashboardRoutes } from './dashboard';
import { type Lang, langOf, type T, translator } from './i18n';
import { importPages } from './imports';
import { inboxPages } from './inbox';
import { incidentPages } from './incidents';
import { Layout } from './layout';
import { ledgerPages } from './ledgers';
import { moneyPages } from './money';
import { platformPages } from './platform';
import { publicPages } from './public';
import { recordPages } from './record';
import { reportPages } from './reports';
import { ruleSetPages } from './rule-sets';
import { superviseePages } from './supervisees';
import { userPages } from './users';

function LoginPage(props: { lang: Lang; t: T; error?: string; next?: string | null; login?: string }) {
  const { t } = props;
  return (
    <Layout
      lang={props.lang}
      t={t}
      title={t('signIn')}
      path={props.next ? `/login?next=${encodeURIComponent(props.next)}` : '/login'}
    >
      <form class="card narrow" method="post" action="/login">
        <h1>{t('signIn')}</h1>
        {props.error ? (
          <p class="error" role="alert" id="login-error">
            {props.error}
          </p>
        ) : null}
        <label for="login">{t('login')}</label>
        <input
          id="login"
          name="login"
          autocomplete="username"
          autocapitalize="none"
          required
          value={props.login ?? ''}
          aria-invalid={props.error ? 'true' : undefined}
          aria-describedby={props.error ? 'login-error' : undefined}
        />
        <label for="password">{t('password')}</label>
        <input
          id="password"
          name="password"
          type="password"
          autocomplete="current-password"
          required
          aria-invalid={props.error ? 'true' : undefined}
          aria-describedby={props.error ? 'login-error' : undefined}
        />
        {props.next ? <input type="hidden" name="next" value={props.next} /> : null}
        <button type="submit">{t('signIn')}</button>
      </form>
    </Layout>
  );
}

export const signInRoutes = createRouter()
  .get('/login', (c) => {
    const lang = langOf(c);
    return c.html(
      <LoginPage lang={lang} t={translator(lang)} next={safeRedirectPath(c.req.query('next'), c.req.url)} />,
    );
  })
  .post('/login', async (c) => {
    const lang = langOf(c);
    const t = translator(lang);
    const form = await c.req.parseBody();
    const login = typeof form.login === 'string' ? form.login : '';
    const password = typeof form.password === 'string' ? form.password : '';
    const next = safeRedirectPath(form.next, c.req.url);
    const cfg = appConfig(c.env);
    const result =
      login && password ? await signIn(c.env, cfg, { login, password, requestId: c.get('requestId') }) : null;
    if (!result?.ok) {
      const error = result && !result.ok && result.reason === 'locked' ? t('locked') : t('invalidLogin');
      return c.html(
        <LoginPage lang={lang} t={t} error={error} next={next} login={login} />,
        result ? (result.reason === 'locked' ? 429 : 401) : 400,
      );
    }
    setCookie(c, SESSION_COOKIE, result.value.cookieSecret, {
      path: '/',
      secure: true,
      httpOnly: true,
      sameSite: 'Lax',
      maxAge: cfg.sessionAbsoluteHours * 3600,
    });
    const firstCounty = result.value.memberships.find((m) => m.county)?.county;
    const operator = result.value.memberships.some((m) => m.role === 'platform_operator');
    return c.redirect(next ?? (firstCounty ? `/c/${firstCounty}/` : operator ? '/platform' : '/inbox'), 303);
  })
  .post('/logout', async (c) => {
    await revokeSession(controlDb(c.env), c.var.principal!.session.id);
    deleteCookie(c, SESSION_COOKIE, { path: '/', secure: true });
    return c.redirect('/login', 303);
  })
  .get('/', (c) => {
    const principal = c.var.principal;
    if (!principal) return c.redirect('/login', 303);
    const first = principal.memberships.find((m) => m.county)?.county;
    if (first) return c.redirect(`/c/${first}/`, 303);
    return c.redirect(
      principal.memberships.some((m) => m.role === 'platform_operator') ? '/platform' : '/inbox',
      303,
    );
  });

/** Every page of the console, in one router mounted by the app. */
export const pageRoutes = createRouter()
  .route('/', signInRoutes)
  .route('/', dashboardRoutes)
  .route('/', superviseePages)
  .route('/', ruleSetPages)
  .route('/', userPages)
  .route('/', platformPages)
  .route('/', inboxPages)
  .route('/', incidentPages)
  .route('/', reportPages)
  .route('/', recordPages)
  .route('/', assignmentPages)
  .route('/', ledgerPages)
  .route('/', importPages)
  .route('/', compliancePages)
  .route('/', moneyPages)
  .route('/', publicPages);
