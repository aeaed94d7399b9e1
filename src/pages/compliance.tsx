/**
 * Compliance in the console: the month at a glance for the dashboard (share met per
 * requirement, township and provider, as SVG), a supervisee's compliance calendar, the
 * cross-county worklist of a social worker, and the what-if preview of a draft rule set.
 */
import { and, gte, inArray, isNull, lte, or } from 'drizzle-orm';
import type { Child } from 'hono/jsx';
import { fanOut } from '../compliance/across-counties';
import { responsibility } from '../compliance/scope';
import {
  countyCompliance,
  monthRange,
  previewRuleSet,
  superviseeCompliance,
  type WorklistItem,
  worklist,
  worklistRange,
} from '../compliance/service';
import { controlDb, queryInChunks } from '../db';
import { counties, providers } from '../db/control-schema';
import { type Ctx, countyCtx } from '../lib/context';
import { createRouter } from '../lib/router';
import { ruleSetOn } from '../rule-sets/service';
import { addDays, type ComplianceItem, type RuleSet } from '../rules';
import { superviseeScope } from '../supervisees/access';
import { assignments, type SuperviseeRow } from '../supervisees/schema';
import { type Bar, BarChart, pct, toneOf } from './charts';
import type { Msg } from './i18n';
import { base, countyName, Notice, Page, type PageCtx, pageCtx } from './kit';
import { knownTypeName, typeName } from './labels';
import { countyLookups, townshipLabel } from './supervisees';

const M = {
  perRequirement: { zh: '本月各项要求达标率', en: 'Share met this month, per requirement' },
  perTownship: { zh: '本月各乡镇（街道）达标率', en: 'Share met this month, per township' },
  perProvider: { zh: '本月各社工组织达标率', en: 'Share met this month, per provider' },
  noItems: { zh: '本月暂无考核项。', en: 'Nothing to meet this month yet.' },
  overdue: { zh: '逾期未完成', en: 'Overdue' },
  noOverdue: { zh: '没有逾期事项。', en: 'Nothing overdue.' },
  calendar: { zh: '达标日历', en: 'Compliance calendar' },
  calendarHint: {
    zh: '每项要求在各考核周期的完成情况（已完成/要求）。',
    en: 'Each requirement per window: achieved / required.',
  },
  worklist: { zh: '我的待办', en: 'My worklist' },
  worklistHint: {
    zh: '您负责的对象在各县区未完成的服务要求，按到期日排序。',
    en: 'Requirements not yet met for the supervisees you look after, in every county, soonest first.',
  },
  noWork: { zh: '没有待办事项。', en: 'Nothing to do.' },
  unavailable: { zh: '暂时无法读取：', en: 'Not reachable now: ' },
  supervisee: { zh: '对象', en: 'Supervisee' },
  requirement: { zh: '要求', en: 'Requirement' },
  window: { zh: '周期', en: 'Window' },
  dueBy: { zh: '到期', en: 'Due by' },
  progress: { zh: '进度', en: 'Progress' },
  record: { zh: '记录', en: 'Record' },
  recorded: { zh: '已记录：', en: 'Recorded: ' },
  preview: { zh: '试算预览', en: 'What-if preview' },
  previewHint: {
    zh: '假如此草稿现在发布，所选月份中未达标（或进度落后）的人数与现行规则相比的变化。',
    en: 'If this draft were published now: how many supervisees would be short (or behind pace) in the month, against the rules in force.',
  },
  month: { zh: '月份', en: 'Month' },
  run: { zh: '试算', en: 'Preview' },
  inForce: { zh: '现行规则', en: 'In force' },
  draft: { zh: '草稿', en: 'Draft' },
  change: { zh: '变化', en: 'Change' },
  applies: { zh: '适用人数', en: 'applies to' },
  shortOf: { zh: '未达标', en: 'short' },
  evaluated: { zh: '在矫对象', en: 'supervisees' },
} satisfies Record<string, Msg>;

export const STATUS: Record<ComplianceItem['status'], Msg> = {
  met: { zh: '已完成', en: 'met' },
  open: { zh: '进行中', en: 'open' },
  due: { zh: '待完成', en: 'due' },
  short: { zh: '未达标', en: 'short' },
  overdue: { zh: '已逾期', en: 'overdue' },
};
const TONE: Record<ComplianceItem['status'], string> = {
  met: 'ok',
  open: '',
  due: 'warn',
  short: 'bad',
  overdue: 'bad',
};

const requirementLabel = (rs: RuleSet | undefined, id: string) => {
  if (!rs) return id;
  const r = [...rs.requirements, ...rs.specialPeriods.flatMap((p) => p.requirements)].find(
    (x) => x.id === id,
  );
  return r?.label ?? id;
};
const requirementType = (rs: RuleSet | undefined, id: string) =>
  rs
    ? [...rs.requirements, ...rs.specialPeriods.flatMap((p) => p.requirements)].find((x) => x.id === id)
        ?.activityTypes[0]
    : undefined;
const amount = (item: ComplianceItem) =>
  item.measure === 'hours' ? `${item.achieved}/${item.required} h` : `${item.achieved}/${item.required}`;

// ---------------------------------------------------------------------------------------------
// Dashboard

function sharesBy(groups: Map<string, { met: number; total: number }>, label: (k: string) => string): Bar[] {
  return [...groups.entries()].map(([k, g]) => ({
    label: label(k),
    share: g.total ? g.met / g.total : 0,
    text: `${g.met}/${g.total} · ${pct(g.met, g.total)}%`,
    tone: toneOf(g.total ? g.met / g.total : 0),
  }));
}

/** The compliance part of the dashboard; null for roles without a view of supervisees. */
export async function dashboardCompliance(c: Ctx, p: PageCtx): Promise<Child> {
  const scope = superviseeScope(c.var.countyMemberships);
  if (!scope) return null;
  const { s, lang } = p;
  const k = countyCtx(c);
  const month = monthRange(k.today.slice(0, 7));
  const [month_, l, inForce, assigned] = await Promise.all([
    countyCompliance(k, scope, month, undefined),
    countyLookups(c),
    ruleSetOn(k.db, k.today),
    k.db
      .select({ superviseeId: assignments.superviseeId, providerId: assignments.providerId })
      .from(assignments)
      .where(
        and(
          lte(assignments.fromDate, month.to),
          or(isNull(assignments.toDate), gte(assignments.toDate, month.from)),
        ),
      ),
  ]);
  const rs = inForce?.ruleSet;
  const byReq = new Map<string, { met: number; total: number }>();
  const byTown = new Map<string, { met: number; total: number }>();
  const byProvider = new Map<string, { met: number; total: number }>();
  const providerOf = new Map<string, string>();
  for (const a of assigned) providerOf.set(a.superviseeId, a.providerId);
  const add = (m: Map<string, { met: number; total: number }>, key: string, met: boolean) => {
    const g = m.get(key) ?? { met: 0, total: 0 };
    g.total += 1;
    if (met) g.met += 1;
    m.set(key, g);
  };
  for (const person of month_.items) {
    for (const item of person.items) {
      const met = item.status === 'met';
      add(byReq, item.requirementId, met);
      add(byTown, person.townshipId, met);
      const provider = providerOf.get(person.superviseeId);
      if (provider) add(byProvider, provider, met);
    }
  }
  const providerIds = [...byProvider.keys()];
  const names = await queryInChunks(providerIds, 0, (chunk) =>
    controlDb(c.env)
      .select({ id: providers.id, name: providers.name, nameEn: providers.nameEn })
      .from(providers)
      .where(inArray(providers.id, chunk)),
  );
  const providerName = (id: string) => {
    const x = names.find((n) => n.id === id);
    return x ? (lang === 'zh' ? x.name : (x.nameEn ?? x.name)) : id;
  };
  return (
    <section class="card charts" aria-label={s(M.perRequirement)}>
      <BarChart
        id="chart-requirements"
        title={s(M.perRequirement)}
        bars={sharesBy(byReq, (id) => requirementLabel(rs, id))}
        empty={s(M.noItems)}
      />
      <BarChart
        id="chart-township-share"
        title={s(M.perTownship)}
        bars={sharesBy(byTown, (id) => townshipLabel(l, id, lang))}
        empty={s(M.noItems)}
      />
      <BarChart
        id="chart-providers"
        title={s(M.perProvider)}
        bars={sharesBy(byProvider, providerName)}
        empty={s(M.noItems)}
      />
    </section>
  );
}

/** The overdue part of the caller's worklist in this county, for the dashboard. */
export async function dashboardOverdue(c: Ctx, p: PageCtx): Promise<Child> {
  const k = countyCtx(c);
  const range = worklistRange(k.today, k.today);
  const responsible = responsibility(c.var.countyMemberships, k.actorUserId, range);
  if (responsible === null) return null;
  const [items, inForce] = await Promise.all([worklist(k, responsible, k.today), ruleSetOn(k.db, k.today)]);
  const overdue = items.filter((x) => x.dueBy < k.today).slice(0, 15);
  return (
    <section class="card" aria-labelledby="overdue">
      <h2 id="overdue">
        {p.s(M.overdue)} <span class="badge bad">{items.filter((x) => x.dueBy < k.today).length}</span>
      </h2>
      {overdue.length === 0 ? (
        <p class="muted">{p.s(M.noOverdue)}</p>
      ) : (
        <WorkTable
          p={p}
          items={overdue.map((x) => ({ ...x, county: k.county.slug }))}
          rules={{ [k.county.slug]: inForce?.ruleSet }}
        />
      )}
    </section>
  );
}

// ---------------------------------------------------------------------------------------------
// A supervisee's calendar

export async function complianceCalendar(c: Ctx, p: PageCtx, row: SuperviseeRow): Promise<Child> {
  const scope = superviseeScope(c.var.countyMemberships);
  if (!scope) return null;
  const k = countyCtx(c);
  const first = `${addDays(`${k.today.slice(0, 7)}-01`, -40).slice(0, 7)}-01`;
  const last = monthRange(k.today.slice(0, 7)).to;
  const [out, inForce] = await Promise.all([
    superviseeCompliance(k, scope, row.id, { from: first, to: last }),
    ruleSetOn(k.db, k.today),
  ]);
  const rs = inForce?.ruleSet;
  const byReq = new Map<string, ComplianceItem[]>();
  for (const item of out.items)
    byReq.set(item.requirementId, [...(byReq.get(item.requirementId) ?? []), item]);
  const { s, lang } = p;
  return (
    <section class="card" aria-labelledby="calendar">
      <h2 id="calendar">{s(M.calendar)}</h2>
      <p class="hint">
        {s(M.calendarHint)} {first} – {last}
      </p>
      {byReq.size === 0 ? (
        <p class="muted">{s(M.noItems)}</p>
      ) : (
        <table class="list calendar">
          <tbody>
            {[...byReq.entries()].map(([id, items]) => (
              <tr>
                <th scope="row">{requirementLabel(rs, id)}</th>
                <td>
                  <ul class="windows">
                    {items.map((x) => (
                      <li
                        class={`window ${TONE[x.status]}`}
                        data-requirement={id}
                        data-due={x.dueBy}
                        data-status={x.status}
                      >
                        <span class="when">
                          {x.windowStart.slice(5)}–{x.windowEnd.slice(5)}
                        </span>{' '}
                        <span class="badge">{STATUS[x.status][lang]}</span> {amount(x)}
                      </li>
                    ))}
                  </ul>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

// ---------------------------------------------------------------------------------------------
// The cross-county worklist

type Entry = WorklistItem & { county: string };

/**
 * A window that is over can only be made good by a service dated inside it (a late entry, 补录),
 * so its row's link pre-fills the window's last day and the form asks for the real day. A rolling
 * requirement is made good by a service today: no date is suggested.
 */
function lateEntryDay(rules: RuleSet | undefined, x: WorklistItem): string | null {
  if (x.status !== 'short' && x.status !== 'overdue') return null;
  const req = rules?.requirements.find((r) => r.id === x.requirementId);
  if (!req || 'rollingDays' in req.window) return null;
  return x.windowEnd;
}

function WorkTable(props: {
  p: PageCtx;
  items: Entry[];
  rules: Record<string, RuleSet | undefined>;
  countyNames?: Map<string, string>;
}) {
  const { p } = props;
  const { s, lang } = p;
  return (
    <div class="table-wrap">
      <table class="list worklist">
        <thead>
          <tr>
            {props.countyNames ? <th scope="col">{p.t('county')}</th> : null}
            <th scope="col">{s(M.supervisee)}</th>
            <th scope="col">{s(M.requirement)}</th>
            <th scope="col">{s(M.dueBy)}</th>
            <th scope="col">{s(M.progress)}</th>
            <th scope="col">
              <span class="sr-only">{p.t('actions')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {props.items.map((x) => {
            const type = requirementType(props.rules[x.county], x.requirementId);
            const back = encodeURIComponent(props.countyNames ? '/worklist' : `/c/${x.county}/`);
            const on = lateEntryDay(props.rules[x.county], x);
            return (
              <tr data-supervisee={x.superviseeId} data-requirement={x.requirementId} data-due={x.dueBy}>
                {props.countyNames ? <td>{props.countyNames.get(x.county) ?? x.county}</td> : null}
                <td>{x.name}</td>
                <td>{requirementLabel(props.rules[x.county], x.requirementId)}</td>
                <td class="nowrap">{x.dueBy}</td>
                <td>
                  <span class={`badge ${TONE[x.status]}`}>{STATUS[x.status][lang]}</span> {amount(x)}
                </td>
                <td>
                  <a
                    class="button small"
                    href={`/c/${x.county}/record?supervisee=${x.superviseeId}${type ? `&type=${type}` : ''}&back=${back}${on ? `&on=${on}` : ''}`}
                    aria-label={`${s(M.record)} ${x.name} ${requirementLabel(props.rules[x.county], x.requirementId)}`}
                  >
                    {s(M.record)}
                    {type ? ` ${typeName(type, lang)}` : ''}
                  </a>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

export const compliancePages = createRouter().get('/worklist', async (c) => {
  const p = await pageCtx(c);
  const { s, lang } = p;
  const answers = await fanOut(
    c.env,
    p.principal,
    c.get('requestId'),
    async (k, responsible) => {
      const until = addDays(k.today, 14);
      const [items, inForce] = await Promise.all([worklist(k, responsible, until), ruleSetOn(k.db, k.today)]);
      return { items, rules: inForce?.ruleSet };
    },
    (today) => worklistRange(today, addDays(today, 14)),
  );
  const items: Entry[] = [];
  const rules: Record<string, RuleSet | undefined> = {};
  for (const a of answers) {
    rules[a.county] = a.value?.rules;
    for (const item of a.value?.items ?? []) items.push({ county: a.county, ...item });
  }
  items.sort((a, b) => (a.dueBy < b.dueBy ? -1 : a.dueBy > b.dueBy ? 1 : a.county < b.county ? -1 : 1));
  const all = await controlDb(c.env).select().from(counties);
  const names = new Map(all.map((k) => [k.slug, countyName(p, k)]));
  const down = answers.filter((a) => a.status === 'unavailable').map((a) => names.get(a.county) ?? a.county);
  // Back from the record form: a known type's name only, never the address bar's own text.
  const done = knownTypeName(c.req.query('doneType'), lang);
  return c.html(
    <Page p={p} title={s(M.worklist)}>
      <h1>{s(M.worklist)}</h1>
      <p class="hint">{s(M.worklistHint)}</p>
      <Notice text={done ? `${s(M.recorded)}${done}` : null} />
      {down.length ? (
        <p class="alert error">
          {s(M.unavailable)}
          {down.join('、')}
        </p>
      ) : null}
      {items.length === 0 ? (
        <p class="card">{s(M.noWork)}</p>
      ) : (
        <section class="card">
          <WorkTable p={p} items={items} rules={rules} countyNames={names} />
        </section>
      )}
    </Page>,
  );
});

// ---------------------------------------------------------------------------------------------
// The what-if preview of a draft

export async function previewSection(c: Ctx, p: PageCtx, draftId: string, rs: RuleSet): Promise<Child> {
  const { s } = p;
  const k = countyCtx(c);
  const asked = c.req.query('preview');
  const month = asked && /^\d{4}-(0[1-9]|1[0-2])$/.test(asked) ? asked : null;
  const result = month ? await previewRuleSet(k, draftId, monthRange(month)) : null;
  const b = base(p);
  return (
    <section class="card" aria-labelledby="preview">
      <h2 id="preview">{s(M.preview)}</h2>
      <p class="hint">{s(M.previewHint)}</p>
      <form method="get" action={`${b}/rule-sets/${draftId}`} class="inline-form">
        <div class="field">
          <label for="preview-month">{s(M.month)}</label>
          <input
            id="preview-month"
            name="preview"
            type="month"
            value={month ?? k.today.slice(0, 7)}
            required
          />
        </div>
        <div class="actions">
          <button type="submit" class="secondary">
            {s(M.run)}
          </button>
        </div>
      </form>
      {result ? (
        <div class="table-wrap" id="preview-result">
          <p>
            {result.month} · {result.supervisees} {s(M.evaluated)}
          </p>
          <table class="list">
            <thead>
              <tr>
                <th scope="col">{s(M.requirement)}</th>
                <th scope="col">
                  {s(M.inForce)} ({s(M.shortOf)}/{s(M.applies)})
                </th>
                <th scope="col">
                  {s(M.draft)} ({s(M.shortOf)}/{s(M.applies)})
                </th>
                <th scope="col">{s(M.change)}</th>
              </tr>
            </thead>
            <tbody>
              {result.requirements.map((r) => (
                <tr>
                  <th scope="row">{requirementLabel(rs, r.requirementId)}</th>
                  <td>
                    {r.inForce.short}/{r.inForce.applies}
                  </td>
                  <td>
                    {r.draft.short}/{r.draft.applies}
                  </td>
                  <td>
                    <span class={`badge ${r.change > 0 ? 'bad' : r.change < 0 ? 'ok' : ''}`}>
                      {r.change > 0 ? `+${r.change}` : String(r.change)}
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
