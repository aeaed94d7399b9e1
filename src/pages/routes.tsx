/** Server-rendered pages: sign-in and the county console's entry (DESIGN.md §5, no SPA). */

import { inArray } from 'drizzle-orm';
import { deleteCookie, setCookie } from 'hono/cookie';
import { CSRF_FIELD, SESSION_COOKIE } from '../auth/middleware';
import { ROLE_LABELS } from '../auth/roles';
import { signIn } from '../auth/service';
import { revokeSession } from '../auth/sessions';
import { appConfig } from '../config';
import { controlDb } from '../db';
import { counties } from '../db/control-schema';
import { createRouter } from '../lib/router';
import { type Lang, langOf, type T, translator } from './i18n';
import { Layout } from './layout';

/** Only same-site paths: an open redirect after sign-in would be a phishing aid. */
const safeNext = (next: unknown) =>
  typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\')
    ? next
    : null;

function LoginPage(props: { lang: Lang; t: T; error?: string; next?: string | null; login?: string }) {
  const { t } = props;
  return (
    <Layout lang={props.lang} t={t} title={t('signIn')} path="/login">
      <form class="card narrow" method="post" action="/login">
        <h1>{t('signIn')}</h1>
        {props.error ? (
          <p class="error" role="alert">
            {props.error}
          </p>
        ) : null}
        <label for="login">{t('login')}</label>
        <input id="login" name="login" autocomplete="username" required value={props.login ?? ''} />
        <label for="password">{t('password')}</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required />
        {props.next ? <input type="hidden" name="next" value={props.next} /> : null}
        <button type="submit">{t('signIn')}</button>
      </form>
    </Layout>
  );
}

export const pageRoutes = createRouter()
  .get('/login', (c) => {
    const lang = langOf(c);
    return c.html(<LoginPage lang={lang} t={translator(lang)} next={safeNext(c.req.query('next'))} />);
  })
  .post('/login', async (c) => {
    const lang = langOf(c);
    const t = translator(lang);
    const form = await c.req.parseBody();
    const login = typeof form.login === 'string' ? form.login : '';
    const password = typeof form.password === 'string' ? form.password : '';
    const next = safeNext(form.next);
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
    return c.redirect(next ?? (firstCounty ? `/c/${firstCounty}/` : '/docs'), 303);
  })
  .post('/logout', async (c) => {
    await revokeSession(controlDb(c.env), c.var.principal!.session.id);
    deleteCookie(c, SESSION_COOKIE, { path: '/', secure: true });
    return c.redirect('/login', 303);
  })
  .get('/c/:county', (c) => c.redirect(`/c/${c.var.county.slug}/`, 301))
  .get('/c/:county/', async (c) => {
    const lang = langOf(c);
    const t = translator(lang);
    const principal = c.var.principal!;
    const county = c.var.county;
    const mySlugs = [...new Set(principal.memberships.map((m) => m.county).filter((s): s is string => !!s))];
    const mine = await controlDb(c.env).select().from(counties).where(inArray(counties.slug, mySlugs));
    const roles = principal.memberships.filter((m) => m.county === county.slug);
    const nav = (
      <form method="post" action="/logout" class="inline">
        <input type="hidden" name={CSRF_FIELD} value={principal.session.csrfToken} />
        <button type="submit" class="link">
          {t('signOut')}
        </button>
      </form>
    );
    return c.html(
      <Layout lang={lang} t={t} title={county.name} path={`/c/${county.slug}/`} header={nav}>
        <h1>{lang === 'zh' ? county.name : (county.nameEn ?? county.name)}</h1>
        <p>
          {t('welcome')}, {principal.user.displayName}
        </p>
        <section class="card">
          <h2>{t('yourRoles')}</h2>
          <ul>
            {roles.map((m) => (
              <li>{ROLE_LABELS[m.role][lang]}</li>
            ))}
          </ul>
        </section>
        {mine.length > 1 ? (
          <section class="card">
            <h2>{t('otherCounties')}</h2>
            <ul>
              {mine.map((k) => (
                <li>
                  <a href={`/c/${k.slug}/`} aria-current={k.slug === county.slug ? 'page' : undefined}>
                    {lang === 'zh' ? k.name : (k.nameEn ?? k.name)}
                  </a>
                </li>
              ))}
            </ul>
          </section>
        ) : null}
        <p>
          <a href="/docs">{t('apiDocs')}</a>
        </p>
      </Layout>,
    );
  });
