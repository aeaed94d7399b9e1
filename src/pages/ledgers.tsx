/**
 * 台账: the provider's monthly ledger with its totals and warnings (submit), the township
 * office's review (confirm, or return with reasons), and the bureau's archive of confirmed
 * ledgers. Every move carries the version read, so an office confirms what it reviewed.
 */
import { inArray } from 'drizzle-orm';
import { activityCtx } from '../activities/http';
import { controlDb } from '../db';
import { providers } from '../db/control-schema';
import { findLedger, ledgerDetail, listLedgers, moveLedger } from '../ledgers/service';
import type { Ctx } from '../lib/context';
import { sealLater } from '../lib/context';
import { createRouter } from '../lib/router';
import { supervisees } from '../supervisees/schema';
import { failedMessage, VoidForm } from './assignments';
import type { Lang, Msg } from './i18n';
import {
  base,
  Csrf,
  FormAlert,
  hasRole,
  Notice,
  Page,
  type PageCtx,
  pageCtx,
  problemErrors,
  readForm,
  TextArea,
} from './kit';
import { typeName } from './labels';
import { countyLookups, townshipLabel } from './supervisees';

const M = {
  title: { zh: '服务台账', en: 'Service ledgers' },
  archive: { zh: '已确认台账', en: 'Confirmed (archive)' },
  toReview: { zh: '待确认', en: 'To review' },
  cycle: { zh: '周期', en: 'Cycle' },
  period: { zh: '起止', en: 'Period' },
  dueBy: { zh: '提交期限', en: 'Due by' },
  activities: { zh: '服务记录', en: 'Activities' },
  warnings: { zh: '提示', en: 'Warnings' },
  late: { zh: '逾期', en: 'late' },
  none: { zh: '没有台账。', en: 'No ledgers.' },
  totals: { zh: '合计', en: 'Totals' },
  type: { zh: '服务类型', en: 'Type' },
  sessions: { zh: '场次', en: 'Sessions' },
  personTimes: { zh: '人次', en: 'Person-times' },
  hours: { zh: '小时', en: 'Hours' },
  date: { zh: '日期', en: 'Date' },
  minutes: { zh: '分钟', en: 'Minutes' },
  participants: { zh: '对象', en: 'Participants' },
  summary: { zh: '内容', en: 'Summary' },
  history: { zh: '流转记录', en: 'History' },
  submit: { zh: '提交台账', en: 'Submit the ledger' },
  confirm: { zh: '确认台账', en: 'Confirm the ledger' },
  return: { zh: '退回修改', en: 'Return for correction' },
  reason: { zh: '退回原因', en: 'Reasons for returning' },
  returnedReason: { zh: '退回原因：', en: 'Returned: ' },
  submitted: { zh: '已提交，等待司法所确认。', en: 'Submitted; the township office will review it.' },
  confirmed: { zh: '已确认，台账已锁定。', en: 'Confirmed; the ledger is locked.' },
  returned: { zh: '已退回。', en: 'Returned.' },
  voided: { zh: '已作废', en: 'voided' },
} satisfies Record<string, Msg>;

export const LEDGER_STATUS: Record<string, Msg> = {
  draft: { zh: '草稿', en: 'draft' },
  submitted: { zh: '已提交', en: 'submitted' },
  returned: { zh: '已退回', en: 'returned' },
  confirmed: { zh: '已确认', en: 'confirmed' },
};
const WARNING: Record<string, Msg> = {
  supervisee_overlap: { zh: '同一对象服务时间重叠', en: 'supervisee in two activities at once' },
  staff_overlap: { zh: '同一社工服务时间重叠', en: 'staff member in two activities at once' },
  possible_duplicate: { zh: '疑似重复记录', en: 'possible duplicate' },
  callback_not_confirmed: { zh: '回访核查未得到确认', en: 'call-back did not confirm the service' },
  amendment: { zh: '含更正记录', en: 'contains an amendment' },
};
const EVENT: Record<string, Msg> = {
  submit: { zh: '提交', en: 'submitted' },
  return: { zh: '退回', en: 'returned' },
  confirm: { zh: '确认', en: 'confirmed' },
  amend: { zh: '更正', en: 'amended' },
};

const badgeTone = (status: string) =>
  status === 'confirmed' ? 'ok' : status === 'returned' ? 'bad' : status === 'submitted' ? 'warn' : '';

async function providerNames(c: Ctx, ids: string[]) {
  const unique = [...new Set(ids)];
  if (!unique.length) return new Map<string, { name: string; nameEn: string | null }>();
  const rows = await controlDb(c.env)
    .select({ id: providers.id, name: providers.name, nameEn: providers.nameEn })
    .from(providers)
    .where(inArray(providers.id, unique));
  return new Map(rows.map((r) => [r.id, r]));
}
const pname = (m: Map<string, { name: string; nameEn: string | null }>, id: string, lang: Lang) => {
  const x = m.get(id);
  return x ? (lang === 'zh' ? x.name : (x.nameEn ?? x.name)) : id;
};

const DONE: Record<string, Msg> = {
  submit: M.submitted,
  confirm: M.confirmed,
  return: M.returned,
  voided: { zh: '已作废该记录。', en: 'Activity voided.' },
};

async function detailPage(
  c: Ctx,
  p: PageCtx,
  id: string,
  extra: { message?: string; status?: 400 | 409 | 412 } = {},
) {
  const { s, t, lang } = p;
  const a = activityCtx(c);
  const row = await findLedger(a, id);
  const d = await ledgerDetail(a, row);
  const [l, names] = await Promise.all([countyLookups(c), providerNames(c, [row.providerId])]);
  const ids = [...new Set(d.activities.flatMap((x) => x.participants.map((pp) => pp.superviseeId)))].slice(
    0,
    100,
  );
  const who = ids.length
    ? new Map(
        (
          await c.var.countyDb
            .select({ id: supervisees.id, name: supervisees.name, caseNumber: supervisees.caseNumber })
            .from(supervisees)
            .where(inArray(supervisees.id, ids))
        ).map((x) => [x.id, x]),
      )
    : new Map<string, { name: string; caseNumber: string }>();
  const b = base(p);
  const done = DONE[c.req.query('done') ?? ''];
  const canSubmit = hasRole(p, 'provider_admin') && (row.status === 'draft' || row.status === 'returned');
  const reviews = hasRole(p, 'office_officer') && row.status === 'submitted';
  // The provider corrects a draft or a returned ledger: void what should not be there (with a reason).
  const canVoid = hasRole(p, 'provider_admin') && (row.status === 'draft' || row.status === 'returned');
  const failed = failedMessage(c.req.query('error'));
  const title = `${s(M.title)} · ${row.cycle} · ${townshipLabel(l, row.townshipId, lang)}`;
  return c.html(
    <Page p={p} title={title} wide>
      <p>
        <a href={`${b}/ledgers`}>← {s(M.title)}</a>
      </p>
      <h1>
        {row.cycle} · {townshipLabel(l, row.townshipId, lang)} · {pname(names, row.providerId, lang)}{' '}
        <span class={`badge ${badgeTone(row.status)}`}>{LEDGER_STATUS[row.status]![lang]}</span>
        {d.late ? <span class="badge bad">{s(M.late)}</span> : null}
      </h1>
      <Notice text={done ? s(done) : null} />
      <FormAlert p={p} message={extra.message ?? (failed ? s(failed) : null)} />
      {row.status === 'returned' && row.returnedReason ? (
        <p class="alert error">
          {s(M.returnedReason)}
          {row.returnedReason}
        </p>
      ) : null}
      <section class="card">
        <dl class="facts">
          <dt>{s(M.period)}</dt>
          <dd>
            {row.cycleStart} – {row.cycleEnd}
          </dd>
          <dt>{s(M.dueBy)}</dt>
          <dd>{row.dueBy}</dd>
          <dt>{s(M.activities)}</dt>
          <dd>{d.activityCount}</dd>
        </dl>
      </section>
      <section class="card" aria-labelledby="totals">
        <h2 id="totals">{s(M.totals)}</h2>
        <table class="list">
          <thead>
            <tr>
              <th scope="col">{s(M.type)}</th>
              <th scope="col">{s(M.sessions)}</th>
              <th scope="col">{s(M.personTimes)}</th>
              <th scope="col">{s(M.hours)}</th>
            </tr>
          </thead>
          <tbody>
            {d.totals.map((x) => (
              <tr>
                <th scope="row">{typeName(x.type, lang)}</th>
                <td>{x.sessions}</td>
                <td>{x.personTimes}</td>
                <td>{Math.round(x.hours * 10) / 10}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {d.warnings.length ? (
        <section class="card" aria-labelledby="warnings">
          <h2 id="warnings">
            {s(M.warnings)} <span class="badge warn">{d.warnings.length}</span>
          </h2>
          <ul>
            {d.warnings.map((w) => (
              <li>
                {WARNING[w.kind]?.[lang] ?? w.kind} ·{' '}
                <a href={`#a-${w.activityId}`}>{w.activityId.slice(0, 8)}</a>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <section class="card" aria-labelledby="activities">
        <h2 id="activities">{s(M.activities)}</h2>
        <div class="table-wrap">
          <table class="list">
            <thead>
              <tr>
                <th scope="col">{s(M.date)}</th>
                <th scope="col">{s(M.type)}</th>
                <th scope="col">{s(M.minutes)}</th>
                <th scope="col">{s(M.participants)}</th>
                <th scope="col">{s(M.summary)}</th>
              </tr>
            </thead>
            <tbody>
              {d.activities.map((x) => (
                <tr id={`a-${x.id}`} class={x.status === 'voided' ? 'voided' : undefined}>
                  <td class="nowrap">
                    {x.occurredOn} {x.startTime ?? ''}
                  </td>
                  <td>
                    {typeName(x.type, lang)}
                    {x.status === 'voided' ? <span class="badge">{s(M.voided)}</span> : null}
                    {x.flags.length ? <span class="badge warn">{x.flags.length}</span> : null}
                  </td>
                  <td>{x.durationMinutes}</td>
                  <td>{x.participants.map((pp) => who.get(pp.superviseeId)?.name ?? '—').join('、')}</td>
                  <td>
                    {x.summary ?? ''}
                    {canVoid && x.status === 'active' ? (
                      <VoidForm p={p} activityId={x.id} back={`${b}/ledgers/${row.id}`} />
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      {d.events.length ? (
        <section class="card" aria-labelledby="history">
          <h2 id="history">{s(M.history)}</h2>
          <ul>
            {d.events.map((e) => (
              <li>
                {e.at.slice(0, 16).replace('T', ' ')} UTC · {EVENT[e.action]?.[lang] ?? e.action}
                {e.reason ? ` · ${e.reason}` : ''}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {canSubmit ? (
        <form method="post" action={`${b}/ledgers/${row.id}/submit`} class="card">
          <Csrf p={p} />
          <input type="hidden" name="version" value={String(row.version)} />
          <button type="submit">{s(M.submit)}</button>
        </form>
      ) : null}
      {reviews ? (
        <div class="card review">
          <form method="post" action={`${b}/ledgers/${row.id}/confirm`}>
            <Csrf p={p} />
            <input type="hidden" name="version" value={String(row.version)} />
            <button type="submit">{s(M.confirm)}</button>
          </form>
          <form method="post" action={`${b}/ledgers/${row.id}/return`} novalidate>
            <Csrf p={p} />
            <input type="hidden" name="version" value={String(row.version)} />
            <TextArea name="reason" label={s(M.reason)} rows={3} required />
            <button type="submit" class="secondary">
              {s(M.return)}
            </button>
          </form>
        </div>
      ) : null}
      <p class="muted">
        {t('status')}: v{row.version}
      </p>
    </Page>,
    extra.status ?? 200,
  );
}

async function move(c: Ctx, action: 'submit' | 'return' | 'confirm') {
  const p = await pageCtx(c);
  const a = activityCtx(c);
  const id = c.req.param('id')!;
  const row = await findLedger(a, id);
  const f = await readForm(c);
  const version = Number(f.get('version'));
  const reason = f.get('reason').trim().slice(0, 1000);
  if (action === 'return' && !reason) {
    return detailPage(c, p, id, {
      message: p.lang === 'zh' ? '请写明退回原因。' : 'Give the reasons.',
      status: 400,
    });
  }
  try {
    await moveLedger(a, row, action, {
      ...(action === 'return' ? { reason } : {}),
      ifMatch: Number.isInteger(version) ? version : -1,
    });
  } catch (e) {
    const problem = problemErrors(e);
    if (!problem || (e as { status: number }).status === 403) throw e;
    const status = (e as { status: number }).status;
    return detailPage(c, p, id, {
      message: status === 412 ? p.t('stale') : problem.message,
      status: status === 412 ? 412 : status === 409 ? 409 : 400,
    });
  }
  sealLater(c, a.d1);
  return c.redirect(`${base(p)}/ledgers/${id}?done=${action}`, 303);
}

export const ledgerPages = createRouter()
  .get('/c/:county/ledgers', async (c) => {
    const p = await pageCtx(c);
    const { s, t, lang } = p;
    const a = activityCtx(c);
    const status = ['draft', 'submitted', 'returned', 'confirmed'].find((x) => x === c.req.query('status')) as
      | 'draft'
      | 'submitted'
      | 'returned'
      | 'confirmed'
      | undefined;
    const cycle = /^\d{4}-\d{2}$/.test(c.req.query('cycle') ?? '') ? c.req.query('cycle') : undefined;
    const [{ items }, l] = await Promise.all([
      listLedgers(a, { status, cycle, limit: 100 }),
      countyLookups(c),
    ]);
    const names = await providerNames(
      c,
      items.map((x) => x.providerId),
    );
    const b = base(p);
    const tabs: [string, string][] = [
      ['', t('all')],
      ['submitted', s(M.toReview)],
      ['returned', LEDGER_STATUS.returned![lang]],
      ['draft', LEDGER_STATUS.draft![lang]],
      ['confirmed', s(M.archive)],
    ];
    return c.html(
      <Page p={p} title={s(M.title)}>
        <h1>{s(M.title)}</h1>
        <nav class="tabs" aria-label={t('filter')}>
          {tabs.map(([v, label]) => (
            <a
              href={v ? `${b}/ledgers?status=${v}` : `${b}/ledgers`}
              aria-current={(status ?? '') === v ? 'page' : undefined}
            >
              {label}
            </a>
          ))}
        </nav>
        {items.length === 0 ? (
          <p class="card">{s(M.none)}</p>
        ) : (
          <div class="table-wrap card">
            <table class="list">
              <thead>
                <tr>
                  <th scope="col">{s(M.cycle)}</th>
                  <th scope="col">{t('township')}</th>
                  <th scope="col">{t('provider')}</th>
                  <th scope="col">{t('status')}</th>
                  <th scope="col">{s(M.activities)}</th>
                  <th scope="col">{s(M.dueBy)}</th>
                  <th scope="col">{s(M.warnings)}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((x) => {
                  const warnings = Object.values(x.warningCounts).reduce((n, v) => n + (v ?? 0), 0);
                  return (
                    <tr>
                      <td>
                        <a href={`${b}/ledgers/${x.id}`}>{x.cycle}</a>
                      </td>
                      <td>{townshipLabel(l, x.townshipId, lang)}</td>
                      <td>{pname(names, x.providerId, lang)}</td>
                      <td>
                        <span class={`badge ${badgeTone(x.status)}`}>{LEDGER_STATUS[x.status]![lang]}</span>
                        {x.late ? <span class="badge bad">{s(M.late)}</span> : null}
                      </td>
                      <td>{x.activityCount}</td>
                      <td>{x.dueBy}</td>
                      <td>{warnings ? <span class="badge warn">{warnings}</span> : ''}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </Page>,
    );
  })
  .get('/c/:county/ledgers/:id', async (c) => detailPage(c, await pageCtx(c), c.req.param('id')))
  .post('/c/:county/ledgers/:id/submit', (c) => move(c, 'submit'))
  .post('/c/:county/ledgers/:id/return', (c) => move(c, 'return'))
  .post('/c/:county/ledgers/:id/confirm', (c) => move(c, 'confirm'));

/** Ledgers waiting for the caller: to review (office), to submit (provider admin). */
export async function ledgerCounts(c: Ctx) {
  const a = activityCtx(c);
  if (!a.scope.bureau && !a.scope.townshipIds.length && !a.scope.providerIds.length) return null;
  const [submitted, returned] = await Promise.all([
    listLedgers(a, { status: 'submitted', limit: 200 }),
    listLedgers(a, { status: 'returned', limit: 200 }),
  ]);
  return { awaiting: submitted.items.length, returned: returned.items.length };
}
