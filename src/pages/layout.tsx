import type { Child } from 'hono/jsx';
import { type Lang, switchLangHref, type T } from './i18n';

/** The chrome of pages shown without a session: sign-in, public disclosure, error pages. */
export function Layout(props: {
  lang: Lang;
  t: T;
  title: string;
  /** The current address (to switch language in place), or a path. */
  path: string;
  children: Child;
  header?: Child;
  brandHref?: string;
}) {
  const other = props.lang === 'zh' ? 'en' : 'zh';
  const href = switchLangHref(new URL(props.path, 'http://x').href, other);
  return (
    <html lang={props.lang === 'zh' ? 'zh-CN' : 'en'}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · ${props.t('appName')}`}</title>
        <link rel="stylesheet" href="/assets/app.css" />
      </head>
      <body>
        <a class="skip" href="#main">
          {props.t('skipToContent')}
        </a>
        <header class="top">
          <a class="brand" href={props.brandHref ?? '/'}>
            {props.t('appName')}
          </a>
          <div class="tools">
            {props.header}
            <a href={href} hreflang={other} lang={other === 'zh' ? 'zh-CN' : 'en'}>
              {props.t('language')}
            </a>
          </div>
        </header>
        <main id="main" tabindex={-1}>
          {props.children}
        </main>
      </body>
    </html>
  );
}
