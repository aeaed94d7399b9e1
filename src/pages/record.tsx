/**
 * 记录服务, the social worker's main screen, made for a phone at a home visit: the two common
 * services are one tap each, the supervisee is preselected when coming from the worklist or the
 * record, the date defaults to today and the duration to a chip. A group session ticks several
 * participants. The form carries an Idempotency-Key minted when it was shown, so sending it twice
 * (a double tap, a retry on a weak signal) records one activity.
 */
import { activityCtx } from '../activities/http';
import { idempotent } from '../activities/idempotency';
import { type ActivityOut, createActivity } from '../activities/service';
import type { Ctx } from '../lib/context';
import { sealLater } from '../lib/context';
import { type FieldError, invalid } from '../lib/problem';
import { createRouter } from '../lib/router';
import { safeRedirectPath } from '../lib/safe-redirect';
import { BASE_ACTIVITY_TYPES, isBaseActivityType } from '../rules';
import { scopeAtLeast, superviseeScope } from '../supervisees/access';
import { listSupervisees } from '../supervisees/service';
import type { Msg } from './i18n';
import {
  base,
  Csrf,
  type Errors,
  FormAlert,
  Input,
  Notice,
  Page,
  type PageCtx,
  pageCtx,
  problemErrors,
  readForm,
  TextArea,
} from './kit';
import { knownTypeName, typeName } from './labels';
import { countyLookups, townshipLabel } from './supervisees';

const M = {
  title: { zh: '记录服务', en: 'Record a service' },
  what: { zh: '服务类型', en: 'Service' },
  more: { zh: '其他服务类型', en: 'Other services' },
  who: { zh: '服务对象', en: 'Who took part' },
  whoHint: { zh: '小组活动可勾选多人。', en: 'Tick several for a group session.' },
  when: { zh: '日期', en: 'Date' },
  start: { zh: '开始时间（可选）', en: 'Start time (optional)' },
  minutes: { zh: '时长', en: 'Duration' },
  otherMinutes: { zh: '其他时长（分钟）', en: 'Other duration (minutes)' },
  place: { zh: '地点（可选）', en: 'Place (optional)' },
  summary: { zh: '服务内容（可选）', en: 'What was done (optional)' },
  save: { zh: '保存记录', en: 'Save the record' },
  saved: { zh: '已保存：', en: 'Saved: ' },
  lateEntry: {
    zh: '补录：日期已预填为所缺期限的最后一天，请改为服务实际发生的日期。',
    en: 'Late entry: the date is set to the last day of the missed window; change it to the day the service took place.',
  },
  another: { zh: '再记一条', en: 'Record another' },
  toSupervisee: { zh: '查看对象', en: 'Open the record' },
  none: { zh: '您目前没有服务对象。', en: 'You have no supervisee to serve yet.' },
  min: { zh: '分钟', en: 'min' },
  locked: {
    zh: '该周期台账已确认，不能再记录此日期的服务。',
    en: 'The ledger of that period is confirmed: no more services can be recorded on that date.',
  },
} satisfies Record<string, Msg>;

/** The one-tap services, then the rest behind "other". */
const QUICK = ['home_visit', 'phone_followup'] as const;
const DURATIONS = [15, 30, 45, 60, 90, 120];

async function people(c: Ctx) {
  // Those seen by name: an evaluator's minimised view of everyone lists no one here.
  const all = superviseeScope(c.var.countyMemberships);
  const scope = all && scopeAtLeast(all, 'provider');
  if (!scope) return [];
  const { rows } = await listSupervisees({ ...activityCtx(c) }, scope, { status: 'active', limit: 500 });
  return rows;
}

type Values = {
  key: string;
  back: string;
  type: string;
  superviseeIds: string[];
  occurredOn: string;
  startTime: string;
  minutes: string;
  otherMinutes: string;
  place: string;
  summary: string;
};

function RecordForm(props: {
  p: PageCtx;
  list: Awaited<ReturnType<typeof people>>;
  towns: Awaited<ReturnType<typeof countyLookups>>;
  v: Values;
  errors: Errors;
  message?: string | undefined;
}) {
  const { p, v, errors: e } = props;
  const { s, lang } = p;
  const others = BASE_ACTIVITY_TYPES.filter(
    (t) => !(QUICK as readonly string[]).includes(t) && t !== 'verification_callback',
  );
  const otherChosen = !(QUICK as readonly string[]).includes(v.type);
  return (
    <form method="post" action={`${base(p)}/record`} class="record" novalidate>
      <Csrf p={p} />
      <input type="hidden" name="key" value={v.key} />
      {v.back ? <input type="hidden" name="back" value={v.back} /> : null}
      <FormAlert p={p} message={props.message} errors={e} />
      <fieldset
        class={e.type ? 'choices invalid' : 'choices'}
        aria-describedby={e.type ? 'type-error' : undefined}
      >
        <legend>{s(M.what)}</legend>
        <div class="tiles-choice">
          {QUICK.map((t) => (
            <label class="choice big">
              <input type="radio" name="type" value={t} checked={v.type === t} />
              <span>{typeName(t, lang)}</span>
            </label>
          ))}
        </div>
        <details open={otherChosen && v.type !== ''}>
          <summary>{s(M.more)}</summary>
          <div class="choice-list">
            {others.map((t) => (
              <label class="choice">
                <input type="radio" name="type" value={t} checked={v.type === t} />
                <span>{typeName(t, lang)}</span>
              </label>
            ))}
          </div>
        </details>
        {e.type ? (
          <p class="field-error" id="type-error">
            {e.type}
          </p>
        ) : null}
      </fieldset>
      <fieldset class={e.participants ? 'choices invalid' : 'choices'} aria-describedby="who-hint">
        <legend>{s(M.who)}</legend>
        <p class="hint" id="who-hint">
          {s(M.whoHint)}
        </p>
        <div class="choice-list people">
          {props.list.map((x) => (
            <label class="choice">
              <input
                type="checkbox"
                name="superviseeId"
                value={x.id}
                checked={v.superviseeIds.includes(x.id)}
              />
              <span>
                {x.name} <small class="muted">{townshipLabel(props.towns, x.townshipId, lang)}</small>
              </span>
            </label>
          ))}
        </div>
        {e.participants ? <p class="field-error">{e.participants}</p> : null}
      </fieldset>
      <div class="row-grid">
        <Input
          name="occurredOn"
          label={s(M.when)}
          type="date"
          value={v.occurredOn}
          error={e.occurredOn}
          required
        />
        <Input name="startTime" label={s(M.start)} type="time" value={v.startTime} error={e.startTime} />
      </div>
      <fieldset class={e.durationMinutes ? 'choices invalid' : 'choices'}>
        <legend>{s(M.minutes)}</legend>
        <div class="chips">
          {DURATIONS.map((m) => (
            <label class="choice chip">
              <input type="radio" name="minutes" value={String(m)} checked={v.minutes === String(m)} />
              <span>
                {m} {s(M.min)}
              </span>
            </label>
          ))}
        </div>
        <Input
          name="otherMinutes"
          label={s(M.otherMinutes)}
          type="number"
          inputmode="numeric"
          min="1"
          max="1440"
          value={v.otherMinutes}
          error={e.durationMinutes}
        />
      </fieldset>
      <Input name="place" label={s(M.place)} value={v.place} error={e.place} />
      <TextArea name="summary" label={s(M.summary)} value={v.summary} error={e.summary} rows={3} />
      <div class="actions sticky">
        <button type="submit" class="wide">
          {s(M.save)}
        </button>
      </div>
    </form>
  );
}

const today = (c: Ctx) => activityCtx(c).today;
/** `back` comes from the address bar: only a path of this site, else none (the record form itself). */
const safeBack = (c: Ctx, x: string | undefined) => safeRedirectPath(x, c.req.url) ?? '';

export const recordPages = createRouter()
  .get('/c/:county/record', async (c) => {
    const p = await pageCtx(c);
    const { s, lang } = p;
    const [list, towns] = await Promise.all([people(c), countyLookups(c)]);
    const pre = c.req.query('supervisee');
    const type = c.req.query('type') ?? '';
    // Saved a moment ago (post → redirect → get): the notice names a known type, or is not shown.
    const doneType = c.req.query('done') ? knownTypeName(c.req.query('doneType'), lang) : null;
    const on = c.req.query('on');
    const lateEntry = on !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(on) && on < today(c);
    const v: Values = {
      key: crypto.randomUUID(),
      back: safeBack(c, c.req.query('back')),
      type: type && (isBaseActivityType(type) || /^[a-z0-9_]{1,64}$/.test(type)) ? type : '',
      superviseeIds: pre && list.some((x) => x.id === pre) ? [pre] : list.length === 1 ? [list[0]!.id] : [],
      occurredOn: lateEntry ? on : today(c),
      startTime: '',
      minutes: '30',
      otherMinutes: '',
      place: '',
      summary: '',
    };
    return c.html(
      <Page p={p} title={s(M.title)}>
        <h1>{s(M.title)}</h1>
        {doneType ? <Notice text={`${s(M.saved)}${doneType}`} /> : null}
        {lateEntry ? <p class="hint">{s(M.lateEntry)}</p> : null}
        {list.length === 0 ? (
          <p class="card">{s(M.none)}</p>
        ) : (
          <RecordForm p={p} list={list} towns={towns} v={v} errors={{}} />
        )}
        {v.back ? (
          <p>
            <a href={v.back}>← {p.t('back')}</a>
          </p>
        ) : null}
      </Page>,
    );
  })
  .post('/c/:county/record', async (c) => {
    const p = await pageCtx(c);
    const f = await readForm(c);
    const v: Values = {
      key: f.get('key'),
      back: safeBack(c, f.get('back')),
      type: f.get('type'),
      superviseeIds: f.all('superviseeId').filter(Boolean),
      occurredOn: f.get('occurredOn'),
      startTime: f.get('startTime'),
      minutes: f.get('minutes'),
      otherMinutes: f.get('otherMinutes'),
      place: f.get('place').trim(),
      summary: f.get('summary').trim(),
    };
    const again = async (errors: Errors, message?: string, status: 400 | 409 | 422 = 400) => {
      const [list, towns] = await Promise.all([people(c), countyLookups(c)]);
      return c.html(
        <Page p={p} title={p.s(M.title)}>
          <h1>{p.s(M.title)}</h1>
          <RecordForm p={p} list={list} towns={towns} v={v} errors={errors} message={message} />
        </Page>,
        status,
      );
    };
    const errors: FieldError[] = [];
    if (!v.type)
      errors.push({ path: 'type', message: p.lang === 'zh' ? '请选择服务类型' : 'choose a service' });
    if (v.superviseeIds.length === 0 && v.type !== 'legal_publicity')
      errors.push({
        path: 'participants',
        message: p.lang === 'zh' ? '请选择服务对象' : 'choose who took part',
      });
    const minutes = Number(v.otherMinutes || v.minutes);
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > 1440)
      errors.push({
        path: 'durationMinutes',
        message: p.lang === 'zh' ? '时长应为 1–1440 分钟' : '1–1440 minutes',
      });
    if (!/^\d{4}-\d{2}-\d{2}$/.test(v.occurredOn))
      errors.push({ path: 'occurredOn', message: p.lang === 'zh' ? '请填写日期' : 'give the date' });
    if (v.startTime && !/^([01]\d|2[0-3]):[0-5]\d$/.test(v.startTime))
      errors.push({ path: 'startTime', message: 'HH:MM' });
    if (v.occurredOn > today(c))
      errors.push({
        path: 'occurredOn',
        message: p.lang === 'zh' ? '不能晚于今天' : 'must not be in the future',
      });
    if (errors.length) return again(Object.fromEntries(errors.map((x) => [x.path, x.message])));
    const body = {
      type: v.type,
      occurredOn: v.occurredOn,
      durationMinutes: minutes,
      ...(v.startTime ? { startTime: v.startTime } : {}),
      ...(v.place ? { place: v.place.slice(0, 200) } : {}),
      ...(v.summary ? { summary: v.summary.slice(0, 4000) } : {}),
      participants: v.superviseeIds.slice(0, 500).map((superviseeId) => ({ superviseeId })),
    };
    const a = activityCtx(c);
    try {
      if (!/^[\x21-\x7e]{1,200}$/.test(v.key)) throw invalid([{ path: 'key', message: 'reload the form' }]);
      const answer = await idempotent(a, v.key, { route: 'PAGE /record', body }, async (record) => ({
        status: 201,
        body: await createActivity(a, body, record),
      }));
      sealLater(c, a.d1);
      const out = answer.body as ActivityOut;
      const next = new URLSearchParams({ done: out.id, doneType: out.type });
      if (v.back) return c.redirect(`${v.back}${v.back.includes('?') ? '&' : '?'}${next}`, 303);
      return c.redirect(`${base(p)}/record?${next}`, 303);
    } catch (e) {
      const problem = problemErrors(e);
      if (!problem) throw e;
      const status = (e as { status: number }).status;
      // Field paths of the API (participants.0.superviseeId) land on the page's fields.
      const shown: Errors = {};
      for (const [path, message] of Object.entries(problem.errors)) shown[path.split('.')[0]!] ??= message;
      return again(
        shown,
        status === 409 && problem.message.includes('confirmed') ? p.s(M.locked) : problem.message,
        status === 409 ? 409 : status === 422 ? 422 : 400,
      );
    }
  });
