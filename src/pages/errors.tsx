/** Errors of page requests as pages (a browser should never be shown problem+json). */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { langOf, translator } from './i18n';
import { Layout } from './layout';

/** A browser's page request: not the API, and HTML accepted. */
export const wantsPage = (c: Context) =>
  !c.req.path.startsWith('/api/') && (c.req.header('accept') ?? '').includes('text/html');

export function pageErrorResponse(c: Context, status: ContentfulStatusCode, detail: string) {
  const lang = langOf(c);
  const t = translator(lang);
  const title = status === 404 ? t('notFoundTitle') : status === 403 ? t('forbiddenTitle') : `${status}`;
  // The county page of a missing record and of a forbidden one read the same (no existence leak).
  const text = status === 404 ? t('notFound') : detail;
  return c.html(
    <Layout lang={lang} t={t} title={title} path={c.req.url}>
      <section class="card narrow">
        <h1>{title}</h1>
        <p>{text}</p>
        <p class="muted">
          <span lang="en">request id</span>: <code>{c.get('requestId')}</code>
        </p>
        <p>
          <a href="/">{t('navDashboard')}</a>
        </p>
      </section>
    </Layout>,
    status,
  );
}
