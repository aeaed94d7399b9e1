/**
 * The money side (finance and evaluator views): programmes with budget, committed and paid as
 * SVG; a contract's settlement, its payments (recorded by the bureau, approved and paid by
 * finance: maker–checker) and its evaluations (scored by the third party, accepted by the
 * bureau); and the bureau's 信息公开 page, previewed and published.
 */

import { contractScope } from '../contracts/access';
import {
  findContract,
  listContracts,
  listProgrammes,
  type ProgrammeTotals,
  programmeTotals,
} from '../contracts/service';
import { pricingOf, settlementOf } from '../contracts/settlement';
import { controlDb } from '../db';
import { providers } from '../db/control-schema';
import { buildDisclosure, publishDisclosure } from '../disclosure/service';
import {
  acceptEvaluation,
  createEvaluation,
  evaluationRulesFor,
  findEvaluation,
  listEvaluations,
} from '../evaluations/service';
import { type Ctx, countyCtx, sealLater } from '../lib/context';
import { invalid } from '../lib/problem';
import { createRouter } from '../lib/router';
import { approvePayment, findPayment, listPayments, markPaid, recordPayment } from '../payments/service';
import type { Indicator } from '../rules';
import { StackedBar } from './charts';
import type { Lang, Msg } from './i18n';
import { langOf } from './i18n';
import {
  base,
  Csrf,
  type Errors,
  FormAlert,
  fmtFen,
  hasRole,
  Input,
  Notice,
  Page,
  type PageCtx,
  pageCtx,
  problemErrors,
  readForm,
  Select,
} from './kit';
import { DisclosureView } from './public-sections';

const M = {
  title: { zh: '合同与资金', en: 'Contracts and money' },
  programme: { zh: '年度项目', en: 'Programme' },
  budget: { zh: '预算', en: 'Budget' },
  committed: { zh: '已签约', en: 'Committed' },
  approved: { zh: '已审批', en: 'Approved' },
  paid: { zh: '已支付', en: 'Paid' },
  approvedUnpaid: { zh: '已审批未支付', en: 'Approved, not paid' },
  committedUnapproved: { zh: '已签约未审批', en: 'Committed, not approved' },
  uncommitted: { zh: '未签约', en: 'Not committed' },
  contracts: { zh: '服务合同', en: 'Contracts' },
  period: { zh: '服务期', en: 'Period' },
  pricing: { zh: '定价', en: 'Pricing' },
  none: { zh: '暂无合同。', en: 'No contracts yet.' },
  settlement: { zh: '结算（按已确认台账）', en: 'Settlement (confirmed ledgers)' },
  entitlement: { zh: '应得', en: 'Entitlement' },
  workFunds: { zh: '工作经费', en: 'Work funds' },
  activityFunds: { zh: '活动经费', en: 'Activity funds' },
  releaseRatio: { zh: '活动经费拨付比例', en: 'Release ratio' },
  payable: { zh: '应付', en: 'Payable' },
  payments: { zh: '付款', en: 'Payments' },
  kind: { zh: '类别', en: 'Kind' },
  amount: { zh: '金额（元）', en: 'Amount (CNY)' },
  amountShown: { zh: '金额', en: 'Amount' },
  record: { zh: '登记付款', en: 'Record a payment' },
  approve: { zh: '审批', en: 'Approve' },
  pay: { zh: '确认已付', en: 'Mark paid' },
  noPayments: { zh: '尚无付款。', en: 'No payments yet.' },
  evaluations: { zh: '绩效评价', en: 'Evaluations' },
  total: { zh: '总分', en: 'Total score' },
  submit: { zh: '提交评分', en: 'Submit the scores' },
  accept: { zh: '采纳', en: 'Accept' },
  noEvaluations: { zh: '尚无评价。', en: 'No evaluation yet.' },
  done: { zh: '已完成。', en: 'Done.' },
  disclosure: { zh: '信息公开', en: 'Public disclosure' },
  disclosureHint: {
    zh: '以下为公开页面将显示的内容（仅汇总信息）。发布后公众即可在公开页面看到。',
    en: 'What the public page would show (aggregates only). Publishing makes it public.',
  },
  publish: { zh: '发布', en: 'Publish' },
  publicPage: { zh: '查看公开页面', en: 'Open the public page' },
} satisfies Record<string, Msg>;

const STATUS: Record<string, Msg> = {
  recorded: { zh: '待审批', en: 'recorded' },
  approved: { zh: '已审批', en: 'approved' },
  paid: { zh: '已支付', en: 'paid' },
  cancelled: { zh: '已取消', en: 'cancelled' },
  submitted: { zh: '已提交', en: 'submitted' },
  accepted: { zh: '已采纳', en: 'accepted' },
  superseded: { zh: '已被替代', en: 'superseded' },
  active: { zh: '履行中', en: 'active' },
};
const KINDS: Record<string, Msg> = { work_funds: M.workFunds, activity_funds: M.activityFunds };
const PRICING: Record<string, Msg> = {
  per_supervisee_year: { zh: '按人按年', en: 'per supervisee-year' },
  per_service_hour: { zh: '按服务时长', en: 'per service hour' },
  fixed: { zh: '固定金额', en: 'fixed amount' },
};
const st = (x: string, lang: Lang) => STATUS[x]?.[lang] ?? x;

async function providerNames(c: Ctx, ids: string[]) {
  const rows = await controlDb(c.env)
    .select({ id: providers.id, name: providers.name, nameEn: providers.nameEn })
    .from(providers);
  const wanted = new Set(ids);
  return new Map(rows.filter((r) => wanted.has(r.id)).map((r) => [r.id, r]));
}

/** Leaves of the indicator tree: the ones an evaluator scores. */
const leaves = (list: readonly Indicator[]): Indicator[] =>
  list.flatMap((i) => (i.children?.length ? leaves(i.children) : [i]));

async function contractPage(
  c: Ctx,
  p: PageCtx,
  id: string,
  extra: { errors?: Errors; message?: string; status?: 400 | 409 } = {},
) {
  const { s, t, lang } = p;
  const k = countyCtx(c);
  const contract = await findContract(k, await contractScope(c), id);
  const [settlement, payments, evaluations, names] = await Promise.all([
    settlementOf(k.db, contract, 'confirmed'),
    listPayments(k, { contractIds: [contract.id], limit: 200 }),
    listEvaluations(k, contract),
    providerNames(c, [contract.providerId]),
  ]);
  const indicators = await evaluationRulesFor(k, contract)
    .then((r) => leaves(r.indicators))
    .catch(() => [] as Indicator[]);
  const b = base(p);
  const provider = names.get(contract.providerId);
  const providerName = provider
    ? lang === 'zh'
      ? provider.name
      : (provider.nameEn ?? provider.name)
    : contract.providerId;
  const finance = hasRole(p, 'finance_officer');
  const bureau = hasRole(p, 'bureau_admin', 'bureau_officer');
  const scores = hasRole(p, 'bureau_admin', 'bureau_officer', 'evaluator');
  const e = extra.errors ?? {};
  // The only code the forms send back; anything else in the address shows nothing.
  const done = c.req.query('done') === '1';
  const title = `${contract.title ?? providerName} · ${contract.programmeYear}`;
  return c.html(
    <Page p={p} title={title} wide>
      <p>
        <a href={`${b}/contracts`}>← {s(M.title)}</a>
      </p>
      <h1>
        {title} <span class="badge">{st(contract.status, lang)}</span>
      </h1>
      <Notice text={done ? s(M.done) : null} />
      <FormAlert p={p} message={extra.message} errors={e} />
      <section class="card">
        <dl class="facts">
          <dt>{t('provider')}</dt>
          <dd>{providerName}</dd>
          <dt>{s(M.period)}</dt>
          <dd>
            {contract.periodStart} – {contract.periodEnd}
          </dd>
          <dt>{s(M.pricing)}</dt>
          <dd>{PRICING[pricingOf(contract).model]?.[lang] ?? pricingOf(contract).model}</dd>
        </dl>
      </section>
      <section class="card" aria-labelledby="settlement">
        <h2 id="settlement">{s(M.settlement)}</h2>
        <dl class="facts">
          <dt>{s(M.entitlement)}</dt>
          <dd>{fmtFen(settlement.entitlementFen, lang)}</dd>
          <dt>{s(M.workFunds)}</dt>
          <dd>{fmtFen(settlement.workFundsFen, lang)}</dd>
          <dt>{s(M.activityFunds)}</dt>
          <dd>{fmtFen(settlement.activityFundsFen, lang)}</dd>
          <dt>{s(M.releaseRatio)}</dt>
          <dd>{Math.round(settlement.releaseRatio * 100)}%</dd>
          <dt>{s(M.payable)}</dt>
          <dd>
            <strong>{fmtFen(settlement.payableFen, lang)}</strong>
          </dd>
        </dl>
      </section>
      <section class="card" aria-labelledby="payments">
        <h2 id="payments">{s(M.payments)}</h2>
        {payments.rows.length === 0 ? (
          <p class="muted">{s(M.noPayments)}</p>
        ) : (
          <table class="list">
            <thead>
              <tr>
                <th scope="col">{s(M.kind)}</th>
                <th scope="col">{s(M.amountShown)}</th>
                <th scope="col">{t('status')}</th>
                <th scope="col">{t('actions')}</th>
              </tr>
            </thead>
            <tbody>
              {payments.rows.map((x) => (
                <tr>
                  <td>{KINDS[x.kind]?.[lang]}</td>
                  <td>{fmtFen(x.amountFen, lang)}</td>
                  <td>{st(x.status, lang)}</td>
                  <td>
                    {finance && x.status === 'recorded' ? (
                      <form method="post" action={`${b}/payments/${x.id}/approve`} class="inline">
                        <Csrf p={p} />
                        <input type="hidden" name="contractId" value={contract.id} />
                        <button type="submit" class="small">
                          {s(M.approve)}
                        </button>
                      </form>
                    ) : null}
                    {finance && x.status === 'approved' ? (
                      <form method="post" action={`${b}/payments/${x.id}/pay`} class="inline">
                        <Csrf p={p} />
                        <input type="hidden" name="contractId" value={contract.id} />
                        <button type="submit" class="small">
                          {s(M.pay)}
                        </button>
                      </form>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {bureau ? (
          <form
            method="post"
            action={`${b}/contracts/${contract.id}/payments`}
            class="inline-form"
            novalidate
          >
            <h3>{s(M.record)}</h3>
            <Csrf p={p} />
            <Select
              name="kind"
              label={s(M.kind)}
              options={Object.entries(KINDS).map(([value, m]) => ({ value, label: m[lang] }))}
              error={e.kind}
              required
            />
            <Input
              name="amount"
              label={s(M.amount)}
              type="number"
              step="0.01"
              min="0"
              inputmode="decimal"
              error={e.amountFen}
            />
            <div class="actions">
              <button type="submit">{s(M.record)}</button>
            </div>
          </form>
        ) : null}
      </section>
      <section class="card" aria-labelledby="evaluations">
        <h2 id="evaluations">{s(M.evaluations)}</h2>
        {evaluations.length === 0 ? (
          <p class="muted">{s(M.noEvaluations)}</p>
        ) : (
          <table class="list">
            <thead>
              <tr>
                <th scope="col">{s(M.total)}</th>
                <th scope="col">{s(M.releaseRatio)}</th>
                <th scope="col">{t('status')}</th>
                <th scope="col">{t('actions')}</th>
              </tr>
            </thead>
            <tbody>
              {evaluations.map((x) => (
                <tr>
                  <td>{x.totalScore}</td>
                  <td>{Math.round(x.releaseRatio * 100)}%</td>
                  <td>{st(x.status, lang)}</td>
                  <td>
                    {bureau && x.status === 'submitted' ? (
                      <form
                        method="post"
                        action={`${b}/contracts/${contract.id}/evaluations/${x.id}/accept`}
                        class="inline"
                      >
                        <Csrf p={p} />
                        <button type="submit" class="small">
                          {s(M.accept)}
                        </button>
                      </form>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {scores && indicators.length ? (
          <form
            method="post"
            action={`${b}/contracts/${contract.id}/evaluations`}
            class="inline-form"
            novalidate
          >
            <h3>{s(M.submit)}</h3>
            <Csrf p={p} />
            {indicators.map((i) => (
              <Input
                name={`score.${i.code}`}
                label={`${i.label ?? i.code} (0–${i.weight})`}
                type="number"
                step="0.5"
                min="0"
                max={i.weight}
                inputmode="decimal"
                error={e[`scores.${i.code}`]}
                required
              />
            ))}
            <div class="actions">
              <button type="submit">{s(M.submit)}</button>
            </div>
          </form>
        ) : null}
      </section>
    </Page>,
    extra.status ?? 200,
  );
}

const p0 = (c: Ctx) => (langOf(c) === 'zh' ? '金额应为不小于 0 的数' : 'a non-negative amount');

const fail = async (c: Ctx, e: unknown, id: string) => {
  const problem = problemErrors(e);
  if (!problem || (e as { status: number }).status === 403 || (e as { status: number }).status === 404)
    throw e;
  return contractPage(c, await pageCtx(c), id, {
    errors: problem.errors,
    message: problem.message,
    status: (e as { status: number }).status === 409 ? 409 : 400,
  });
};

export const moneyPages = createRouter()
  .get('/c/:county/contracts', async (c) => {
    const p = await pageCtx(c);
    const { s, t, lang } = p;
    const k = countyCtx(c);
    const scope = await contractScope(c);
    const [list, programmes] = await Promise.all([
      listContracts(k, scope, {}),
      scope.all ? listProgrammes(k) : Promise.resolve([]),
    ]);
    const [totals, names] = await Promise.all([
      programmeTotals(k, programmes),
      providerNames(
        c,
        list.map((x) => x.providerId),
      ),
    ]);
    const b = base(p);
    const name = (id: string) => {
      const x = names.get(id);
      return x ? (lang === 'zh' ? x.name : (x.nameEn ?? x.name)) : id;
    };
    return c.html(
      <Page p={p} title={s(M.title)}>
        <div class="page-head">
          <h1>{s(M.title)}</h1>
          {hasRole(p, 'bureau_admin', 'bureau_officer') ? (
            <a class="button secondary" href={`${b}/disclosure`}>
              {s(M.disclosure)}
            </a>
          ) : null}
        </div>
        {programmes.map((pr) => {
          const x = totals.get(pr.id);
          if (!x) return null;
          return (
            <section class="card" aria-labelledby={`money-${pr.year}-title`}>
              <ProgrammeMoney id={`money-${pr.year}`} title={`${pr.year} · ${pr.name}`} x={x} lang={lang} />
            </section>
          );
        })}
        {list.length === 0 ? (
          <p class="card">{s(M.none)}</p>
        ) : (
          <div class="table-wrap card">
            <table class="list">
              <thead>
                <tr>
                  <th scope="col">{s(M.programme)}</th>
                  <th scope="col">{t('provider')}</th>
                  <th scope="col">{s(M.period)}</th>
                  <th scope="col">{s(M.pricing)}</th>
                  <th scope="col">{t('status')}</th>
                </tr>
              </thead>
              <tbody>
                {list.map((x) => (
                  <tr>
                    <td>
                      <a href={`${b}/contracts/${x.id}`}>
                        {x.programmeYear} {x.title ?? ''}
                      </a>
                    </td>
                    <td>{name(x.providerId)}</td>
                    <td class="nowrap">
                      {x.periodStart} – {x.periodEnd}
                    </td>
                    <td>{PRICING[pricingOf(x).model]?.[lang]}</td>
                    <td>{st(x.status, lang)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Page>,
    );
  })
  .get('/c/:county/contracts/:id', async (c) => contractPage(c, await pageCtx(c), c.req.param('id')))
  .post('/c/:county/contracts/:id/payments', async (c) => {
    const k = countyCtx(c);
    const id = c.req.param('id');
    const contract = await findContract(k, await contractScope(c), id);
    const f = await readForm(c);
    const kind = f.get('kind') === 'activity_funds' ? 'activity_funds' : 'work_funds';
    const yuan = f.get('amount').trim();
    const amountFen = yuan === '' ? undefined : Math.round(Number(yuan) * 100);
    try {
      if (amountFen !== undefined && (!Number.isFinite(amountFen) || amountFen < 0))
        throw invalid([{ path: 'amountFen', message: p0(c) }]);
      await recordPayment(k, contract, { kind, amountFen });
    } catch (e) {
      return fail(c, e, id);
    }
    sealLater(c, k.d1);
    return c.redirect(`${base(await pageCtx(c))}/contracts/${id}?done=1`, 303);
  })
  .post('/c/:county/payments/:id/approve', async (c) => {
    const k = countyCtx(c);
    const payment = await findPayment(k, c.req.param('id'));
    try {
      await approvePayment(k, payment);
    } catch (e) {
      return fail(c, e, payment.contractId);
    }
    sealLater(c, k.d1);
    return c.redirect(`/c/${k.county.slug}/contracts/${payment.contractId}?done=1`, 303);
  })
  .post('/c/:county/payments/:id/pay', async (c) => {
    const k = countyCtx(c);
    const payment = await findPayment(k, c.req.param('id'));
    try {
      await markPaid(k, payment, { paidOn: k.today });
    } catch (e) {
      return fail(c, e, payment.contractId);
    }
    sealLater(c, k.d1);
    return c.redirect(`/c/${k.county.slug}/contracts/${payment.contractId}?done=1`, 303);
  })
  .post('/c/:county/contracts/:id/evaluations', async (c) => {
    const k = countyCtx(c);
    const id = c.req.param('id');
    const contract = await findContract(k, await contractScope(c), id);
    const f = await readForm(c);
    const scores: Record<string, number> = {};
    for (const name of f.names()) {
      if (!name.startsWith('score.')) continue;
      const v = f.get(name).trim();
      if (v !== '') scores[name.slice('score.'.length)] = Number(v);
    }
    try {
      await createEvaluation(k, contract, { scores, evaluatedOn: k.today });
    } catch (e) {
      return fail(c, e, id);
    }
    sealLater(c, k.d1);
    return c.redirect(`/c/${k.county.slug}/contracts/${id}?done=1`, 303);
  })
  .post('/c/:county/contracts/:id/evaluations/:evaluationId/accept', async (c) => {
    const k = countyCtx(c);
    const id = c.req.param('id');
    const contract = await findContract(k, await contractScope(c), id);
    const evaluation = await findEvaluation(k, contract, c.req.param('evaluationId'));
    try {
      await acceptEvaluation(k, evaluation);
    } catch (e) {
      return fail(c, e, id);
    }
    sealLater(c, k.d1);
    return c.redirect(`/c/${k.county.slug}/contracts/${id}?done=1`, 303);
  })
  .get('/c/:county/disclosure', async (c) => {
    const p = await pageCtx(c);
    const { s, lang } = p;
    const k = countyCtx(c);
    const doc = await buildDisclosure(k, controlDb(c.env));
    return c.html(
      <Page p={p} title={s(M.disclosure)} wide>
        <div class="page-head">
          <h1>{s(M.disclosure)}</h1>
          <a class="button secondary" href={`/public/${p.county!.slug}`}>
            {s(M.publicPage)}
          </a>
        </div>
        <Notice text={c.req.query('done') === '1' ? s(M.done) : null} />
        <p class="hint">{s(M.disclosureHint)}</p>
        {hasRole(p, 'bureau_admin') ? (
          <form method="post" action={`${base(p)}/disclosure`} class="card">
            <Csrf p={p} />
            <button type="submit">{s(M.publish)}</button>
          </form>
        ) : null}
        <DisclosureView doc={doc} lang={lang} />
      </Page>,
    );
  })
  .post('/c/:county/disclosure', async (c) => {
    const k = countyCtx(c);
    await publishDisclosure(k, controlDb(c.env));
    sealLater(c, k.d1);
    return c.redirect(`/c/${k.county.slug}/disclosure?done=1`, 303);
  });

/** This year's programme money (budget, committed, approved, paid) for those who read money. */
export async function dashboardMoney(c: Ctx, p: PageCtx) {
  if (
    !hasRole(
      p,
      'bureau_admin',
      'bureau_officer',
      'finance_officer',
      'civil_affairs_officer',
      'evaluator',
      'auditor',
    )
  )
    return null;
  const { s, lang } = p;
  const k = countyCtx(c);
  const year = Number(k.today.slice(0, 4));
  const programmes = (await listProgrammes(k)).filter((x) => x.year === year);
  if (programmes.length === 0) return null;
  const totals = await programmeTotals(k, programmes);
  return (
    <section class="card" aria-label={s(M.title)}>
      {programmes.map((pr) => {
        const x = totals.get(pr.id);
        return x ? (
          <ProgrammeMoney id={`dash-money-${pr.year}`} title={`${pr.year} · ${pr.name}`} x={x} lang={lang} />
        ) : null;
      })}
      <p>
        <a href={`${base(p)}/contracts`}>{s(M.title)} →</a>
      </p>
    </section>
  );
}

function ProgrammeMoney(props: { id: string; title: string; x: ProgrammeTotals; lang: Lang }) {
  const { x, lang } = props;
  const s = (m: Msg) => m[lang];
  const part = (v: number) => Math.max(0, v);
  return (
    <StackedBar
      id={props.id}
      title={`${props.title} · ${s(M.budget)} ${fmtFen(x.budgetFen, lang)}`}
      parts={[
        { label: s(M.paid), value: x.paidFen, text: fmtFen(x.paidFen, lang), tone: 'ok' },
        {
          label: s(M.approvedUnpaid),
          value: part(x.approvedFen - x.paidFen),
          text: fmtFen(part(x.approvedFen - x.paidFen), lang),
          tone: 'warn',
        },
        {
          label: s(M.committedUnapproved),
          value: part(x.committedFen - x.approvedFen),
          text: fmtFen(part(x.committedFen - x.approvedFen), lang),
          tone: '',
        },
        {
          label: s(M.uncommitted),
          value: part(x.uncommittedFen),
          text: fmtFen(part(x.uncommittedFen), lang),
          tone: 'muted',
        },
      ]}
    />
  );
}
