/**
 * Assigning a provider (and one of its social workers) to a supervisee, from the record page:
 * the bureau assigns any provider serving the county, a provider admin its own provider.
 * Also voiding an activity (with a reason) from a ledger under review, before it is confirmed.
 */
import { and, eq, inArray } from 'drizzle-orm';
import { activityCtx } from '../activities/http';
import { findActivity, LOCKED_DETAIL, voidActivity } from '../activities/service';
import { assignmentCtx, createAssignment } from '../assignments/service';
import { controlDb, queryInChunks } from '../db';
import { memberships, providerCounties, providers, users } from '../db/control-schema';
import { type Ctx, countyCtx, sealLater } from '../lib/context';
import { invalid } from '../lib/problem';
import { createRouter } from '../lib/router';
import { safeRedirectPath } from '../lib/safe-redirect';
import { superviseeScope } from '../supervisees/access';
import { findVisible } from '../supervisees/service';
import type { Msg } from './i18n';
import { base, Csrf, hasRole, Input, type PageCtx, pageCtx, problemErrors, readForm, Select } from './kit';

const M = {
  assign: { zh: '安排社工组织', en: 'Assign a provider' },
  worker: { zh: '社工（可选）', en: 'Social worker (optional)' },
  from: { zh: '起始日期', en: 'From' },
  reason: { zh: '作废原因', en: 'Reason for voiding' },
  void: { zh: '作废', en: 'Void' },
} satisfies Record<string, Msg>;

/**
 * Why an assignment or a void failed, said on the page the form returns to. Only these codes
 * travel in the address (`?error=assign-overlap`); the words are ours, so no one can put theirs
 * into the page's error banner with a crafted link. An unknown code shows nothing.
 */
const FAILED = {
  'assign-overlap': {
    zh: '该对象在这段时间内已安排给此社工组织，请先结束或修改原有安排。',
    en: 'The supervisee is already assigned to this provider for part of that period; end or change that assignment.',
  },
  'assign-provider': { zh: '该社工组织未服务本县。', en: 'This provider does not serve the county.' },
  'assign-worker': {
    zh: '所选社工不是该社工组织在本县的社工。',
    en: 'That person is not a social worker of this provider in this county.',
  },
  'assign-dates': {
    zh: '起始日期应为有效日期，且在矫正期内。',
    en: 'The start date must be a valid date within the correction term.',
  },
  'assign-failed': {
    zh: '未能安排，请检查填写内容后重试。',
    en: 'The assignment was not saved; check the form and try again.',
  },
  'void-reason': { zh: '请填写作废原因。', en: 'Give a reason.' },
  'void-locked': {
    zh: '该周期台账已确认，其中的记录不能再作废；如需更正，请补充更正记录。',
    en: 'The ledger of that period is confirmed: its activities can no longer be voided; record an amendment instead.',
  },
  'void-gone': { zh: '该记录已被作废。', en: 'The activity was voided meanwhile.' },
  'void-failed': {
    zh: '未能作废该记录，请刷新页面后重试。',
    en: 'The activity was not voided; reload the page and try again.',
  },
} satisfies Record<string, Msg>;

type FailedCode = keyof typeof FAILED;

/** The message of a `?error=` code from this file's forms, or null for anything else. */
export const failedMessage = (code: string | undefined): Msg | null =>
  code !== undefined && Object.hasOwn(FAILED, code) ? FAILED[code as FailedCode] : null;

const statusOf = (e: unknown) => (e as { status?: number }).status;

function assignFailure(e: unknown, fields: Record<string, string>): FailedCode {
  if (statusOf(e) === 409) return 'assign-overlap';
  if (fields.providerId) return 'assign-provider';
  if (fields.workerUserId) return 'assign-worker';
  if (fields.from || fields.to) return 'assign-dates';
  return 'assign-failed';
}

function voidFailure(e: unknown, message: string): FailedCode {
  if (statusOf(e) === 409 && message === LOCKED_DETAIL) return 'void-locked';
  if (statusOf(e) === 409 && /voided/.test(message)) return 'void-gone';
  return 'void-failed';
}

/** Providers serving the county (the caller's own for a provider admin) and their social workers. */
export async function assignmentChoices(c: Ctx, p: PageCtx) {
  const control = controlDb(c.env);
  const slug = c.var.county.slug;
  const own = c.var.countyMemberships
    .filter((m) => m.role === 'provider_admin' && m.providerId)
    .map((m) => m.providerId!);
  const bureau = hasRole(p, 'bureau_admin', 'bureau_officer');
  const serving = await control
    .select({ id: providers.id, name: providers.name, nameEn: providers.nameEn })
    .from(providerCounties)
    .innerJoin(providers, eq(providers.id, providerCounties.providerId))
    .where(eq(providerCounties.county, slug));
  const allowed = serving.filter((x) => bureau || own.includes(x.id));
  // A county may be served by more than 100 providers; beside the ids: the county and the role.
  const workers = await queryInChunks(
    allowed.map((x) => x.id),
    2,
    (chunk) =>
      control
        .select({ id: users.id, name: users.displayName, providerId: memberships.providerId })
        .from(memberships)
        .innerJoin(users, eq(users.id, memberships.userId))
        .where(
          and(
            eq(memberships.county, slug),
            eq(memberships.role, 'provider_worker'),
            inArray(memberships.providerId, chunk),
          ),
        ),
  );
  return { providers: allowed, workers };
}

export function AssignForm(props: {
  p: PageCtx;
  superviseeId: string;
  choices: Awaited<ReturnType<typeof assignmentChoices>>;
  today: string;
}) {
  const { p, choices } = props;
  const { s, lang } = p;
  if (choices.providers.length === 0) return null;
  const name = (x: { name: string; nameEn: string | null }) =>
    lang === 'zh' ? x.name : (x.nameEn ?? x.name);
  return (
    <form
      method="post"
      action={`${base(p)}/supervisees/${props.superviseeId}/assignments`}
      class="inline-form"
      novalidate
    >
      <h3>{s(M.assign)}</h3>
      <Csrf p={p} />
      <Select
        name="providerId"
        label={p.t('provider')}
        options={choices.providers.map((x) => ({ value: x.id, label: name(x) }))}
        required
      />
      <Select
        name="workerUserId"
        label={s(M.worker)}
        options={choices.workers.map((w) => ({ value: w.id, label: w.name }))}
        blank="—"
      />
      <Input name="from" label={s(M.from)} type="date" value={props.today} required />
      <div class="actions">
        <button type="submit">{s(M.assign)}</button>
      </div>
    </form>
  );
}

export function VoidForm(props: { p: PageCtx; activityId: string; back: string }) {
  const { p } = props;
  return (
    <details class="void">
      <summary>{p.s(M.void)}</summary>
      <form
        method="post"
        action={`${base(p)}/activities/${props.activityId}/void`}
        class="inline-form compact"
        novalidate
      >
        <Csrf p={p} />
        <input type="hidden" name="back" value={props.back} />
        <Input name={`reason-${props.activityId}`} label={p.s(M.reason)} required />
        <button type="submit" class="secondary small">
          {p.s(M.void)}
        </button>
      </form>
    </details>
  );
}

export const assignmentPages = createRouter()
  .post('/c/:county/supervisees/:id/assignments', async (c) => {
    const p = await pageCtx(c);
    const k = countyCtx(c);
    const scope = superviseeScope(c.var.countyMemberships);
    const row = await findVisible(
      k,
      scope ?? { all: false, townshipIds: [], providerIds: [], detail: 'minimal' },
      c.req.param('id'),
    );
    const f = await readForm(c);
    const a = assignmentCtx(k, controlDb(c.env), c.var.countyMemberships);
    try {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(f.get('from')))
        throw invalid([{ path: 'from', message: 'YYYY-MM-DD' }]);
      await createAssignment(a, row, {
        providerId: f.get('providerId'),
        workerUserId: f.get('workerUserId') || undefined,
        from: f.get('from'),
      });
    } catch (e) {
      const problem = problemErrors(e);
      if (!problem || [403, 404].includes((e as { status: number }).status)) throw e;
      return c.redirect(`${base(p)}/supervisees/${row.id}?error=${assignFailure(e, problem.errors)}`, 303);
    }
    sealLater(c, k.d1);
    return c.redirect(`${base(p)}/supervisees/${row.id}?done=assigned`, 303);
  })
  .post('/c/:county/activities/:id/void', async (c) => {
    const a = activityCtx(c);
    const id = c.req.param('id');
    const row = await findActivity(a, id);
    const f = await readForm(c);
    const back = safeRedirectPath(f.get('back'), c.req.url) ?? `/c/${a.county.slug}/ledgers`;
    const reason = f.get(`reason-${id}`).trim().slice(0, 500);
    const sep = back.includes('?') ? '&' : '?';
    if (!reason) return c.redirect(`${back}${sep}error=void-reason`, 303);
    try {
      await voidActivity(a, row, reason, null);
    } catch (e) {
      const problem = problemErrors(e);
      if (!problem || [403, 404].includes((e as { status: number }).status)) throw e;
      return c.redirect(`${back}${sep}error=${voidFailure(e, problem.message)}`, 303);
    }
    sealLater(c, a.d1);
    return c.redirect(`${back}${sep}done=voided`, 303);
  });
