/**
 * Service statistics (the case study's 三(一) table): sessions, person-times and hours per
 * activity type over a period, with a chart, and the same as an Excel-ready CSV from the API.
 */

import { countyCtx } from '../lib/context';
import { forbidden } from '../lib/problem';
import { createRouter } from '../lib/router';
import { reportScope } from '../reports/scope';
import { type StatisticsItem, statistics } from '../reports/statistics';
import { ACTIVITY_TYPE_LABELS, isBaseActivityType } from '../rules';
import { BarChart } from './charts';
import type { Lang, Msg } from './i18n';
import { base, fmtFen, Input, Page, pageCtx } from './kit';

const M = {
  title: { zh: '服务统计', en: 'Service statistics' },
  from: { zh: '起始日期', en: 'From' },
  to: { zh: '截止日期', en: 'To' },
  show: { zh: '统计', en: 'Show' },
  type: { zh: '服务类型', en: 'Activity type' },
  sessions: { zh: '场次', en: 'Sessions' },
  personTimes: { zh: '人次', en: 'Person-times' },
  persons: { zh: '人数', en: 'Persons' },
  hours: { zh: '服务时长（小时）', en: 'Hours' },
  keyPersonTimes: { zh: '重点对象人次', en: 'Key-person times' },
  aid: { zh: '帮扶金额', en: 'Aid' },
  total: { zh: '合计', en: 'Total' },
  csv: { zh: '导出 Excel（CSV）', en: 'Download for Excel (CSV)' },
  hoursChart: { zh: '各类服务时长', en: 'Hours per activity type' },
  none: { zh: '该期间没有服务记录。', en: 'No services recorded in this period.' },
} satisfies Record<string, Msg>;

export const typeLabel = (type: string, lang: Lang, fallback?: string) =>
  isBaseActivityType(type) ? ACTIVITY_TYPE_LABELS[type][lang] : (fallback ?? type);

const isDate = (s: string | undefined): s is string => !!s && /^\d{4}-\d{2}-\d{2}$/.test(s);

export function StatisticsTable(props: { lang: Lang; items: readonly StatisticsItem[]; money?: boolean }) {
  const { lang, items } = props;
  const s = (m: Msg) => m[lang];
  const sum = (f: (x: StatisticsItem) => number) => items.reduce((n, x) => n + f(x), 0);
  const h = (n: number) => (Math.round(n * 10) / 10).toString();
  return (
    <div class="table-wrap">
      <table class="list">
        <thead>
          <tr>
            <th scope="col">{s(M.type)}</th>
            <th scope="col">{s(M.sessions)}</th>
            <th scope="col">{s(M.personTimes)}</th>
            <th scope="col">{s(M.hours)}</th>
            {props.money ? <th scope="col">{s(M.aid)}</th> : null}
          </tr>
        </thead>
        <tbody>
          {items.map((x) => (
            <tr>
              <th scope="row">{typeLabel(x.type, lang, x.label)}</th>
              <td>{x.sessions}</td>
              <td>{x.personTimes}</td>
              <td>{h(x.hours)}</td>
              {props.money ? <td>{x.aidAmountFen ? fmtFen(x.aidAmountFen, lang) : ''}</td> : null}
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">{s(M.total)}</th>
            <td>{sum((x) => x.sessions)}</td>
            <td>{sum((x) => x.personTimes)}</td>
            <td>{h(sum((x) => x.hours))}</td>
            {props.money ? (
              <td>
                {fmtFen(
                  sum((x) => x.aidAmountFen),
                  lang,
                )}
              </td>
            ) : null}
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

export function hoursBars(items: readonly StatisticsItem[], lang: Lang) {
  const max = Math.max(1, ...items.map((x) => x.hours));
  return items.map((x) => ({
    label: typeLabel(x.type, lang, x.label),
    share: x.hours / max,
    text: `${Math.round(x.hours * 10) / 10} h`,
  }));
}

export const reportPages = createRouter().get('/c/:county/reports', async (c) => {
  const p = await pageCtx(c);
  const { s, lang } = p;
  const scope = reportScope(c.var.countyMemberships);
  if (!scope) throw forbidden('Your role does not see statistics.');
  const k = countyCtx(c);
  const from = isDate(c.req.query('from')) ? c.req.query('from')! : `${k.today.slice(0, 4)}-01-01`;
  const to0 = isDate(c.req.query('to')) ? c.req.query('to')! : k.today;
  const to = to0 < from ? from : to0;
  const items = await statistics(k.db, scope, { from, to });
  const csv = `/api/v1/counties/${p.county!.slug}/reports/statistics?from=${from}&to=${to}&format=csv`;
  return c.html(
    <Page p={p} title={s(M.title)}>
      <h1>{s(M.title)}</h1>
      <form method="get" action={`${base(p)}/reports`} class="card filters">
        <Input name="from" label={s(M.from)} type="date" value={from} />
        <Input name="to" label={s(M.to)} type="date" value={to} />
        <div class="actions">
          <button type="submit">{s(M.show)}</button>
          <a class="button secondary" href={csv} download>
            {s(M.csv)}
          </a>
        </div>
      </form>
      {items.length === 0 ? (
        <p class="card">{s(M.none)}</p>
      ) : (
        <>
          <section class="card" aria-labelledby="chart-hours-title">
            <BarChart
              id="chart-hours"
              title={s(M.hoursChart)}
              bars={hoursBars(items, lang)}
              empty={s(M.none)}
            />
          </section>
          <section class="card">
            <StatisticsTable lang={lang} items={items} money />
          </section>
        </>
      )}
    </Page>,
  );
});
