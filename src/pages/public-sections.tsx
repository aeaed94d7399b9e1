/**
 * The parts of the public page that come from other features: the bureau's last published
 * disclosure (信息公开: programme, procurement, contracts, money, evaluations, statistics; an
 * allowlisted snapshot, re-checked on the way out), or, before any publication, this year's
 * service statistics computed live. Counts, names of organisations and money only, never a person.
 */
import { desc } from 'drizzle-orm';
import type { Child } from 'hono/jsx';
import type { CountyRow } from '../db/control-schema';
import { disclosures } from '../disclosure/schema';
import { type Disclosure, DisclosureDocument } from '../disclosure/service';
import type { CountyDb } from '../env';
import type { Ctx } from '../lib/context';
import { todayIn } from '../lib/time';
import { statistics } from '../reports/statistics';
import { BarChart, StackedBar } from './charts';
import type { Lang, Msg } from './i18n';
import { fmtFen } from './kit';
import { hoursBars, StatisticsTable } from './reports';

const M = {
  results: { zh: '服务成效', en: 'Results' },
  thisYear: { zh: '年服务情况（截至', en: ': services so far (to ' },
  hours: { zh: '各类服务时长', en: 'Hours per activity type' },
  none: { zh: '本年度尚无服务记录。', en: 'No services recorded this year yet.' },
  money: { zh: '项目资金', en: 'Programme money' },
  budget: { zh: '预算', en: 'Budget' },
  contracted: { zh: '合同金额', en: 'Contracted' },
  paid: { zh: '已支付', en: 'Paid' },
  left: { zh: '未支付', en: 'Not yet paid' },
  uncommitted: { zh: '未签约', en: 'Not contracted' },
  procurement: { zh: '采购方式', en: 'Procurement' },
  bidders: { zh: '参与磋商机构', en: 'Bidders' },
  contracts: { zh: '服务合同', en: 'Contracts' },
  period: { zh: '服务期', en: 'Period' },
  evaluation: { zh: '绩效评价', en: 'Evaluation' },
  score: { zh: '得分', en: 'score' },
  release: { zh: '活动经费拨付比例', en: 'activity funds released' },
  notEvaluated: { zh: '尚未评价', en: 'not evaluated yet' },
  published: { zh: '公开日期', en: 'Published' },
  confirmedOnly: {
    zh: '服务统计仅含司法所已确认台账中的记录。',
    en: 'Statistics count only services in ledgers the township offices confirmed.',
  },
} satisfies Record<string, Msg>;

export function DisclosureView(props: { doc: Disclosure; lang: Lang }) {
  const { doc, lang } = props;
  const s = (m: Msg) => m[lang];
  return (
    <>
      {doc.programmes.map((pr) => (
        <section class="card" aria-labelledby={`programme-${pr.year}`}>
          <h2 id={`programme-${pr.year}`}>
            {pr.year} · {pr.name}
          </h2>
          {pr.serviceContent ? <p>{pr.serviceContent}</p> : null}
          <StackedBar
            id={`money-${pr.year}`}
            title={`${s(M.money)}: ${s(M.budget)} ${fmtFen(pr.budgetFen, lang)}`}
            parts={[
              { label: s(M.paid), value: pr.paidFen, text: fmtFen(pr.paidFen, lang), tone: 'ok' },
              {
                label: s(M.left),
                value: Math.max(0, pr.contractedFen - pr.paidFen),
                text: fmtFen(Math.max(0, pr.contractedFen - pr.paidFen), lang),
                tone: 'warn',
              },
              {
                label: s(M.uncommitted),
                value: Math.max(0, pr.budgetFen - pr.contractedFen),
                text: fmtFen(Math.max(0, pr.budgetFen - pr.contractedFen), lang),
                tone: 'muted',
              },
            ]}
          />
          <dl class="facts">
            <dt>{s(M.budget)}</dt>
            <dd>{fmtFen(pr.budgetFen, lang)}</dd>
            <dt>{s(M.contracted)}</dt>
            <dd>{fmtFen(pr.contractedFen, lang)}</dd>
            <dt>{s(M.paid)}</dt>
            <dd>{fmtFen(pr.paidFen, lang)}</dd>
            {pr.procurements.map((x) => (
              <>
                <dt>{s(M.procurement)}</dt>
                <dd>
                  {x.method} · {x.announcedOn}
                  {x.bidders.length ? ` · ${s(M.bidders)}: ${x.bidders.join('、')}` : ''}
                </dd>
              </>
            ))}
          </dl>
          {pr.contracts.length ? (
            <div class="table-wrap">
              <table class="list">
                <caption>{s(M.contracts)}</caption>
                <thead>
                  <tr>
                    <th scope="col">{lang === 'zh' ? '承接机构' : 'Provider'}</th>
                    <th scope="col">{s(M.period)}</th>
                    <th scope="col">{s(M.contracted)}</th>
                    <th scope="col">{s(M.paid)}</th>
                    <th scope="col">{s(M.evaluation)}</th>
                  </tr>
                </thead>
                <tbody>
                  {pr.contracts.map((k) => (
                    <tr>
                      <td>{k.provider.name}</td>
                      <td class="nowrap">
                        {k.periodStart} – {k.periodEnd}
                      </td>
                      <td>{fmtFen(k.contractedFen, lang)}</td>
                      <td>{fmtFen(k.paidFen, lang)}</td>
                      <td>
                        {k.evaluation
                          ? `${s(M.score)} ${k.evaluation.totalScore} · ${s(M.release)} ${Math.round(k.evaluation.releaseRatio * 100)}%`
                          : s(M.notEvaluated)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
          {pr.statistics.items.length ? (
            <>
              <h3>
                {s(M.results)} ({pr.statistics.from} – {pr.statistics.to})
              </h3>
              <p class="hint">{s(M.confirmedOnly)}</p>
              <StatisticsTable
                lang={lang}
                items={pr.statistics.items.map((x) => ({
                  ...x,
                  minutes: x.hours * 60,
                  persons: 0,
                  keyPersonTimes: 0,
                  serviceHours: x.hours,
                  aidAmountFen: 0,
                }))}
              />
            </>
          ) : null}
        </section>
      ))}
    </>
  );
}

export async function publicSections(
  _c: Ctx,
  county: CountyRow,
  db: CountyDb,
  lang: Lang,
): Promise<{ money: Child; results: Child }> {
  const s = (m: Msg) => m[lang];
  const last = (await db.select().from(disclosures).orderBy(desc(disclosures.seq)).limit(1))[0];
  if (last) {
    const doc = DisclosureDocument.parse(last.body);
    const money = <DisclosureView doc={doc} lang={lang} />;
    return {
      money: (
        <>
          <p class="muted">
            {s(M.published)}: {last.publishedAt.slice(0, 10)}
          </p>
          {money}
        </>
      ),
      results: null,
    };
  }
  const today = todayIn(county.timezone);
  const year = today.slice(0, 4);
  const items = await statistics(db, { all: true }, { from: `${year}-01-01`, to: today });
  const results = (
    <section class="card" aria-labelledby="results">
      <h2 id="results">{s(M.results)}</h2>
      <p class="muted">
        {year}
        {s(M.thisYear)}
        {today}
        {lang === 'zh' ? '）' : ')'}
      </p>
      {items.length ? (
        <>
          <BarChart id="public-hours" title={s(M.hours)} bars={hoursBars(items, lang)} empty={s(M.none)} />
          <StatisticsTable lang={lang} items={items} />
        </>
      ) : (
        <p>{s(M.none)}</p>
      )}
    </section>
  );
  return { money: null, results };
}
