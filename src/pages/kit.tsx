/**
 * What every console page shares: the request's page context (language, caller, county, CSRF
 * token), the chrome around a page (skip link, header, county switcher, role-based navigation,
 * language switch), form fields that show their errors accessibly, and form parsing.
 */
import { inArray } from 'drizzle-orm';
import type { Child } from 'hono/jsx';
import type { ZodError } from 'zod';
import { CSRF_FIELD } from '../auth/middleware';
import type { CountyRole } from '../auth/roles';
import { controlDb, queryInChunks } from '../db';
import { type CountyRow, counties } from '../db/control-schema';
import type { Principal } from '../env';
import type { Ctx } from '../lib/context';
import { type FieldError, Problem } from '../lib/problem';
import { type Lang, langOf, type Msg, type StringKey, say, switchLangHref, type T, translator } from './i18n';

export type PageCtx = {
  lang: Lang;
  t: T;
  s: (m: Msg) => string;
  principal: Principal;
  /** The county of a `/c/:county/…` page, else null. */
  county: CountyRow | null;
  /** The caller's roles in that county. */
  roles: ReadonlySet<CountyRole>;
  isOperator: boolean;
  csrf: string;
  url: string;
  /** Counties the caller has a role in, for the switcher. */
  myCounties: CountyRow[];
};

export async function pageCtx(c: Ctx): Promise<PageCtx> {
  const lang = langOf(c);
  const principal = c.var.principal!;
  const county = (c.var.county as CountyRow | undefined) ?? null;
  const slugs = [...new Set(principal.memberships.map((m) => m.county).filter((s): s is string => !!s))];
  const myCounties = await queryInChunks(slugs, 0, (chunk) =>
    controlDb(c.env).select().from(counties).where(inArray(counties.slug, chunk)),
  );
  myCounties.sort((a, b) => a.slug.localeCompare(b.slug));
  return {
    lang,
    t: translator(lang),
    s: say(lang),
    principal,
    county,
    roles: new Set(
      principal.memberships
        .filter((m) => county && m.county === county.slug)
        .map((m) => m.role as CountyRole),
    ),
    isOperator: principal.memberships.some((m) => m.role === 'platform_operator'),
    csrf: principal.session.csrfToken,
    url: c.req.url,
    myCounties,
  };
}

export const hasRole = (p: PageCtx, ...roles: CountyRole[]) => roles.some((r) => p.roles.has(r));
export const countyName = (p: { lang: Lang }, k: Pick<CountyRow, 'name' | 'nameEn'>) =>
  p.lang === 'zh' ? k.name : (k.nameEn ?? k.name);
export const base = (p: PageCtx) => `/c/${p.county!.slug}`;

type NavItem = { key: StringKey; href: string; show: boolean };

/** The console's sections, each shown to the roles that work in it. */
function navItems(p: PageCtx): NavItem[] {
  if (!p.county) {
    return [
      { key: 'navWorklist', href: '/worklist', show: p.myCounties.length > 0 },
      { key: 'navPlatform', href: '/platform', show: p.isOperator },
      { key: 'navInbox', href: '/inbox', show: true },
    ];
  }
  const b = base(p);
  return [
    { key: 'navDashboard', href: `${b}/`, show: true },
    {
      key: 'navSupervisees',
      href: `${b}/supervisees`,
      show: hasRole(
        p,
        'bureau_admin',
        'bureau_officer',
        'office_officer',
        'provider_admin',
        'provider_worker',
        'evaluator',
      ),
    },
    {
      key: 'navWorklist',
      href: '/worklist',
      show: hasRole(p, 'office_officer', 'provider_admin', 'provider_worker'),
    },
    {
      key: 'navRecord',
      href: `${b}/record`,
      show: hasRole(p, 'office_officer', 'provider_admin', 'provider_worker'),
    },
    {
      key: 'navLedgers',
      href: `${b}/ledgers`,
      show: hasRole(p, 'bureau_admin', 'bureau_officer', 'office_officer', 'provider_admin'),
    },
    { key: 'navImports', href: `${b}/imports`, show: hasRole(p, 'bureau_admin', 'bureau_officer') },
    {
      key: 'navIncidents',
      href: `${b}/incidents`,
      show: hasRole(
        p,
        'bureau_admin',
        'bureau_officer',
        'office_officer',
        'provider_admin',
        'provider_worker',
      ),
    },
    {
      key: 'navContracts',
      href: `${b}/contracts`,
      show: hasRole(
        p,
        'bureau_admin',
        'bureau_officer',
        'finance_officer',
        'civil_affairs_officer',
        'evaluator',
        'auditor',
        'provider_admin',
      ),
    },
    { key: 'navReports', href: `${b}/reports`, show: true },
    { key: 'navRuleSets', href: `${b}/rule-sets`, show: true },
    { key: 'navUsers', href: `${b}/users`, show: hasRole(p, 'bureau_admin') },
    { key: 'navInbox', href: '/inbox', show: true },
    { key: 'navPlatform', href: '/platform', show: p.isOperator },
  ];
}

export function Csrf(props: { p: PageCtx }) {
  return <input type="hidden" name={CSRF_FIELD} value={props.p.csrf} />;
}

/** The whole page: skip link, header with county switcher and language switch, navigation, main. */
export function Page(props: { p: PageCtx; title: string; children: Child; wide?: boolean }) {
  const { p } = props;
  const other: Lang = p.lang === 'zh' ? 'en' : 'zh';
  const path = new URL(p.url).pathname;
  const items = navItems(p).filter((i) => i.show);
  return (
    <html lang={p.lang === 'zh' ? 'zh-CN' : 'en'}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · ${p.county ? `${countyName(p, p.county)} · ` : ''}${p.t('appName')}`}</title>
        <link rel="stylesheet" href="/assets/app.css" />
      </head>
      <body>
        <a class="skip" href="#main">
          {p.t('skipToContent')}
        </a>
        <header class="top">
          <a class="brand" href={p.county ? `${base(p)}/` : '/'}>
            {p.t('appName')}
          </a>
          <div class="tools">
            {p.myCounties.length > 1 || (p.county && p.myCounties.length === 1) ? (
              <details class="switcher">
                <summary>
                  {p.county ? countyName(p, p.county) : p.t('otherCounties')}
                  <span class="sr-only"> · {p.t('otherCounties')}</span>
                </summary>
                <ul>
                  {p.myCounties.map((k) => (
                    <li>
                      <a
                        href={`/c/${k.slug}/`}
                        aria-current={p.county?.slug === k.slug ? 'page' : undefined}
                        lang={p.lang === 'zh' ? 'zh-CN' : 'en'}
                      >
                        {countyName(p, k)}
                      </a>
                    </li>
                  ))}
                </ul>
              </details>
            ) : null}
            <a href={switchLangHref(p.url, other)} hreflang={other} lang={other === 'zh' ? 'zh-CN' : 'en'}>
              {p.t('language')}
            </a>
            <span class="who">{p.principal.user.displayName}</span>
            <form method="post" action="/logout" class="inline">
              <Csrf p={p} />
              <button type="submit" class="link">
                {p.t('signOut')}
              </button>
            </form>
          </div>
        </header>
        <nav class="main-nav" aria-label={p.t('mainNav')}>
          <ul>
            {items.map((i) => (
              <li>
                <a
                  href={i.href}
                  aria-current={
                    path === i.href || (i.href.length > 1 && !i.href.endsWith('/') && path.startsWith(i.href))
                      ? 'page'
                      : undefined
                  }
                >
                  {p.t(i.key)}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" tabindex={-1} class={props.wide ? 'wide' : undefined}>
          {props.children}
        </main>
      </body>
    </html>
  );
}

// ---------------------------------------------------------------------------------------------
// Forms

export type Errors = Record<string, string>;

/** A posted form: single values by name, and every value of a repeated name. */
export type Form = { get: (name: string) => string; all: (name: string) => string[]; names: () => string[] };

export async function readForm(c: Ctx): Promise<Form> {
  const fd = await c.req.formData();
  return {
    get: (name) => {
      const v = fd.get(name);
      return typeof v === 'string' ? v : '';
    },
    all: (name) => fd.getAll(name).filter((v): v is string => typeof v === 'string'),
    names: () => [...new Set([...fd.keys()])],
  };
}

export function zodErrors(error: ZodError): Errors {
  const out: Errors = {};
  for (const issue of error.issues) {
    const path = issue.path.map(String).join('.');
    out[path] ??= issue.message;
  }
  return out;
}

export function fieldErrors(errors: readonly FieldError[]): Errors {
  const out: Errors = {};
  for (const e of errors) out[e.path] ??= e.message;
  return out;
}

/** A service's 400 as field errors; anything else as one message for the whole form. */
export function problemErrors(e: unknown): { errors: Errors; message: string } | null {
  if (!(e instanceof Problem) || e.status >= 500) return null;
  if (e.extra.errors?.length) return { errors: fieldErrors(e.extra.errors), message: e.detail };
  return { errors: {}, message: e.detail };
}

const errId = (name: string) => `${name.replace(/[^A-Za-z0-9_-]/g, '_')}-error`;
const fieldId = (name: string) => `f-${name.replace(/[^A-Za-z0-9_-]/g, '_')}`;

function FieldShell(props: {
  name: string;
  label: string;
  error?: string | undefined;
  hint?: string | undefined;
  children: Child;
}) {
  return (
    <div class={props.error ? 'field invalid' : 'field'}>
      <label for={fieldId(props.name)}>{props.label}</label>
      {props.hint ? (
        <p class="hint" id={`${errId(props.name)}-hint`}>
          {props.hint}
        </p>
      ) : null}
      {props.children}
      {props.error ? (
        <p class="field-error" id={errId(props.name)}>
          {props.error}
        </p>
      ) : null}
    </div>
  );
}

const describedBy = (name: string, error?: string, hint?: string) =>
  [error ? errId(name) : null, hint ? `${errId(name)}-hint` : null].filter(Boolean).join(' ') || undefined;

export function Input(props: {
  name: string;
  label: string;
  value?: string | number | null | undefined;
  error?: string | undefined;
  hint?: string | undefined;
  type?: string;
  required?: boolean;
  autocomplete?: string;
  inputmode?: 'text' | 'search' | 'url' | 'numeric' | 'none' | 'email' | 'tel' | 'decimal';
  min?: string | number;
  max?: string | number;
  step?: string | number;
  maxlength?: number;
  pattern?: string;
}) {
  return (
    <FieldShell name={props.name} label={props.label} error={props.error} hint={props.hint}>
      <input
        id={fieldId(props.name)}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value === null || props.value === undefined ? '' : String(props.value)}
        required={props.required}
        autocomplete={props.autocomplete}
        inputmode={props.inputmode}
        min={props.min}
        max={props.max}
        step={props.step}
        maxlength={props.maxlength}
        pattern={props.pattern}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={describedBy(props.name, props.error, props.hint)}
      />
    </FieldShell>
  );
}

export function TextArea(props: {
  name: string;
  label: string;
  value?: string | null | undefined;
  error?: string | undefined;
  hint?: string | undefined;
  rows?: number;
  required?: boolean;
  class?: string;
  spellcheck?: boolean;
}) {
  return (
    <FieldShell name={props.name} label={props.label} error={props.error} hint={props.hint}>
      <textarea
        id={fieldId(props.name)}
        name={props.name}
        rows={props.rows ?? 4}
        required={props.required}
        class={props.class}
        spellcheck={props.spellcheck === false ? false : undefined}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={describedBy(props.name, props.error, props.hint)}
      >
        {props.value ?? ''}
      </textarea>
    </FieldShell>
  );
}

export type Option = { value: string; label: string };

export function Select(props: {
  name: string;
  label: string;
  options: readonly Option[];
  value?: string | readonly string[] | null | undefined;
  error?: string | undefined;
  hint?: string | undefined;
  required?: boolean;
  multiple?: boolean;
  blank?: string;
}) {
  const chosen = new Set(
    Array.isArray(props.value) ? props.value : props.value ? [props.value as string] : [],
  );
  return (
    <FieldShell name={props.name} label={props.label} error={props.error} hint={props.hint}>
      <select
        id={fieldId(props.name)}
        name={props.name}
        required={props.required}
        multiple={props.multiple}
        size={props.multiple ? Math.min(6, props.options.length) : undefined}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={describedBy(props.name, props.error, props.hint)}
      >
        {props.blank !== undefined ? <option value="">{props.blank}</option> : null}
        {props.options.map((o) => (
          <option value={o.value} selected={chosen.has(o.value)}>
            {o.label}
          </option>
        ))}
      </select>
    </FieldShell>
  );
}

export function Checkbox(props: {
  name: string;
  label: string;
  checked?: boolean;
  error?: string | undefined;
  value?: string;
}) {
  return (
    <div class={props.error ? 'field check invalid' : 'field check'}>
      <input
        type="checkbox"
        id={fieldId(props.name)}
        name={props.name}
        value={props.value ?? 'true'}
        checked={props.checked}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={props.error ? errId(props.name) : undefined}
      />
      <label for={fieldId(props.name)}>{props.label}</label>
      {props.error ? (
        <p class="field-error" id={errId(props.name)}>
          {props.error}
        </p>
      ) : null}
    </div>
  );
}

/** The message at the top of a form that failed, announced to screen readers. */
export function FormAlert(props: { p: PageCtx; message?: string | null | undefined; errors?: Errors }) {
  const count = Object.keys(props.errors ?? {}).length;
  if (!props.message && count === 0) return null;
  return (
    <div class="alert error" role="alert">
      <p>{props.message ?? props.p.t('formHasErrors')}</p>
      {count > 0 ? (
        <ul>
          {Object.entries(props.errors ?? {}).map(([path, message]) => (
            <li>
              <a href={`#${fieldId(path)}`}>{path}</a>: {message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** A flash message carried in the query string after a redirect (post → redirect → get). */
export function Notice(props: { text?: string | null | undefined }) {
  return props.text ? (
    <p class="alert ok" role="status">
      {props.text}
    </p>
  ) : null;
}

export const fmtFen = (fen: number, lang: Lang) =>
  `${lang === 'zh' ? '¥' : 'CNY '}${(fen / 100).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-US', {
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  })}`;
