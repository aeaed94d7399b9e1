/** The county console's first page: what needs attention this month, for the caller's roles. */
import { and, asc, count, eq, isNull, sql } from 'drizzle-orm';
import { ROLE_LABELS } from '../auth/roles';
import { controlDb } from '../db';
import { countyCtx } from '../lib/context';
import { createRouter } from '../lib/router';
import { notifications } from '../notifications/control-schema';
import { ruleSetOn } from '../rule-sets/service';
import { scopeCondition, superviseeScope } from '../supervisees/access';
import { supervisees } from '../supervisees/schema';
import { townships } from '../townships/schema';
import { BarChart } from './charts';
import { dashboardCompliance, dashboardOverdue } from './compliance';
import type { Msg } from './i18n';
import { incidentCounts } from './incidents';
import { base, countyName, Page, pageCtx } from './kit';
import { ledgerCounts } from './ledgers';
import { dashboardMoney } from './money';

const M = {
  activeSupervisees: { zh: '在册矫正对象', en: 'Supervisees under correction' },
  keyPersons: { zh: '其中重点对象', en: 'of whom key persons' },
  perTownship: { zh: '各乡镇（街道）在册人数', en: 'Supervisees per township' },
  noData: { zh: '暂无数据。', en: 'No data yet.' },
  ruleSetInForce: { zh: '现行规则', en: 'Rules in force' },
  noRuleSet: { zh: '尚未发布规则。', en: 'No rule set has been published.' },
  version: { zh: '版本', en: 'version' },
  effectiveFrom: { zh: '生效日期', en: 'effective from' },
  requirements: { zh: '项服务要求', en: 'service requirements' },
  unread: { zh: '条未读消息', en: 'unread notifications' },
  month: { zh: '本月', en: 'This month' },
  ledgersAwaiting: { zh: '份台账待确认', en: 'ledgers awaiting confirmation' },
  ledgersReturned: { zh: '份已退回待重报', en: 'returned for correction' },
  openIncidents: { zh: '待签收重大事项', en: 'open incident reports' },
  overdueIncidents: { zh: '件已逾期', en: 'past their deadline' },
} satisfies Record<string, Msg>;

export const dashboardRoutes = createRouter()
  .get('/c/:county', (c) => c.redirect(`/c/${c.var.county.slug}/`, 301))
  .get('/c/:county/', async (c) => {
    const p = await pageCtx(c);
    const { s, t, lang } = p;
    const k = countyCtx(c);
    const scope = superviseeScope(c.var.countyMemberships);
    const b = base(p);

    const [towns, perTownship, inForce, unread, incidents, compliance, overdue, ledgerWork, money] =
      await Promise.all([
        k.db.select().from(townships).orderBy(asc(townships.sortOrder), asc(townships.name)),
        scope
          ? k.db
              .select({
                townshipId: supervisees.townshipId,
                n: count(),
                key: sql<number>`sum(${supervisees.keyPerson})`,
              })
              .from(supervisees)
              .where(and(eq(supervisees.status, 'active'), scopeCondition(scope)))
              .groupBy(supervisees.townshipId)
          : Promise.resolve([]),
        ruleSetOn(k.db, k.today),
        controlDb(c.env)
          .select({ n: count() })
          .from(notifications)
          .where(and(eq(notifications.userId, p.principal.user.id), isNull(notifications.readAt))),
        incidentCounts(c),
        dashboardCompliance(c, p),
        dashboardOverdue(c, p),
        ledgerCounts(c),
        dashboardMoney(c, p),
      ]);
    const total = perTownship.reduce((sum, r) => sum + r.n, 0);
    const keyTotal = perTownship.reduce((sum, r) => sum + Number(r.key ?? 0), 0);
    const max = Math.max(1, ...perTownship.map((r) => r.n));
    const byId = new Map(perTownship.map((r) => [r.townshipId, r.n]));
    const bars = towns
      .filter((tw) => byId.has(tw.id))
      .map((tw) => ({
        label: lang === 'zh' ? tw.name : (tw.nameEn ?? tw.name),
        share: (byId.get(tw.id) ?? 0) / max,
        text: String(byId.get(tw.id) ?? 0),
      }));

    return c.html(
      <Page p={p} title={t('navDashboard')}>
        <h1>{countyName(p, p.county!)}</h1>
        <p>
          {t('welcome')}, {p.principal.user.displayName} ·{' '}
          {[...p.roles].map((r) => ROLE_LABELS[r][lang]).join('、')}
        </p>
        <div class="tiles">
          {scope ? (
            <a class="tile" href={`${b}/supervisees`}>
              <strong>{total}</strong>
              <span>{s(M.activeSupervisees)}</span>
              <small>
                {keyTotal} {s(M.keyPersons)}
              </small>
            </a>
          ) : null}
          {incidents ? (
            <a class="tile" href={`${b}/incidents?status=open`}>
              <strong>{incidents.open}</strong>
              <span>{s(M.openIncidents)}</span>
              <small>
                {incidents.overdue} {s(M.overdueIncidents)}
              </small>
            </a>
          ) : null}
          {ledgerWork ? (
            <a class="tile" href={`${b}/ledgers?status=submitted`}>
              <strong>{ledgerWork.awaiting}</strong>
              <span>{s(M.ledgersAwaiting)}</span>
              <small>
                {ledgerWork.returned} {s(M.ledgersReturned)}
              </small>
            </a>
          ) : null}
          <a class="tile" href="/inbox">
            <strong>{unread[0]?.n ?? 0}</strong>
            <span>{s(M.unread)}</span>
          </a>
          <a class="tile" href={`${b}/rule-sets`}>
            {inForce ? (
              <>
                <strong>{inForce.ruleSet.requirements.length}</strong>
                <span>{s(M.requirements)}</span>
                <small>
                  {s(M.ruleSetInForce)}: {s(M.version)} {inForce.version} · {s(M.effectiveFrom)}{' '}
                  {inForce.ruleSet.effectiveFrom}
                </small>
              </>
            ) : (
              <span>{s(M.noRuleSet)}</span>
            )}
          </a>
        </div>
        {compliance}
        {overdue}
        {money}
        {scope ? (
          <section class="card" aria-labelledby="chart-townships-title">
            <BarChart id="chart-townships" title={s(M.perTownship)} bars={bars} empty={s(M.noData)} />
          </section>
        ) : null}
      </Page>,
    );
  });
