/**
 * The parts of the public page that come from other features: money from contracts and payments,
 * and results (this year's services, as statistics: counts and hours, never a person).
 */
import type { Child } from 'hono/jsx';
import type { CountyRow } from '../db/control-schema';
import type { CountyDb } from '../env';
import type { Ctx } from '../lib/context';
import { todayIn } from '../lib/time';
import { statistics } from '../reports/statistics';
import { BarChart } from './charts';
import type { Lang, Msg } from './i18n';
import { hoursBars, StatisticsTable } from './reports';

const M = {
  results: { zh: '服务成效', en: 'Results' },
  thisYear: { zh: '年服务情况（截至', en: ': services so far (to ' },
  hours: { zh: '各类服务时长', en: 'Hours per activity type' },
  none: { zh: '本年度尚无服务记录。', en: 'No services recorded this year yet.' },
} satisfies Record<string, Msg>;

export async function publicSections(
  _c: Ctx,
  county: CountyRow,
  db: CountyDb,
  lang: Lang,
): Promise<{ money: Child; results: Child }> {
  const today = todayIn(county.timezone);
  const year = today.slice(0, 4);
  const items = await statistics(db, { all: true }, { from: `${year}-01-01`, to: today });
  const results = (
    <section class="card" aria-labelledby="results">
      <h2 id="results">{M.results[lang]}</h2>
      <p class="muted">
        {year}
        {M.thisYear[lang]}
        {today}
        {lang === 'zh' ? '）' : ')'}
      </p>
      {items.length ? (
        <>
          <BarChart
            id="public-hours"
            title={M.hours[lang]}
            bars={hoursBars(items, lang)}
            empty={M.none[lang]}
          />
          <StatisticsTable lang={lang} items={items} />
        </>
      ) : (
        <p>{M.none[lang]}</p>
      )}
    </section>
  );
  return { money: null, results };
}
