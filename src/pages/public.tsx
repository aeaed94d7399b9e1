/**
 * A county's public disclosure page (信息公开, case study §(八)): the programme, its service
 * standards, the providers, the money and the results, as aggregates only. No sign-in, and never
 * a supervisee's name, ID number, phone or address: this page reads no personal column at all.
 */
import { and, count, eq } from 'drizzle-orm';
import { controlDb, countyDatabase, countyDrizzle } from '../db';
import { counties, providerCounties, providers } from '../db/control-schema';
import { createRouter } from '../lib/router';
import { todayIn } from '../lib/time';
import { ruleSetOn } from '../rule-sets/service';
import { supervisees } from '../supervisees/schema';
import { townships } from '../townships/schema';
import { langOf, type Msg, say, translator } from './i18n';
import { countyName } from './kit';
import { Layout } from './layout';
import { publicSections } from './public-sections';
import { describeRequirement } from './rule-sets';

const M = {
  title: {
    zh: '政府购买社区矫正服务信息公开',
    en: 'Community-correction services bought by the county: public information',
  },
  programme: { zh: '购买服务项目', en: 'The programme' },
  standards: { zh: '服务内容与标准', en: 'Services and standards' },
  providers: { zh: '承接主体', en: 'Providers' },
  scale: { zh: '服务规模', en: 'Scale' },
  underCorrection: { zh: '在册社区矫正对象', en: 'People under community correction' },
  townships: { zh: '覆盖乡镇（街道）', en: 'Townships covered' },
  rulesFrom: { zh: '现行服务标准自', en: 'Current standards in force since' },
  noRules: { zh: '尚未公布服务标准。', en: 'No service standards published yet.' },
  since: { zh: '起', en: 'since' },
  noPersonal: {
    zh: '本页仅公开汇总信息，不含任何个人信息。',
    en: 'This page shows aggregate figures only, never personal information.',
  },
  signIn: { zh: '工作人员登录', en: 'Staff sign-in' },
} satisfies Record<string, Msg>;

export const publicPages = createRouter().get('/public/:county', async (c) => {
  const lang = langOf(c);
  const t = translator(lang);
  const s = say(lang);
  const slug = c.req.param('county');
  const county = (await controlDb(c.env).select().from(counties).where(eq(counties.slug, slug)).limit(1))[0];
  if (!county || county.status !== 'active') {
    return c.html(
      <Layout lang={lang} t={t} title={t('notFoundTitle')} path={c.req.url}>
        <section class="card narrow">
          <h1>{t('notFoundTitle')}</h1>
          <p>{t('notFound')}</p>
        </section>
      </Layout>,
      404,
    );
  }
  const db = countyDrizzle(countyDatabase(c.env, county));
  const today = todayIn(county.timezone);
  const [inForce, active, towns, serving] = await Promise.all([
    ruleSetOn(db, today),
    db.select({ n: count() }).from(supervisees).where(eq(supervisees.status, 'active')),
    db.select({ n: count() }).from(townships),
    controlDb(c.env)
      .select({ name: providers.name, nameEn: providers.nameEn, since: providerCounties.since })
      .from(providerCounties)
      .innerJoin(providers, eq(providers.id, providerCounties.providerId))
      .where(and(eq(providerCounties.county, county.slug), eq(providers.status, 'active'))),
  ]);
  const sections = await publicSections(c, county, db, lang);
  const name = countyName({ lang }, county);
  return c.html(
    <Layout
      lang={lang}
      t={t}
      title={`${name} · ${s(M.title)}`}
      path={c.req.url}
      header={<a href={`/login?next=${encodeURIComponent(`/c/${county.slug}/`)}`}>{s(M.signIn)}</a>}
    >
      <h1>
        {name} · {s(M.title)}
      </h1>
      <p class="muted">{s(M.noPersonal)}</p>
      <div class="tiles">
        <div class="tile">
          <strong>{active[0]?.n ?? 0}</strong>
          <span>{s(M.underCorrection)}</span>
        </div>
        <div class="tile">
          <strong>{towns[0]?.n ?? 0}</strong>
          <span>{s(M.townships)}</span>
        </div>
        <div class="tile">
          <strong>{serving.length}</strong>
          <span>{s(M.providers)}</span>
        </div>
      </div>
      {sections.money}
      <section class="card" aria-labelledby="providers">
        <h2 id="providers">{s(M.providers)}</h2>
        <ul>
          {serving.map((x) => (
            <li>
              {lang === 'zh' ? x.name : (x.nameEn ?? x.name)}{' '}
              <span class="muted">
                ({s(M.since)} {x.since})
              </span>
            </li>
          ))}
        </ul>
      </section>
      <section class="card" aria-labelledby="standards">
        <h2 id="standards">{s(M.standards)}</h2>
        {inForce ? (
          <>
            <p class="muted">
              {inForce.ruleSet.name} · {s(M.rulesFrom)} {inForce.ruleSet.effectiveFrom}
            </p>
            <ul>
              {inForce.ruleSet.requirements.map((r) => (
                <li>{describeRequirement(r, inForce.ruleSet, lang)}</li>
              ))}
            </ul>
          </>
        ) : (
          <p>{s(M.noRules)}</p>
        )}
      </section>
      {sections.results}
    </Layout>,
  );
});
