import type { Child } from 'hono/jsx';
import type { Lang, T } from './i18n';

export function Layout(props: {
  lang: Lang;
  t: T;
  title: string;
  path: string;
  children: Child;
  header?: Child;
}) {
  const other = props.lang === 'zh' ? 'en' : 'zh';
  return (
    <html lang={props.lang === 'zh' ? 'zh-CN' : 'en'}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · ${props.t('appName')}`}</title>
        <link rel="stylesheet" href="/assets/app.css" />
      </head>
      <body>
        <header class="top">
          <a class="brand" href="/">
            {props.t('appName')}
          </a>
          <nav>
            {props.header}
            <a href={`${props.path}?lang=${other}`} hreflang={other} lang={other === 'zh' ? 'zh-CN' : 'en'}>
              {props.t('language')}
            </a>
          </nav>
        </header>
        <main>{props.children}</main>
      </body>
    </html>
  );
}
