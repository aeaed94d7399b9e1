/**
 * Incidents (重大事项报告): a provider reports about a supervisee it serves; the township office
 * (or the bureau) acknowledges within the county's deadline and resolves. Lists decrypt nothing;
 * opening one decrypts its narratives (audited by the service).
 */
import { inArray } from 'drizzle-orm';
import { z } from 'zod';
import { INCIDENT_KINDS, INCIDENT_STATUSES, type IncidentStatus } from '../incidents/schema';
import {
  acknowledgeIncident,
  findIncident,
  incidentScope,
  listIncidents,
  presentIncident,
  presentIncidentDetail,
  reportIncident,
  reportingProvider,
  requireIncidentScope,
  resolveIncident,
} from '../incidents/service';
import { type Ctx, countyCtx, sealLater } from '../lib/context';
import { invalid } from '../lib/problem';
import { createRouter } from '../lib/router';
import { civilDate, nowInstant } from '../lib/time';
import { scopeAtLeast, superviseeScope } from '../supervisees/access';
import { supervisees } from '../supervisees/schema';
import { listSupervisees } from '../supervisees/service';
import type { Lang, Msg } from './i18n';
import {
  base,
  Csrf,
  type Errors,
  FormAlert,
  hasRole,
  Input,
  Notice,
  Page,
  type PageCtx,
  pageCtx,
  problemErrors,
  readForm,
  Select,
  TextArea,
  zodErrors,
} from './kit';
import { countyLookups, townshipLabel } from './supervisees';

export const KINDS: Record<string, Msg> = {
  violation: { zh: '违反监管规定', en: 'Violation of supervision rules' },
  absconding_risk: { zh: '脱管风险', en: 'Risk of absconding' },
  suspected_offence: { zh: '涉嫌再犯罪', en: 'Suspected offence' },
  mental_health_crisis: { zh: '心理危机', en: 'Mental-health crisis' },
  emergency_hardship: { zh: '突发困难', en: 'Emergency hardship' },
};
const STATUS: Record<IncidentStatus, Msg> = {
  open: { zh: '待签收', en: 'open' },
  acknowledged: { zh: '已签收', en: 'acknowledged' },
  resolved: { zh: '已办结', en: 'resolved' },
};

const M = {
  title: { zh: '重大事项报告', en: 'Incident reports' },
  report: { zh: '报告重大事项', en: 'Report an incident' },
  supervisee: { zh: '矫正对象', en: 'Supervisee' },
  kind: { zh: '类别', en: 'Kind' },
  occurredAt: { zh: '发生时间', en: 'When it happened' },
  description: { zh: '情况说明', en: 'What happened' },
  reportedAt: { zh: '报告时间', en: 'Reported' },
  acknowledgeBy: { zh: '签收期限', en: 'Acknowledge by' },
  overdue: { zh: '逾期未签收', en: 'overdue' },
  escalated: { zh: '已上报县局', en: 'escalated' },
  acknowledge: { zh: '签收', en: 'Acknowledge' },
  note: { zh: '签收意见（可选）', en: 'Note (optional)' },
  resolve: { zh: '办结', en: 'Resolve' },
  resolution: { zh: '处理结果', en: 'How it was resolved' },
  none: { zh: '没有重大事项报告。', en: 'No incident reports.' },
  reported: {
    zh: '已报告，司法所将在规定时限内签收。',
    en: 'Reported; the township office will acknowledge it in time.',
  },
  acknowledged: { zh: '已签收。', en: 'Acknowledged.' },
  resolved: { zh: '已办结。', en: 'Resolved.' },
  noSupervisees: { zh: '您的机构目前没有服务对象。', en: 'Your provider serves no supervisee yet.' },
} satisfies Record<string, Msg>;

const scopeOf = (c: Ctx) => requireIncidentScope(c.var.countyMemberships);

const localTime = (instant: string | null, tz: string) =>
  instant
    ? `${civilDate(instant, tz)} ${new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', minute: '2-digit' }).format(new Date(instant))}`
    : '—';

async function names(c: Ctx, ids: string[]) {
  if (!ids.length) return new Map<string, { caseNumber: string; name: string }>();
  const rows = await c.var.countyDb
    .select({ id: supervisees.id, caseNumber: supervisees.caseNumber, name: supervisees.name })
    .from(supervisees)
    .where(inArray(supervisees.id, [...new Set(ids)].slice(0, 100)));
  return new Map(rows.map((r) => [r.id, r]));
}

const kindLabel = (k: string, lang: Lang) => KINDS[k]?.[lang] ?? k;

/** The supervisees a provider's staff may report about (those their provider serves). */
async function reportable(c: Ctx) {
  // Those seen by name: an evaluator's minimised view of everyone lists no one here.
  const all = superviseeScope(c.var.countyMemberships);
  const scope = all && scopeAtLeast(all, 'provider');
  if (!scope) return [];
  const { rows } = await listSupervisees(countyCtx(c), scope, { status: 'active', limit: 500 });
  return rows;
}

function ReportForm(props: {
  p: PageCtx;
  people: Awaited<ReturnType<typeof reportable>>;
  values: Record<string, string>;
  errors: Errors;
  message?: string | undefined;
}) {
  const { p, values: v, errors: e } = props;
  const { s, lang } = p;
  if (props.people.length === 0) return <p class="card">{s(M.noSupervisees)}</p>;
  return (
    <form method="post" action={`${base(p)}/incidents`} class="card" novalidate>
      <Csrf p={p} />
      <FormAlert p={p} message={props.message} errors={e} />
      <Select
        name="superviseeId"
        label={s(M.supervisee)}
        options={props.people.map((x) => ({ value: x.id, label: `${x.name} · ${x.caseNumber}` }))}
        value={v.superviseeId}
        error={e.superviseeId}
        required
        blank=""
      />
      <Select
        name="kind"
        label={s(M.kind)}
        options={INCIDENT_KINDS.map((k) => ({ value: k, label: kindLabel(k, lang) }))}
        value={v.kind}
        error={e.kind}
        required
        blank=""
      />
      <Input
        name="occurredAt"
        label={s(M.occurredAt)}
        type="datetime-local"
        value={v.occurredAt}
        error={e.occurredAt}
      />
      <TextArea
        name="description"
        label={s(M.description)}
        value={v.description}
        error={e.description}
        required
        rows={6}
      />
      <div class="actions">
        <button type="submit">{s(M.report)}</button>
      </div>
    </form>
  );
}

const NewIncidentForm = z.strictObject({
  superviseeId: z.string().trim().min(1, 'required').max(64),
  kind: z.enum(INCIDENT_KINDS, { error: 'choose a kind' }),
  description: z.string().trim().min(1, 'required').max(4000),
});

/** A datetime-local value (the county's wall clock) as a UTC instant. */
function wallClockToInstant(local: string, tz: string): string | null {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})$/.exec(local);
  if (!m) return null;
  const guess = Date.parse(`${m[1]}T${m[2]}:${m[3]}:00Z`);
  // The offset of the county's zone at that moment (Asia/Shanghai has no DST; others may).
  const shown = new Intl.DateTimeFormat('en-CA', {
    timeZone: tz,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  })
    .format(new Date(guess))
    .replace(', ', 'T');
  const offset = Date.parse(`${shown}:00Z`) - guess;
  return new Date(guess - offset).toISOString();
}

const DONE: Record<string, Msg> = {
  reported: M.reported,
  acknowledged: M.acknowledged,
  resolved: M.resolved,
};

export const incidentPages = createRouter()
  .get('/c/:county/incidents', async (c) => {
    const p = await pageCtx(c);
    const { s, t, lang } = p;
    const scope = scopeOf(c);
    const k = countyCtx(c);
    const now = nowInstant();
    const status = INCIDENT_STATUSES.find((x) => x === c.req.query('status'));
    const [{ rows }, l] = await Promise.all([
      listIncidents(k, scope, { status, limit: 100 }, now),
      countyLookups(c),
    ]);
    const who = await names(
      c,
      rows.map((r) => r.superviseeId),
    );
    const b = base(p);
    const done = DONE[c.req.query('done') ?? ''];
    return c.html(
      <Page p={p} title={s(M.title)}>
        <div class="page-head">
          <h1>{s(M.title)}</h1>
          {hasRole(p, 'provider_admin', 'provider_worker') ? (
            <a class="button" href={`${b}/incidents/new`}>
              {s(M.report)}
            </a>
          ) : null}
        </div>
        <Notice text={done ? s(done) : null} />
        <nav class="tabs" aria-label={t('filter')}>
          <a href={`${b}/incidents`} aria-current={status ? undefined : 'page'}>
            {t('all')}
          </a>
          {INCIDENT_STATUSES.map((x) => (
            <a href={`${b}/incidents?status=${x}`} aria-current={status === x ? 'page' : undefined}>
              {STATUS[x][lang]}
            </a>
          ))}
        </nav>
        {rows.length === 0 ? (
          <p class="card">{s(M.none)}</p>
        ) : (
          <div class="table-wrap card">
            <table class="list">
              <thead>
                <tr>
                  <th scope="col">{s(M.reportedAt)}</th>
                  <th scope="col">{s(M.supervisee)}</th>
                  <th scope="col">{t('township')}</th>
                  <th scope="col">{s(M.kind)}</th>
                  <th scope="col">{t('status')}</th>
                  <th scope="col">{s(M.acknowledgeBy)}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => {
                  const x = presentIncident(r, now);
                  const person = who.get(r.superviseeId);
                  return (
                    <tr>
                      <td class="nowrap">
                        <a href={`${b}/incidents/${r.id}`}>{localTime(r.reportedAt, p.county!.timezone)}</a>
                      </td>
                      <td>{person ? `${person.name} · ${person.caseNumber}` : r.superviseeId}</td>
                      <td>{townshipLabel(l, r.townshipId, lang)}</td>
                      <td>{kindLabel(r.kind, lang)}</td>
                      <td>
                        {STATUS[r.status][lang]}
                        {x.escalated ? (
                          <span class="badge bad">{s(M.escalated)}</span>
                        ) : x.overdue ? (
                          <span class="badge warn">{s(M.overdue)}</span>
                        ) : null}
                      </td>
                      <td class="nowrap">{localTime(x.acknowledgeBy, p.county!.timezone)}</td>
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
  .get('/c/:county/incidents/new', async (c) => {
    const p = await pageCtx(c);
    const people = await reportable(c);
    const pre = c.req.query('supervisee') ?? '';
    return c.html(
      <Page p={p} title={p.s(M.report)}>
        <h1>{p.s(M.report)}</h1>
        <ReportForm p={p} people={people} values={{ superviseeId: pre }} errors={{}} />
      </Page>,
    );
  })
  .post('/c/:county/incidents', async (c) => {
    const p = await pageCtx(c);
    const f = await readForm(c);
    const values = {
      superviseeId: f.get('superviseeId'),
      kind: f.get('kind'),
      occurredAt: f.get('occurredAt'),
      description: f.get('description'),
    };
    const again = async (errors: Errors, message?: string) =>
      c.html(
        <Page p={p} title={p.s(M.report)}>
          <h1>{p.s(M.report)}</h1>
          <ReportForm p={p} people={await reportable(c)} values={values} errors={errors} message={message} />
        </Page>,
        400,
      );
    const parsed = NewIncidentForm.safeParse({
      superviseeId: values.superviseeId,
      kind: values.kind,
      description: values.description,
    });
    if (!parsed.success) return again(zodErrors(parsed.error));
    const k = countyCtx(c);
    const occurredAt = values.occurredAt ? wallClockToInstant(values.occurredAt, k.county.timezone) : null;
    try {
      if (values.occurredAt && !occurredAt)
        throw invalid([{ path: 'occurredAt', message: 'not a date and time' }]);
      const providerIds = c.var.countyMemberships.flatMap((m) => (m.providerId ? [m.providerId] : []));
      const providerId = reportingProvider(providerIds, undefined);
      await reportIncident(
        k,
        providerId,
        { ...parsed.data, occurredAt: occurredAt ?? undefined },
        nowInstant(),
      );
    } catch (e) {
      const problem = problemErrors(e);
      if (!problem) throw e;
      return again(problem.errors, problem.message);
    }
    sealLater(c, k.d1);
    return c.redirect(`${base(p)}/incidents?done=reported`, 303);
  })
  .get('/c/:county/incidents/:id', async (c) => {
    const p = await pageCtx(c);
    const { s, t, lang } = p;
    const scope = scopeOf(c);
    const k = countyCtx(c);
    const row = await findIncident(k, scope, c.req.param('id'));
    const x = await presentIncidentDetail(k, row, nowInstant());
    sealLater(c, k.d1);
    const [l, who] = await Promise.all([countyLookups(c), names(c, [row.superviseeId])]);
    const person = who.get(row.superviseeId);
    const tz = p.county!.timezone;
    const handles = hasRole(p, 'bureau_admin', 'bureau_officer', 'office_officer');
    const b = base(p);
    const done = DONE[c.req.query('done') ?? ''];
    const title = `${s(M.title)} · ${kindLabel(row.kind, lang)}`;
    return c.html(
      <Page p={p} title={title}>
        <p>
          <a href={`${b}/incidents`}>← {s(M.title)}</a>
        </p>
        <h1>
          {kindLabel(row.kind, lang)} <span class="badge">{STATUS[row.status][lang]}</span>
          {x.escalated ? (
            <span class="badge bad">{s(M.escalated)}</span>
          ) : x.overdue ? (
            <span class="badge warn">{s(M.overdue)}</span>
          ) : null}
        </h1>
        <Notice text={done ? s(done) : null} />
        <section class="card">
          <dl class="facts">
            <dt>{s(M.supervisee)}</dt>
            <dd>
              <a href={`${b}/supervisees/${row.superviseeId}`}>
                {person ? `${person.name} · ${person.caseNumber}` : row.superviseeId}
              </a>
            </dd>
            <dt>{t('township')}</dt>
            <dd>{townshipLabel(l, row.townshipId, lang)}</dd>
            <dt>{s(M.occurredAt)}</dt>
            <dd>{localTime(row.occurredAt, tz)}</dd>
            <dt>{s(M.reportedAt)}</dt>
            <dd>{localTime(row.reportedAt, tz)}</dd>
            <dt>{s(M.acknowledgeBy)}</dt>
            <dd>{localTime(x.acknowledgeBy, tz)}</dd>
            <dt>{s(M.description)}</dt>
            <dd class="prose">{x.description}</dd>
            {x.acknowledgedAt ? (
              <>
                <dt>{s(M.acknowledge)}</dt>
                <dd>
                  {localTime(x.acknowledgedAt, tz)} {x.acknowledgeNote ? `· ${x.acknowledgeNote}` : ''}
                </dd>
              </>
            ) : null}
            {x.resolvedAt ? (
              <>
                <dt>{s(M.resolution)}</dt>
                <dd>
                  {localTime(x.resolvedAt, tz)} · {x.resolution}
                </dd>
              </>
            ) : null}
          </dl>
        </section>
        {handles && row.status === 'open' ? (
          <form method="post" action={`${b}/incidents/${row.id}/acknowledge`} class="card" novalidate>
            <Csrf p={p} />
            <TextArea name="note" label={s(M.note)} rows={3} />
            <div class="actions">
              <button type="submit">{s(M.acknowledge)}</button>
            </div>
          </form>
        ) : null}
        {handles && row.status === 'acknowledged' ? (
          <form method="post" action={`${b}/incidents/${row.id}/resolve`} class="card" novalidate>
            <Csrf p={p} />
            <TextArea name="resolution" label={s(M.resolution)} rows={4} required />
            <div class="actions">
              <button type="submit">{s(M.resolve)}</button>
            </div>
          </form>
        ) : null}
      </Page>,
    );
  })
  .post('/c/:county/incidents/:id/acknowledge', async (c) => {
    const p = await pageCtx(c);
    const scope = scopeOf(c);
    const k = countyCtx(c);
    const row = await findIncident(k, scope, c.req.param('id'));
    const note = (await readForm(c)).get('note').trim().slice(0, 2000);
    await acknowledgeIncident(k, row, note || undefined, nowInstant());
    sealLater(c, k.d1);
    return c.redirect(`${base(p)}/incidents/${row.id}?done=acknowledged`, 303);
  })
  .post('/c/:county/incidents/:id/resolve', async (c) => {
    const p = await pageCtx(c);
    const scope = scopeOf(c);
    const k = countyCtx(c);
    const row = await findIncident(k, scope, c.req.param('id'));
    const resolution = (await readForm(c)).get('resolution').trim().slice(0, 4000);
    if (!resolution) throw invalid([{ path: 'resolution', message: 'required' }]);
    await resolveIncident(k, row, resolution, nowInstant());
    sealLater(c, k.d1);
    return c.redirect(`${base(p)}/incidents/${row.id}?done=resolved`, 303);
  });

/** Open incidents in scope, and how many are past their deadline, for the dashboard. */
export async function incidentCounts(c: Ctx) {
  const scope = incidentScope(c.var.countyMemberships);
  if (!scope) return null;
  const now = nowInstant();
  const { rows } = await listIncidents(countyCtx(c), scope, { status: 'open', limit: 200 }, now);
  const shown = rows.map((r) => presentIncident(r, now));
  return { open: shown.length, overdue: shown.filter((x) => x.overdue).length };
}
