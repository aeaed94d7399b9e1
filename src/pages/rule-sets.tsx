/**
 * The rule-set editor (DESIGN.md §4): the history of versions, a draft edited either as a form
 * of requirements or as JSON (validated live by /assets/rule-set-editor.js through the API),
 * the diff against the version in force, and publication. Only the bureau admin edits.
 */
import type { Child } from 'hono/jsx';
import { type Ctx, countyCtx, sealLater } from '../lib/context';
import { createRouter } from '../lib/router';
import { civilDate } from '../lib/time';
import type { RuleSetRow } from '../rule-sets/schema';
import {
  countyActivityTypes,
  createDraft,
  diffAgainst,
  discardDraft,
  getRuleSetRow,
  latestPublished,
  listRuleSets,
  publishDraft,
  ruleSetOn,
  saveDraft,
} from '../rule-sets/service';
import {
  ACTIVITY_TYPE_LABELS,
  isBaseActivityType,
  knownActivityTypes,
  PRESETS,
  type PresetId,
  type Requirement,
  type RuleSet,
  SENTENCE_TYPES,
} from '../rules';
import { previewSection } from './compliance';
import type { Lang, Msg } from './i18n';
import {
  base,
  Checkbox,
  Csrf,
  type Errors,
  type Form,
  FormAlert,
  hasRole,
  Input,
  Notice,
  type Option,
  Page,
  type PageCtx,
  pageCtx,
  problemErrors,
  readForm,
  Select,
  TextArea,
} from './kit';
import { SENTENCE_TYPES as SENTENCE_LABELS } from './supervisees';

const M = {
  title: { zh: '服务规则', en: 'Rule sets' },
  history: { zh: '版本记录', en: 'Versions' },
  version: { zh: '版本', en: 'Version' },
  name: { zh: '名称', en: 'Name' },
  effectiveFrom: { zh: '生效日期', en: 'Effective from' },
  publishedAt: { zh: '发布时间', en: 'Published' },
  inForce: { zh: '现行', en: 'in force' },
  draft: { zh: '草稿', en: 'draft' },
  published: { zh: '已发布', en: 'published' },
  discarded: { zh: '已作废', en: 'discarded' },
  newDraft: { zh: '新建草稿', en: 'New draft' },
  startFrom: { zh: '起草依据', en: 'Start from' },
  fromCurrent: { zh: '现行规则', en: 'The rules in force' },
  fromPreset: { zh: '预设：', en: 'Preset: ' },
  create: { zh: '创建草稿', en: 'Create the draft' },
  requirements: { zh: '服务要求', en: 'Service requirements' },
  requirement: { zh: '要求', en: 'Requirement' },
  newRequirement: {
    zh: '新增一项要求（填写编号即添加）',
    en: 'Add a requirement (fill in its id to add it)',
  },
  reqId: { zh: '编号', en: 'Id' },
  label: { zh: '说明', en: 'Label' },
  activityTypes: { zh: '计入的服务类型', en: 'Activity types that count' },
  measure: { zh: '计量', en: 'Measure' },
  count: { zh: '次数', en: 'count' },
  hours: { zh: '小时', en: 'hours' },
  min: { zh: '最低要求', en: 'Minimum' },
  window: { zh: '周期', en: 'Window' },
  windowDays: { zh: '天数（滚动/期限/循环周期）', en: 'Days (rolling, deadline or recurring windows)' },
  appliesTo: { zh: '适用对象', en: 'Applies to' },
  levels: { zh: '管理级别', en: 'Levels' },
  keyPerson: { zh: '重点对象', en: 'Key person' },
  ableToWork: { zh: '有劳动能力', en: 'Able to work' },
  phases: { zh: '矫正阶段', en: 'Phases' },
  sentenceTypes: { zh: '矫正类别', en: 'Sentence types' },
  remove: { zh: '删除此项', en: 'Remove this requirement' },
  saveForm: { zh: '保存要求', en: 'Save the requirements' },
  jsonView: { zh: 'JSON 视图', en: 'JSON view' },
  jsonHint: {
    zh: '完整规则（含级别、阶段、特殊时期、台账、定价、评价）。输入时自动校验。',
    en: 'The whole rule set (levels, phases, special periods, ledger, pricing, evaluation). Checked as you type.',
  },
  saveJson: { zh: '保存 JSON', en: 'Save the JSON' },
  badJson: { zh: '不是有效的 JSON：', en: 'Not valid JSON: ' },
  diff: { zh: '与现行规则的差异', en: 'Changes against the rules in force' },
  diffNone: { zh: '与现行规则相同。', en: 'Same as the rules in force.' },
  diffAgainst: { zh: '对比版本', en: 'Compared with version' },
  added: { zh: '新增', en: 'added' },
  removed: { zh: '删除', en: 'removed' },
  changed: { zh: '修改', en: 'changed' },
  before: { zh: '原', en: 'before' },
  after: { zh: '新', en: 'after' },
  publish: { zh: '发布', en: 'Publish' },
  publishHint: {
    zh: '发布后不可修改；自生效日期起按新规则计算达标情况。',
    en: 'A published version never changes; compliance is computed with it from its effective date.',
  },
  discard: { zh: '作废草稿', en: 'Discard the draft' },
  created: { zh: '草稿已创建。', en: 'Draft created.' },
  savedDraft: { zh: '草稿已保存。', en: 'Draft saved.' },
  publishedDone: { zh: '已发布。', en: 'Published.' },
  discardedDone: { zh: '草稿已作废。', en: 'Draft discarded.' },
  readOnly: { zh: '此版本只读。', en: 'This version is read-only.' },
  everyone: { zh: '全部对象', en: 'everyone' },
  every: { zh: '每', en: 'every' },
  ledger: { zh: '台账', en: 'Ledgers' },
  pricing: { zh: '定价', en: 'Pricing' },
  rules: { zh: '规则内容', en: 'The rules' },
  noDraftEdits: { zh: '只有县司法局管理员可以修改规则。', en: 'Only the bureau administrator edits rules.' },
  validating: { zh: '正在校验…', en: 'Checking…' },
  preview: { zh: '试算预览', en: 'What-if preview' },
} satisfies Record<string, Msg>;

const WINDOWS: Record<string, Msg> = {
  'calendar:week': { zh: '每周（周一至周日）', en: 'each week (Mon–Sun)' },
  'calendar:half_month': { zh: '每半月', en: 'each half month' },
  'calendar:month': { zh: '每月', en: 'each month' },
  'calendar:quarter': { zh: '每季度', en: 'each quarter' },
  'calendar:year': { zh: '每年', en: 'each year' },
  rollingDays: { zh: '滚动 N 天内', en: 'within any rolling N days' },
  withinDaysOfStart: { zh: '入矫后 N 天内', en: 'within N days of the term start' },
  everyDaysFromStart: { zh: '自入矫起每 N 天', en: 'every N days from the term start' },
};

const activityLabel = (code: string, lang: Lang) =>
  isBaseActivityType(code) ? ACTIVITY_TYPE_LABELS[code][lang] : code;

const windowKey = (w: Requirement['window']): { kind: string; days: number | null } => {
  if ('calendar' in w) return { kind: `calendar:${w.calendar}`, days: null };
  if ('rollingDays' in w) return { kind: 'rollingDays', days: w.rollingDays };
  if ('withinDaysOfStart' in w) return { kind: 'withinDaysOfStart', days: w.withinDaysOfStart };
  return { kind: 'everyDaysFromStart', days: w.everyDaysFromStart };
};

/** One line a bureau officer can read: "每月 ≥ 8 小时：教育学习（适用：重点对象）". */
export function describeRequirement(r: Requirement, rs: RuleSet, lang: Lang): string {
  const w = windowKey(r.window);
  const windowText = WINDOWS[w.kind]![lang].replace('N', String(w.days ?? ''));
  const unit = r.measure === 'hours' ? M.hours[lang] : M.count[lang];
  const types = r.activityTypes.map((t) => activityLabel(t, lang)).join(lang === 'zh' ? '、' : ', ');
  const who: string[] = [];
  const a = r.appliesTo;
  if (a?.levels) who.push(a.levels.map((c) => rs.levels.find((l) => l.code === c)?.label ?? c).join('/'));
  if (a?.keyPerson !== undefined)
    who.push(`${a.keyPerson ? '' : lang === 'zh' ? '非' : 'not '}${M.keyPerson[lang]}`);
  if (a?.ableToWork !== undefined)
    who.push(`${a.ableToWork ? '' : lang === 'zh' ? '无' : 'not '}${M.ableToWork[lang].replace('有', '')}`);
  if (a?.phases) who.push(a.phases.join('/'));
  if (a?.sentenceTypes) who.push(a.sentenceTypes.map((x) => SENTENCE_LABELS[x]?.[lang] ?? x).join('/'));
  const whom = who.length ? who.join(lang === 'zh' ? '，' : ', ') : M.everyone[lang];
  return lang === 'zh'
    ? `${windowText} ≥ ${r.min} ${unit}：${types}（适用：${whom}）`
    : `${windowText}: at least ${r.min} ${unit} of ${types} (applies to: ${whom})`;
}

const statusLabel = (row: RuleSetRow, lang: Lang) =>
  row.status === 'draft' ? M.draft[lang] : row.status === 'published' ? M.published[lang] : M.discarded[lang];

/** The first day of next month: rule changes usually start with a month. */
function nextMonthStart(today: string) {
  const [y, m] = today.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
}

// ---------------------------------------------------------------------------------------------
// The requirements form: field names are the API's paths, so validation errors land on them.

const reqField = (i: number, f: string) => `requirements.${i}.${f}`;

function RequirementRow(props: {
  p: PageCtx;
  i: number;
  r: Partial<Requirement> | null;
  rs: RuleSet;
  types: string[];
  errors: Errors;
}) {
  const { p, i, r, rs, errors: e } = props;
  const { s, lang } = p;
  const w = r?.window ? windowKey(r.window) : { kind: 'calendar:month', days: null };
  const tri = (v: boolean | undefined) => (v === undefined ? '' : String(v));
  const triOptions: Option[] = [
    { value: 'true', label: p.t('yes') },
    { value: 'false', label: p.t('no') },
  ];
  const err = (f: string) => e[reqField(i, f)];
  return (
    <fieldset class="requirement">
      <legend>{r ? `${s(M.requirement)} ${i + 1}: ${r.id ?? ''}` : s(M.newRequirement)}</legend>
      <div class="row-grid">
        <Input name={reqField(i, 'id')} label={s(M.reqId)} value={r?.id} error={err('id')} />
        <Input name={reqField(i, 'label')} label={s(M.label)} value={r?.label} error={err('label')} />
        <Select
          name={reqField(i, 'activityTypes')}
          label={s(M.activityTypes)}
          multiple
          options={props.types.map((t) => ({ value: t, label: activityLabel(t, lang) }))}
          value={r?.activityTypes ?? []}
          error={err('activityTypes')}
        />
        <Select
          name={reqField(i, 'measure')}
          label={s(M.measure)}
          options={[
            { value: 'count', label: s(M.count) },
            { value: 'hours', label: s(M.hours) },
          ]}
          value={r?.measure ?? 'count'}
          error={err('measure')}
        />
        <Input
          name={reqField(i, 'min')}
          label={s(M.min)}
          type="number"
          step="0.5"
          min="0"
          inputmode="decimal"
          value={r?.min}
          error={err('min')}
        />
        <Select
          name={reqField(i, 'window')}
          label={s(M.window)}
          options={Object.entries(WINDOWS).map(([value, m]) => ({ value, label: m[lang] }))}
          value={w.kind}
          error={err('window')}
        />
        <Input
          name={reqField(i, 'windowDays')}
          label={s(M.windowDays)}
          type="number"
          min="1"
          inputmode="numeric"
          value={w.days}
          error={err('windowDays')}
        />
      </div>
      <fieldset class="applies">
        <legend>{s(M.appliesTo)}</legend>
        <div class="row-grid">
          <Select
            name={reqField(i, 'appliesTo.levels')}
            label={s(M.levels)}
            multiple
            options={rs.levels.map((l) => ({ value: l.code, label: l.label ?? l.code }))}
            value={r?.appliesTo?.levels ?? []}
            error={err('appliesTo.levels')}
          />
          <Select
            name={reqField(i, 'appliesTo.keyPerson')}
            label={s(M.keyPerson)}
            options={triOptions}
            value={tri(r?.appliesTo?.keyPerson)}
            blank={p.t('any')}
            error={err('appliesTo.keyPerson')}
          />
          <Select
            name={reqField(i, 'appliesTo.ableToWork')}
            label={s(M.ableToWork)}
            options={triOptions}
            value={tri(r?.appliesTo?.ableToWork)}
            blank={p.t('any')}
            error={err('appliesTo.ableToWork')}
          />
          {rs.phases.length ? (
            <Select
              name={reqField(i, 'appliesTo.phases')}
              label={s(M.phases)}
              multiple
              options={rs.phases.map((ph) => ({ value: ph.code, label: ph.label ?? ph.code }))}
              value={r?.appliesTo?.phases ?? []}
              error={err('appliesTo.phases')}
            />
          ) : null}
          <Select
            name={reqField(i, 'appliesTo.sentenceTypes')}
            label={s(M.sentenceTypes)}
            multiple
            options={SENTENCE_TYPES.map((x) => ({ value: x, label: SENTENCE_LABELS[x]![lang] }))}
            value={r?.appliesTo?.sentenceTypes ?? []}
            error={err('appliesTo.sentenceTypes')}
          />
        </div>
      </fieldset>
      {r ? <Checkbox name={reqField(i, 'remove')} label={s(M.remove)} /> : null}
    </fieldset>
  );
}

/** Reads the requirements form back into the rule set's `requirements`. */
function requirementsFromForm(f: Form): unknown[] {
  const rows = Math.min(200, Number(f.get('rows')) || 0);
  const out: unknown[] = [];
  for (let i = 0; i < rows; i++) {
    const g = (x: string) => f.get(reqField(i, x)).trim();
    const id = g('id');
    if (!id || f.get(reqField(i, 'remove')) === 'true') continue;
    const kind = g('window');
    const daysText = g('windowDays');
    const days = daysText === '' ? Number.NaN : Number(daysText);
    const window = kind.startsWith('calendar:')
      ? { calendar: kind.slice('calendar:'.length) }
      : { [kind || 'rollingDays']: Number.isNaN(days) ? null : days };
    const appliesTo: Record<string, unknown> = {};
    const list = (x: string) => f.all(reqField(i, `appliesTo.${x}`)).filter(Boolean);
    if (list('levels').length) appliesTo.levels = list('levels');
    if (list('phases').length) appliesTo.phases = list('phases');
    if (list('sentenceTypes').length) appliesTo.sentenceTypes = list('sentenceTypes');
    for (const flag of ['keyPerson', 'ableToWork']) {
      const v = g(`appliesTo.${flag}`);
      if (v === 'true' || v === 'false') appliesTo[flag] = v === 'true';
    }
    const minText = g('min');
    out.push({
      id,
      ...(g('label') ? { label: g('label') } : {}),
      activityTypes: f.all(reqField(i, 'activityTypes')).filter(Boolean),
      measure: g('measure'),
      min: minText === '' ? null : Number(minText),
      window,
      ...(Object.keys(appliesTo).length ? { appliesTo } : {}),
    });
  }
  return out;
}

/** Error paths from the validator, moved onto the form field that shows them. */
function attachToFields(errors: Errors): Errors {
  const out: Errors = {};
  for (const [path, message] of Object.entries(errors)) {
    const m = /^requirements\.(\d+)\.window(\.|$)/.exec(path);
    const key = m
      ? path.endsWith('Days')
        ? reqField(Number(m[1]), 'windowDays')
        : reqField(Number(m[1]), 'window')
      : path;
    out[key] = out[key] ? `${out[key]}; ${message}` : message;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Pages

async function editorData(c: Ctx, row: RuleSetRow) {
  const k = countyCtx(c);
  const [types, diff] = await Promise.all([countyActivityTypes(k.db), diffAgainst(k.db, row.id, k.today)]);
  return { types: knownActivityTypes(types), diff };
}

function DiffView(props: { p: PageCtx; diff: Awaited<ReturnType<typeof diffAgainst>> }) {
  const { p, diff } = props;
  const { s } = p;
  const short = (v: unknown) => {
    const text = JSON.stringify(v);
    return text === undefined ? '' : text.length > 160 ? `${text.slice(0, 157)}…` : text;
  };
  return (
    <section class="card" aria-labelledby="diff">
      <h2 id="diff">{s(M.diff)}</h2>
      {diff.from ? (
        <p class="muted">
          {s(M.diffAgainst)} {diff.from.version}
        </p>
      ) : null}
      {diff.changes.length === 0 ? (
        <p>{s(M.diffNone)}</p>
      ) : (
        <ul class="diff">
          {diff.changes.map((ch) => (
            <li class={`diff-${ch.kind}`}>
              <span class="badge">{s(M[ch.kind])}</span> <code>{ch.path || '(root)'}</code>
              {ch.kind !== 'added' ? (
                <div>
                  <span class="muted">{s(M.before)}:</span> <code>{short(ch.before)}</code>
                </div>
              ) : null}
              {ch.kind !== 'removed' ? (
                <div>
                  <span class="muted">{s(M.after)}:</span> <code>{short(ch.after)}</code>
                </div>
              ) : null}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function RuleSummary(props: { p: PageCtx; rs: RuleSet }) {
  const { p, rs } = props;
  const { s, lang } = p;
  return (
    <section class="card" aria-labelledby="rules">
      <h2 id="rules">{s(M.rules)}</h2>
      <dl class="facts">
        <dt>{s(M.levels)}</dt>
        <dd>{rs.levels.map((l) => l.label ?? l.code).join(' / ')}</dd>
        <dt>{s(M.ledger)}</dt>
        <dd>
          {lang === 'zh'
            ? `周期截至每月${rs.ledger.cycleEndDay === 'last' ? '月末' : `${rs.ledger.cycleEndDay}日`}，${rs.ledger.submitWithinDays} 天内提交`
            : `cycle ends on day ${rs.ledger.cycleEndDay}; submit within ${rs.ledger.submitWithinDays} days`}
        </dd>
        <dt>{s(M.pricing)}</dt>
        <dd>
          <code>{JSON.stringify(rs.pricing)}</code>
        </dd>
      </dl>
      <h3>{s(M.requirements)}</h3>
      <ul class="requirements">
        {rs.requirements.map((r) => (
          <li>
            <strong>{r.label ?? r.id}</strong> — {describeRequirement(r, rs, lang)}
          </li>
        ))}
      </ul>
    </section>
  );
}

function EditorPage(props: {
  p: PageCtx;
  row: RuleSetRow;
  rs: RuleSet;
  types: string[];
  diff: Awaited<ReturnType<typeof diffAgainst>>;
  formErrors?: Errors;
  formMessage?: string | null;
  json?: string;
  jsonErrors?: Errors;
  jsonMessage?: string | null;
  notice?: string | null;
  preview?: Child;
}) {
  const { p, row, rs } = props;
  const { s, t } = p;
  const b = base(p);
  const fe = props.formErrors ?? {};
  const json = props.json ?? JSON.stringify(row.body, null, 2);
  const title = `${s(M.version)} ${row.version} · ${row.name}`;
  const metaErrors = Object.fromEntries(Object.entries(fe).filter(([k]) => !k.startsWith('requirements.')));
  return (
    <Page p={p} title={title} wide>
      <p>
        <a href={`${b}/rule-sets`}>← {s(M.history)}</a>
      </p>
      <h1>
        {title} <span class="badge">{statusLabel(row, p.lang)}</span>
      </h1>
      <Notice text={props.notice} />
      <form method="post" action={`${b}/rule-sets/${row.id}`} class="card" novalidate id="requirements-form">
        <h2>{s(M.requirements)}</h2>
        <Csrf p={p} />
        <input type="hidden" name="mode" value="form" />
        <input type="hidden" name="rows" value={String(rs.requirements.length + 1)} />
        <FormAlert p={p} message={props.formMessage} errors={fe} />
        <div class="row-grid">
          <Input name="name" label={s(M.name)} value={rs.name} error={metaErrors.name} required />
          <Input
            name="effectiveFrom"
            label={s(M.effectiveFrom)}
            type="date"
            value={rs.effectiveFrom}
            error={metaErrors.effectiveFrom}
            required
          />
        </div>
        {rs.requirements.map((r, i) => (
          <RequirementRow p={p} i={i} r={r} rs={rs} types={props.types} errors={fe} />
        ))}
        <RequirementRow p={p} i={rs.requirements.length} r={null} rs={rs} types={props.types} errors={fe} />
        <div class="actions">
          <button type="submit">{s(M.saveForm)}</button>
        </div>
      </form>
      <form
        method="post"
        action={`${b}/rule-sets/${row.id}`}
        class="card"
        novalidate
        id="json-form"
        data-validate-url={`/api/v1/counties/${p.county!.slug}/rule-sets/validate`}
        data-msg-valid={p.lang === 'zh' ? '校验通过。' : 'Valid.'}
        data-msg-checking={s(M.validating)}
        data-msg-bad-json={s(M.badJson)}
      >
        <h2>{s(M.jsonView)}</h2>
        <Csrf p={p} />
        <input type="hidden" name="mode" value="json" />
        <FormAlert p={p} message={props.jsonMessage} errors={props.jsonErrors} />
        <TextArea
          name="json"
          label={s(M.jsonView)}
          hint={s(M.jsonHint)}
          value={json}
          rows={24}
          class="code"
          spellcheck={false}
          error={props.jsonErrors?.json}
        />
        <div id="json-status" class="live-status" role="status" aria-live="polite" />
        <div class="actions">
          <button type="submit">{s(M.saveJson)}</button>
        </div>
      </form>
      <DiffView p={p} diff={props.diff} />
      {props.preview}
      <section class="card" aria-labelledby="publish">
        <h2 id="publish">{s(M.publish)}</h2>
        <p class="hint">{s(M.publishHint)}</p>
        <form method="post" action={`${b}/rule-sets/${row.id}/publish`} class="inline-form" novalidate>
          <Csrf p={p} />
          <Input
            name="effectiveFrom"
            label={s(M.effectiveFrom)}
            type="date"
            value={rs.effectiveFrom}
            required
          />
          <div class="actions">
            <button type="submit">{s(M.publish)}</button>
          </div>
        </form>
        <form method="post" action={`${b}/rule-sets/${row.id}/discard`} class="inline-form">
          <Csrf p={p} />
          <button type="submit" class="secondary">
            {s(M.discard)}
          </button>
        </form>
      </section>
      <p class="muted">
        {t('save')}: {row.updatedAt ?? row.createdAt}
      </p>
      <script src="/assets/rule-set-editor.js" defer />
    </Page>
  );
}

async function showEditor(
  c: Ctx,
  p: PageCtx,
  row: RuleSetRow,
  extra: Partial<Parameters<typeof EditorPage>[0]> = {},
  status: 200 | 400 | 409 = 200,
) {
  const [data, preview] = await Promise.all([
    editorData(c, row),
    previewSection(c, p, row.id, row.body as unknown as RuleSet),
  ]);
  const rs = (extra.rs ?? row.body) as RuleSet;
  return c.html(
    <EditorPage p={p} row={row} rs={rs} types={data.types} diff={data.diff} preview={preview} {...extra} />,
    status,
  );
}

const DONE: Record<string, Msg> = {
  created: M.created,
  saved: M.savedDraft,
  published: M.publishedDone,
  discarded: M.discardedDone,
};

export const ruleSetPages = createRouter()
  .get('/c/:county/rule-sets', async (c) => {
    const p = await pageCtx(c);
    const { s, lang } = p;
    const k = countyCtx(c);
    const [rows, inForce] = await Promise.all([listRuleSets(k.db), ruleSetOn(k.db, k.today)]);
    const b = base(p);
    const done = DONE[c.req.query('done') ?? ''];
    return c.html(
      <Page p={p} title={s(M.title)}>
        <h1>{s(M.title)}</h1>
        <Notice text={done ? s(done) : null} />
        {inForce ? <RuleSummary p={p} rs={inForce.ruleSet} /> : null}
        <section class="card" aria-labelledby="versions">
          <h2 id="versions">{s(M.history)}</h2>
          <div class="table-wrap">
            <table class="list">
              <thead>
                <tr>
                  <th scope="col">{s(M.version)}</th>
                  <th scope="col">{s(M.name)}</th>
                  <th scope="col">{p.t('status')}</th>
                  <th scope="col">{s(M.effectiveFrom)}</th>
                  <th scope="col">{s(M.publishedAt)}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr>
                    <td>
                      <a href={`${b}/rule-sets/${r.id}`}>{r.version}</a>
                    </td>
                    <td>{r.name}</td>
                    <td>
                      {statusLabel(r, lang)}
                      {inForce?.id === r.id ? <span class="badge ok">{s(M.inForce)}</span> : null}
                    </td>
                    <td>{r.effectiveFrom}</td>
                    <td>{r.publishedAt ? civilDate(r.publishedAt, p.county!.timezone) : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
        {hasRole(p, 'bureau_admin') ? (
          <form method="post" action={`${b}/rule-sets`} class="card inline-form">
            <h2>{s(M.newDraft)}</h2>
            <Csrf p={p} />
            <Select
              name="from"
              label={s(M.startFrom)}
              options={[
                { value: 'current', label: s(M.fromCurrent) },
                ...Object.values(PRESETS).map((x) => ({
                  value: `preset:${x.id}`,
                  label: `${s(M.fromPreset)}${x.name[lang]}`,
                })),
              ]}
              value="current"
            />
            <div class="actions">
              <button type="submit">{s(M.create)}</button>
            </div>
          </form>
        ) : null}
      </Page>,
    );
  })
  .post('/c/:county/rule-sets', async (c) => {
    const p = await pageCtx(c);
    const k = countyCtx(c);
    const f = await readForm(c);
    const from = f.get('from');
    let body: Record<string, unknown>;
    if (from.startsWith('preset:') && from.slice(7) in PRESETS) {
      body = structuredClone(PRESETS[from.slice(7) as PresetId].ruleSet) as unknown as Record<
        string,
        unknown
      >;
    } else {
      const current = (await ruleSetOn(k.db, k.today)) ?? null;
      const row = current ? await getRuleSetRow(k.db, current.id) : await latestPublished(k.db);
      body = structuredClone(row?.body ?? PRESETS['deqing-2017'].ruleSet) as Record<string, unknown>;
    }
    body.effectiveFrom = nextMonthStart(k.today);
    const row = await createDraft(k, body);
    sealLater(c, k.d1);
    return c.redirect(`${base(p)}/rule-sets/${row.id}?done=created`, 303);
  })
  .get('/c/:county/rule-sets/:id', async (c) => {
    const p = await pageCtx(c);
    const k = countyCtx(c);
    const row = await getRuleSetRow(k.db, c.req.param('id'));
    const done = DONE[c.req.query('done') ?? ''];
    if (row.status === 'draft' && hasRole(p, 'bureau_admin')) {
      return showEditor(c, p, row, { notice: done ? p.s(done) : null });
    }
    const diff = await diffAgainst(k.db, row.id, k.today);
    const title = `${p.s(M.version)} ${row.version} · ${row.name}`;
    return c.html(
      <Page p={p} title={title} wide>
        <p>
          <a href={`${base(p)}/rule-sets`}>← {p.s(M.history)}</a>
        </p>
        <h1>
          {title} <span class="badge">{statusLabel(row, p.lang)}</span>
        </h1>
        <Notice text={done ? p.s(done) : null} />
        <p class="muted">{row.status === 'draft' ? p.s(M.noDraftEdits) : p.s(M.readOnly)}</p>
        <RuleSummary p={p} rs={row.body as unknown as RuleSet} />
        <DiffView p={p} diff={diff} />
        <section class="card" aria-labelledby="json">
          <h2 id="json">{p.s(M.jsonView)}</h2>
          <pre class="code" tabindex={0}>
            {JSON.stringify(row.body, null, 2)}
          </pre>
        </section>
      </Page>,
    );
  })
  .post('/c/:county/rule-sets/:id', async (c) => {
    const p = await pageCtx(c);
    const k = countyCtx(c);
    const row = await getRuleSetRow(k.db, c.req.param('id'));
    const f = await readForm(c);
    const mode = f.get('mode') === 'json' ? 'json' : 'form';
    let body: Record<string, unknown>;
    if (mode === 'json') {
      const text = f.get('json');
      try {
        const parsed = JSON.parse(text) as unknown;
        if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
          throw new Error('expected an object');
        body = parsed as Record<string, unknown>;
      } catch (e) {
        return showEditor(
          c,
          p,
          row,
          { json: text, jsonErrors: { json: `${p.s(M.badJson)}${(e as Error).message}` } },
          400,
        );
      }
    } else {
      body = {
        ...(row.body as Record<string, unknown>),
        name: f.get('name').trim(),
        effectiveFrom: f.get('effectiveFrom'),
        requirements: requirementsFromForm(f),
      };
    }
    try {
      await saveDraft(k, row.id, body);
      sealLater(c, k.d1);
      return c.redirect(`${base(p)}/rule-sets/${row.id}?done=saved`, 303);
    } catch (e) {
      const problem = problemErrors(e);
      if (!problem) throw e;
      const status = (e as { status: number }).status === 409 ? 409 : 400;
      if (mode === 'json') {
        return showEditor(
          c,
          p,
          row,
          { json: f.get('json'), jsonErrors: problem.errors, jsonMessage: problem.message },
          status,
        );
      }
      // Show the form as posted, so nothing typed is lost; the JSON view keeps the saved draft.
      const shown = { ...(row.body as RuleSet), ...(body as Partial<RuleSet>) } as RuleSet;
      return showEditor(
        c,
        p,
        row,
        {
          rs: safeForForm(shown, row),
          formErrors: attachToFields(problem.errors),
          formMessage: problem.message,
        },
        status,
      );
    }
  })
  .post('/c/:county/rule-sets/:id/publish', async (c) => {
    const p = await pageCtx(c);
    const k = countyCtx(c);
    const f = await readForm(c);
    const effectiveFrom = f.get('effectiveFrom');
    const row = await getRuleSetRow(k.db, c.req.param('id'));
    try {
      await publishDraft(k, row.id, /^\d{4}-\d{2}-\d{2}$/.test(effectiveFrom) ? effectiveFrom : undefined);
    } catch (e) {
      const problem = problemErrors(e);
      if (!problem) throw e;
      return showEditor(
        c,
        p,
        row,
        { formErrors: attachToFields(problem.errors), formMessage: problem.message },
        (e as { status: number }).status === 409 ? 409 : 400,
      );
    }
    sealLater(c, k.d1);
    return c.redirect(`${base(p)}/rule-sets?done=published`, 303);
  })
  .post('/c/:county/rule-sets/:id/discard', async (c) => {
    const p = await pageCtx(c);
    const k = countyCtx(c);
    await discardDraft(k, c.req.param('id'));
    sealLater(c, k.d1);
    return c.redirect(`${base(p)}/rule-sets?done=discarded`, 303);
  });

/** A posted (possibly invalid) rule set, made safe for the form to render. */
function safeForForm(rs: RuleSet, row: RuleSetRow): RuleSet {
  const saved = row.body as unknown as RuleSet;
  const requirements = (Array.isArray(rs.requirements) ? rs.requirements : []).map((r) => {
    const x = r as Partial<Requirement>;
    return {
      ...x,
      activityTypes: Array.isArray(x.activityTypes) ? x.activityTypes : [],
      window: x.window && typeof x.window === 'object' ? x.window : { calendar: 'month' },
    } as Requirement;
  });
  return { ...saved, name: rs.name, effectiveFrom: rs.effectiveFrom, requirements };
}
