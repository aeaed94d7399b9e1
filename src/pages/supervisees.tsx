/**
 * Supervisees (社区矫正对象): a searchable list within the caller's scope, the record with its
 * level history and assignments, and the bureau's create and edit forms with field-level errors.
 */
import { asc, eq, inArray } from 'drizzle-orm';
import { controlDb, queryInChunks } from '../db';
import { providers } from '../db/control-schema';
import { type Ctx, countyCtx, sealLater } from '../lib/context';
import { createRouter } from '../lib/router';
import { ruleSetOn } from '../rule-sets/service';
import { requireSuperviseeScope } from '../supervisees/access';
import { LevelChange, NewSupervisee, SuperviseePatch } from '../supervisees/routes';
import { assignments, type SuperviseeRow } from '../supervisees/schema';
import {
  addLevel,
  createSupervisee,
  findVisible,
  listSupervisees,
  patchSupervisee,
  presentSupervisee,
  superviseeDetail,
  superviseeDetails,
} from '../supervisees/service';
import { townships } from '../townships/schema';
import { AssignForm, assignmentChoices, failedMessage } from './assignments';
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
  zodErrors,
} from './kit';
import { superviseeSections } from './supervisee-sections';

export const M = {
  title: { zh: '社区矫正对象', en: 'Supervisees' },
  newTitle: { zh: '登记矫正对象', en: 'Register a supervisee' },
  editTitle: { zh: '修改信息', en: 'Edit' },
  searchLabel: { zh: '姓名或案件编号', en: 'Name or case number' },
  caseNumber: { zh: '案件编号', en: 'Case number' },
  name: { zh: '姓名', en: 'Name' },
  gender: { zh: '性别', en: 'Gender' },
  birthDate: { zh: '出生日期', en: 'Birth date' },
  idNumber: { zh: '居民身份证号', en: 'ID number' },
  phone: { zh: '联系电话', en: 'Phone' },
  address: { zh: '居住地址', en: 'Address' },
  sentenceType: { zh: '矫正类别', en: 'Sentence type' },
  crimeType: { zh: '罪名', en: 'Offence' },
  termStart: { zh: '矫正起始日', en: 'Term starts' },
  termEnd: { zh: '矫正终止日', en: 'Term ends' },
  term: { zh: '矫正期限', en: 'Term' },
  level: { zh: '管理级别', en: 'Supervision level' },
  keyPerson: { zh: '重点对象', en: 'Key person' },
  ableToWork: { zh: '有劳动能力', en: 'Able to work' },
  keyPersonAdminOnly: {
    zh: '重点对象由县司法局管理员认定。',
    en: 'Only the bureau administrator designates key persons.',
  },
  none: { zh: '没有符合条件的矫正对象。', en: 'No supervisee matches.' },
  register: { zh: '登记新对象', en: 'Register a supervisee' },
  levelHistory: { zh: '管理级别变更记录', en: 'Level history' },
  flagHistory: { zh: '标记变更记录', en: 'Flag history' },
  effectiveFrom: { zh: '生效日期', en: 'Effective from' },
  reason: { zh: '原因', en: 'Reason' },
  changeLevel: { zh: '调整管理级别', en: 'Change the level' },
  assignments: { zh: '服务安排', en: 'Assignments' },
  noAssignments: { zh: '尚未安排社工组织。', en: 'No provider assigned yet.' },
  from: { zh: '起', en: 'From' },
  to: { zh: '止', en: 'To' },
  worker: { zh: '社工', en: 'Social worker' },
  created: { zh: '已登记。', en: 'Registered.' },
  updated: { zh: '已保存修改。', en: 'Changes saved.' },
  levelAdded: { zh: '已记录级别调整。', en: 'Level change recorded.' },
  assigned: { zh: '已安排。', en: 'Assigned.' },
  personal: { zh: '个人信息', en: 'Personal details' },
  case: { zh: '矫正信息', en: 'Correction' },
  edit: { zh: '修改', en: 'Edit' },
  version: { zh: '版本', en: 'version' },
  idMasked: { zh: '身份证号（部分隐藏）', en: 'ID number (masked)' },
  initial: { zh: '初始', en: 'initial' },
  noLevels: { zh: '没有生效的规则，无法选择管理级别。', en: 'No rule set is in force: no levels to choose.' },
} satisfies Record<string, Msg>;

export const GENDERS: Record<string, Msg> = {
  male: { zh: '男', en: 'Male' },
  female: { zh: '女', en: 'Female' },
};
export const SENTENCE_TYPES: Record<string, Msg> = {
  control: { zh: '管制', en: 'Control (管制)' },
  probation: { zh: '缓刑', en: 'Probation' },
  parole: { zh: '假释', en: 'Parole' },
  temporary_release: { zh: '暂予监外执行', en: 'Temporary release' },
};
export const STATUSES: Record<string, Msg> = {
  active: { zh: '在矫', en: 'Under correction' },
  released: { zh: '解除矫正', en: 'Released' },
  transferred: { zh: '已转出', en: 'Transferred' },
  revoked: { zh: '已收监', en: 'Revoked' },
};

const options = (map: Record<string, Msg>, lang: Lang): Option[] =>
  Object.entries(map).map(([value, m]) => ({ value, label: m[lang] }));

/** Townships and the levels of the rule set in force, for selects and labels. */
export async function countyLookups(c: Ctx) {
  const k = countyCtx(c);
  const [towns, inForce] = await Promise.all([
    k.db.select().from(townships).orderBy(asc(townships.sortOrder), asc(townships.name)),
    ruleSetOn(k.db, k.today),
  ]);
  return { towns, levels: inForce?.ruleSet.levels ?? [] };
}
type Lookups = Awaited<ReturnType<typeof countyLookups>>;

export const townshipLabel = (l: Lookups, id: string, lang: Lang) => {
  const t = l.towns.find((x) => x.id === id);
  return t ? (lang === 'zh' ? t.name : (t.nameEn ?? t.name)) : id;
};
export const levelLabel = (l: Lookups, code: string, lang: Lang) => {
  const level = l.levels.find((x) => x.code === code);
  if (!level?.label) return code;
  return lang === 'zh' ? level.label : `${level.label} (${code})`;
};

const scopeOf = (c: Ctx) => requireSuperviseeScope(c.var.countyMemberships);

// ---------------------------------------------------------------------------------------------
// Form

type Values = Record<string, string>;

function SuperviseeForm(props: {
  p: PageCtx;
  l: Lookups;
  action: string;
  values: Values;
  errors: Errors;
  message?: string | null;
  mode: 'create' | 'edit';
}) {
  const { p, l, values: v, errors: e } = props;
  const { s, lang } = p;
  const isAdmin = hasRole(p, 'bureau_admin');
  return (
    <form method="post" action={props.action} class="card form-grid" novalidate>
      <Csrf p={p} />
      {props.mode === 'edit' ? <input type="hidden" name="version" value={v.version ?? ''} /> : null}
      <FormAlert p={p} message={props.message} errors={e} />
      <fieldset>
        <legend>{s(M.personal)}</legend>
        <Input name="caseNumber" label={s(M.caseNumber)} value={v.caseNumber} error={e.caseNumber} required />
        <Input name="name" label={s(M.name)} value={v.name} error={e.name} required autocomplete="off" />
        <Select
          name="gender"
          label={s(M.gender)}
          options={options(GENDERS, lang)}
          value={v.gender}
          error={e.gender}
          required
          blank=""
        />
        <Input
          name="birthDate"
          label={s(M.birthDate)}
          type="date"
          value={v.birthDate}
          error={e.birthDate}
          required
        />
        {props.mode === 'create' ? (
          <Input
            name="idNumber"
            label={s(M.idNumber)}
            value={v.idNumber}
            error={e.idNumber}
            required
            autocomplete="off"
            maxlength={18}
          />
        ) : null}
        <Input
          name="phone"
          label={s(M.phone)}
          type="tel"
          value={v.phone}
          error={e.phone}
          autocomplete="off"
        />
        <Input name="address" label={s(M.address)} value={v.address} error={e.address} autocomplete="off" />
      </fieldset>
      <fieldset>
        <legend>{s(M.case)}</legend>
        <Select
          name="townshipId"
          label={p.t('township')}
          options={l.towns.map((t) => ({
            value: t.id,
            label: lang === 'zh' ? t.name : (t.nameEn ?? t.name),
          }))}
          value={v.townshipId}
          error={e.townshipId}
          required
          blank=""
        />
        <Select
          name="sentenceType"
          label={s(M.sentenceType)}
          options={options(SENTENCE_TYPES, lang)}
          value={v.sentenceType}
          error={e.sentenceType}
          required
          blank=""
        />
        <Input name="crimeType" label={s(M.crimeType)} value={v.crimeType} error={e.crimeType} />
        <Input
          name="termStart"
          label={s(M.termStart)}
          type="date"
          value={v.termStart}
          error={e.termStart}
          required
        />
        <Input name="termEnd" label={s(M.termEnd)} type="date" value={v.termEnd} error={e.termEnd} required />
        {props.mode === 'create' ? (
          <Select
            name="level"
            label={s(M.level)}
            options={l.levels.map((x) => ({ value: x.code, label: levelLabel(l, x.code, lang) }))}
            value={v.level}
            error={e.level ?? (l.levels.length ? undefined : s(M.noLevels))}
            required
            blank=""
          />
        ) : (
          <Select
            name="status"
            label={p.t('status')}
            options={options(STATUSES, lang)}
            value={v.status}
            error={e.status}
            required
          />
        )}
        {isAdmin ? (
          <Checkbox
            name="keyPerson"
            label={s(M.keyPerson)}
            checked={v.keyPerson === 'true'}
            error={e.keyPerson}
          />
        ) : (
          <p class="hint">{s(M.keyPersonAdminOnly)}</p>
        )}
        <Checkbox
          name="ableToWork"
          label={s(M.ableToWork)}
          checked={v.ableToWork === 'true'}
          error={e.ableToWork}
        />
      </fieldset>
      <div class="actions">
        <button type="submit">{p.t('save')}</button>
      </div>
    </form>
  );
}

const TEXT_FIELDS = [
  'caseNumber',
  'name',
  'gender',
  'birthDate',
  'idNumber',
  'townshipId',
  'sentenceType',
  'termStart',
  'termEnd',
  'level',
  'phone',
  'address',
  'crimeType',
  'status',
  'version',
] as const;

function valuesOf(f: Form): Values {
  const v: Values = {};
  for (const name of TEXT_FIELDS) v[name] = f.get(name).trim();
  v.keyPerson = f.get('keyPerson') === 'true' ? 'true' : 'false';
  v.ableToWork = f.get('ableToWork') === 'true' ? 'true' : 'false';
  return v;
}

// ---------------------------------------------------------------------------------------------
// Pages

export const superviseePages = createRouter()
  .get('/c/:county/supervisees', async (c) => {
    const p = await pageCtx(c);
    const { s, t, lang } = p;
    const scope = scopeOf(c);
    const k = countyCtx(c);
    const q = {
      q: c.req.query('q')?.trim().slice(0, 50) || undefined,
      township: c.req.query('township') || undefined,
      level: c.req.query('level') || undefined,
      status: (c.req.query('status') || undefined) as SuperviseeRow['status'] | undefined,
      cursor: c.req.query('cursor') || undefined,
    };
    if (q.status && !(q.status in STATUSES)) q.status = undefined;
    const [l, page] = await Promise.all([
      countyLookups(c),
      listSupervisees(k, scope, {
        q: q.q,
        townshipId: q.township,
        level: q.level,
        status: q.status,
        cursor: q.cursor,
        limit: 50,
      }),
    ]);
    const minimal = scope.detail === 'minimal';
    const detail = await superviseeDetails(k, scope, page.rows);
    const b = base(p);
    const nextHref = (() => {
      if (!page.nextCursor) return null;
      const u = new URL(c.req.url);
      u.searchParams.set('cursor', page.nextCursor);
      return `${u.pathname}?${u.searchParams.toString()}`;
    })();
    return c.html(
      <Page p={p} title={s(M.title)}>
        <div class="page-head">
          <h1>{s(M.title)}</h1>
          {hasRole(p, 'bureau_admin', 'bureau_officer') ? (
            <a class="button" href={`${b}/supervisees/new`}>
              {s(M.register)}
            </a>
          ) : null}
        </div>
        <search>
          <form method="get" action={`${b}/supervisees`} class="card filters">
            {minimal ? null : <Input name="q" label={s(M.searchLabel)} value={q.q} type="search" />}
            <Select
              name="township"
              label={t('township')}
              options={l.towns.map((x) => ({ value: x.id, label: townshipLabel(l, x.id, lang) }))}
              value={q.township}
              blank={t('all')}
            />
            <Select
              name="level"
              label={s(M.level)}
              options={l.levels.map((x) => ({ value: x.code, label: levelLabel(l, x.code, lang) }))}
              value={q.level}
              blank={t('all')}
            />
            <Select
              name="status"
              label={t('status')}
              options={options(STATUSES, lang)}
              value={q.status}
              blank={t('all')}
            />
            <div class="actions">
              <button type="submit">{t('search')}</button>
            </div>
          </form>
        </search>
        {page.rows.length === 0 ? (
          <p class="card">{s(M.none)}</p>
        ) : (
          <div class="table-wrap card">
            <table class="list">
              <thead>
                <tr>
                  <th scope="col">{s(M.caseNumber)}</th>
                  {minimal ? null : <th scope="col">{s(M.name)}</th>}
                  <th scope="col">{t('township')}</th>
                  <th scope="col">{s(M.level)}</th>
                  <th scope="col">{s(M.term)}</th>
                  <th scope="col">{t('status')}</th>
                </tr>
              </thead>
              <tbody>
                {page.rows.map((r) => (
                  <tr>
                    <td>
                      <a href={`${b}/supervisees/${r.id}`}>{r.caseNumber}</a>
                    </td>
                    {minimal ? null : (
                      <td>
                        {detail(r) === 'minimal' ? '' : r.name}
                        {r.keyPerson ? <span class="badge warn">{s(M.keyPerson)}</span> : null}
                      </td>
                    )}
                    <td>{townshipLabel(l, r.townshipId, lang)}</td>
                    <td>{levelLabel(l, r.level, lang)}</td>
                    <td class="nowrap">
                      {r.termStart} – {r.termEnd}
                    </td>
                    <td>{STATUSES[r.status]?.[lang] ?? r.status}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {nextHref ? (
          <p>
            <a href={nextHref} rel="next">
              {t('next')}
            </a>
          </p>
        ) : null}
      </Page>,
    );
  })
  .get('/c/:county/supervisees/new', async (c) => {
    const p = await pageCtx(c);
    const l = await countyLookups(c);
    return c.html(
      <Page p={p} title={p.s(M.newTitle)}>
        <h1>{p.s(M.newTitle)}</h1>
        <SuperviseeForm
          p={p}
          l={l}
          mode="create"
          action={`${base(p)}/supervisees`}
          values={{ ableToWork: 'true', keyPerson: 'false' }}
          errors={{}}
        />
      </Page>,
    );
  })
  .post('/c/:county/supervisees', async (c) => {
    const p = await pageCtx(c);
    const f = await readForm(c);
    const v = valuesOf(f);
    const isAdmin = hasRole(p, 'bureau_admin');
    const raw: Record<string, unknown> = {
      caseNumber: v.caseNumber,
      name: v.name,
      gender: v.gender,
      birthDate: v.birthDate,
      idNumber: v.idNumber,
      townshipId: v.townshipId,
      sentenceType: v.sentenceType,
      termStart: v.termStart,
      termEnd: v.termEnd,
      level: v.level,
      keyPerson: isAdmin && v.keyPerson === 'true',
      ableToWork: v.ableToWork === 'true',
      ...(v.phone ? { phone: v.phone } : {}),
      ...(v.address ? { address: v.address } : {}),
      ...(v.crimeType ? { crimeType: v.crimeType } : {}),
    };
    const again = async (errors: Errors, message?: string, status: 400 | 409 = 400) => {
      const l = await countyLookups(c);
      return c.html(
        <Page p={p} title={p.s(M.newTitle)}>
          <h1>{p.s(M.newTitle)}</h1>
          <SuperviseeForm
            p={p}
            l={l}
            mode="create"
            action={`${base(p)}/supervisees`}
            values={v}
            errors={errors}
            message={message}
          />
        </Page>,
        status,
      );
    };
    const parsed = NewSupervisee.safeParse(raw);
    if (!parsed.success) return again(zodErrors(parsed.error));
    const k = countyCtx(c);
    try {
      const row = await createSupervisee(k, parsed.data);
      sealLater(c, k.d1);
      return c.redirect(`${base(p)}/supervisees/${row.id}?done=created`, 303);
    } catch (e) {
      const shown = problemErrors(e);
      if (!shown) throw e;
      return again(shown.errors, shown.message, (e as { status: number }).status === 409 ? 409 : 400);
    }
  })
  .get('/c/:county/supervisees/:id', async (c) => {
    const p = await pageCtx(c);
    const { s, t, lang } = p;
    const scope = scopeOf(c);
    const k = countyCtx(c);
    const row = await findVisible(k, scope, c.req.param('id'));
    const detail = await superviseeDetail(k, scope, row);
    const [l, shown, assigned] = await Promise.all([
      countyLookups(c),
      presentSupervisee(k, row, detail),
      k.db
        .select()
        .from(assignments)
        .where(eq(assignments.superviseeId, row.id))
        .orderBy(asc(assignments.fromDate)),
    ]);
    sealLater(c, k.d1);
    const providerIds = [...new Set(assigned.map((a) => a.providerId))];
    const providerNames = await queryInChunks(providerIds, 0, (chunk) =>
      controlDb(c.env)
        .select({ id: providers.id, name: providers.name, nameEn: providers.nameEn })
        .from(providers)
        .where(inArray(providers.id, chunk)),
    );
    const providerName = (id: string) => {
      const found = providerNames.find((x) => x.id === id);
      return found ? (lang === 'zh' ? found.name : (found.nameEn ?? found.name)) : id;
    };
    const x = shown as Record<string, unknown>;
    const b = base(p);
    const canEdit = hasRole(p, 'bureau_admin', 'bureau_officer');
    const done = c.req.query('done');
    const assignError = failedMessage(c.req.query('error'));
    const notice =
      done === 'created'
        ? s(M.created)
        : done === 'updated'
          ? s(M.updated)
          : done === 'level'
            ? s(M.levelAdded)
            : done === 'assigned'
              ? s(M.assigned)
              : null;
    const title = detail === 'minimal' ? row.caseNumber : `${row.name} · ${row.caseNumber}`;
    const [sections, choices] = await Promise.all([
      superviseeSections(c, p, row),
      hasRole(p, 'bureau_admin', 'bureau_officer', 'provider_admin')
        ? assignmentChoices(c, p)
        : Promise.resolve(null),
    ]);
    return c.html(
      <Page p={p} title={title}>
        <div class="page-head">
          <h1>
            {title}
            {row.keyPerson ? <span class="badge warn">{s(M.keyPerson)}</span> : null}
          </h1>
          {canEdit ? (
            <a class="button secondary" href={`${b}/supervisees/${row.id}/edit`}>
              {s(M.edit)}
            </a>
          ) : null}
        </div>
        <Notice text={notice} />
        {assignError ? <FormAlert p={p} message={s(assignError)} /> : null}
        <section class="card" aria-labelledby="facts">
          <h2 id="facts">{s(M.case)}</h2>
          <dl class="facts">
            <dt>{t('township')}</dt>
            <dd>{townshipLabel(l, row.townshipId, lang)}</dd>
            <dt>{s(M.level)}</dt>
            <dd>{levelLabel(l, row.level, lang)}</dd>
            <dt>{s(M.sentenceType)}</dt>
            <dd>{SENTENCE_TYPES[row.sentenceType]?.[lang]}</dd>
            {row.crimeType && detail !== 'minimal' ? (
              <>
                <dt>{s(M.crimeType)}</dt>
                <dd>{row.crimeType}</dd>
              </>
            ) : null}
            <dt>{s(M.term)}</dt>
            <dd>
              {row.termStart} – {row.termEnd}
            </dd>
            <dt>{t('status')}</dt>
            <dd>{STATUSES[row.status]?.[lang]}</dd>
            <dt>{s(M.ableToWork)}</dt>
            <dd>{row.ableToWork ? t('yes') : t('no')}</dd>
            {detail !== 'minimal' ? (
              <>
                <dt>{s(M.gender)}</dt>
                <dd>{GENDERS[row.gender]?.[lang]}</dd>
                <dt>{s(M.birthDate)}</dt>
                <dd>{row.birthDate}</dd>
                <dt>{detail === 'full' ? s(M.idNumber) : s(M.idMasked)}</dt>
                <dd class="mono">{String(x.idNumber ?? x.idNumberMasked ?? '')}</dd>
                <dt>{s(M.phone)}</dt>
                <dd>{String(x.phone ?? '—')}</dd>
                <dt>{s(M.address)}</dt>
                <dd>{String(x.address ?? '—')}</dd>
              </>
            ) : null}
          </dl>
        </section>
        {sections.before}
        <section class="card" aria-labelledby="levels">
          <h2 id="levels">{s(M.levelHistory)}</h2>
          <table class="list">
            <thead>
              <tr>
                <th scope="col">{s(M.effectiveFrom)}</th>
                <th scope="col">{s(M.level)}</th>
                <th scope="col">{s(M.reason)}</th>
              </tr>
            </thead>
            <tbody>
              {(shown.levelHistory as { level: string; effectiveFrom: string; reason: string | null }[]).map(
                (h) => (
                  <tr>
                    <td>{h.effectiveFrom}</td>
                    <td>{levelLabel(l, h.level, lang)}</td>
                    <td>{h.reason === 'initial' ? s(M.initial) : (h.reason ?? '')}</td>
                  </tr>
                ),
              )}
            </tbody>
          </table>
          {canEdit ? (
            <LevelForm p={p} l={l} action={`${b}/supervisees/${row.id}/levels`} values={{}} errors={{}} />
          ) : null}
        </section>
        <section class="card" aria-labelledby="assignments">
          <h2 id="assignments">{s(M.assignments)}</h2>
          {assigned.length === 0 ? (
            <p class="muted">{s(M.noAssignments)}</p>
          ) : (
            <table class="list">
              <thead>
                <tr>
                  <th scope="col">{t('provider')}</th>
                  <th scope="col">{s(M.from)}</th>
                  <th scope="col">{s(M.to)}</th>
                </tr>
              </thead>
              <tbody>
                {assigned.map((a) => (
                  <tr>
                    <td>{providerName(a.providerId)}</td>
                    <td>{a.fromDate}</td>
                    <td>{a.toDate ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {choices ? <AssignForm p={p} superviseeId={row.id} choices={choices} today={k.today} /> : null}
        </section>
        {sections.after}
      </Page>,
    );
  })
  .get('/c/:county/supervisees/:id/edit', async (c) => {
    const p = await pageCtx(c);
    const scope = scopeOf(c);
    const k = countyCtx(c);
    const row = await findVisible(k, scope, c.req.param('id'));
    const [l, shown] = await Promise.all([
      countyLookups(c),
      presentSupervisee(k, row, await superviseeDetail(k, scope, row)),
    ]);
    sealLater(c, k.d1);
    return c.html(
      <EditPage
        p={p}
        l={l}
        row={row}
        values={currentValues(row, shown as Record<string, unknown>)}
        errors={{}}
      />,
    );
  })
  .post('/c/:county/supervisees/:id', async (c) => {
    const p = await pageCtx(c);
    const scope = scopeOf(c);
    const k = countyCtx(c);
    const row = await findVisible(k, scope, c.req.param('id'));
    const f = await readForm(c);
    const v = valuesOf(f);
    const shown = (await presentSupervisee(k, row, await superviseeDetail(k, scope, row))) as Record<
      string,
      unknown
    >;
    const current = currentValues(row, shown);
    // Only what the form changed is sent, so the audit entry names the fields really edited.
    const patch: Record<string, unknown> = {};
    const isAdmin = hasRole(p, 'bureau_admin');
    for (const name of [
      'caseNumber',
      'name',
      'gender',
      'birthDate',
      'townshipId',
      'sentenceType',
      'termStart',
      'termEnd',
      'status',
    ] as const) {
      if (v[name] !== current[name]) patch[name] = v[name];
    }
    for (const name of ['crimeType', 'phone', 'address'] as const) {
      if (v[name] !== current[name]) patch[name] = v[name] === '' ? null : v[name];
    }
    if (v.ableToWork !== current.ableToWork) patch.ableToWork = v.ableToWork === 'true';
    if (isAdmin && v.keyPerson !== current.keyPerson) patch.keyPerson = v.keyPerson === 'true';
    const again = async (errors: Errors, message?: string, status: 400 | 409 | 412 = 400) => {
      sealLater(c, k.d1);
      const l = await countyLookups(c);
      return c.html(<EditPage p={p} l={l} row={row} values={v} errors={errors} message={message} />, status);
    };
    const parsed = SuperviseePatch.safeParse(patch);
    if (!parsed.success) return again(zodErrors(parsed.error));
    try {
      const version = Number(v.version);
      await patchSupervisee(k, row, parsed.data, Number.isInteger(version) ? version : -1);
      sealLater(c, k.d1);
      return c.redirect(`${base(p)}/supervisees/${row.id}?done=updated`, 303);
    } catch (e) {
      const problem = problemErrors(e);
      if (!problem) throw e;
      const status = (e as { status: number }).status;
      if (status === 412) return again({}, p.t('stale'), 412);
      return again(problem.errors, problem.message, status === 409 ? 409 : 400);
    }
  })
  .post('/c/:county/supervisees/:id/levels', async (c) => {
    const p = await pageCtx(c);
    const scope = scopeOf(c);
    const k = countyCtx(c);
    const row = await findVisible(k, scope, c.req.param('id'));
    const f = await readForm(c);
    const v = {
      level: f.get('level'),
      effectiveFrom: f.get('effectiveFrom'),
      reason: f.get('reason').trim(),
    };
    const again = async (errors: Errors, message?: string) => {
      const l = await countyLookups(c);
      return c.html(
        <Page p={p} title={p.s(M.changeLevel)}>
          <h1>
            {p.s(M.changeLevel)} · {row.caseNumber}
          </h1>
          <section class="card">
            <LevelForm
              p={p}
              l={l}
              action={`${base(p)}/supervisees/${row.id}/levels`}
              values={v}
              errors={errors}
              message={message}
            />
          </section>
        </Page>,
        400,
      );
    };
    const parsed = LevelChange.safeParse(v);
    if (!parsed.success) return again(zodErrors(parsed.error));
    try {
      await addLevel(k, row, parsed.data);
      sealLater(c, k.d1);
      return c.redirect(`${base(p)}/supervisees/${row.id}?done=level`, 303);
    } catch (e) {
      const problem = problemErrors(e);
      if (!problem) throw e;
      return again(problem.errors, problem.message);
    }
  });

function currentValues(row: SuperviseeRow, shown: Record<string, unknown>): Values {
  return {
    caseNumber: row.caseNumber,
    name: row.name,
    gender: row.gender,
    birthDate: row.birthDate,
    townshipId: row.townshipId,
    sentenceType: row.sentenceType,
    termStart: row.termStart,
    termEnd: row.termEnd,
    status: row.status,
    crimeType: row.crimeType ?? '',
    phone: typeof shown.phone === 'string' ? shown.phone : '',
    address: typeof shown.address === 'string' ? shown.address : '',
    keyPerson: row.keyPerson ? 'true' : 'false',
    ableToWork: row.ableToWork ? 'true' : 'false',
    version: String(row.version),
  };
}

function EditPage(props: {
  p: PageCtx;
  l: Lookups;
  row: SuperviseeRow;
  values: Values;
  errors: Errors;
  message?: string | undefined;
}) {
  const { p, row } = props;
  const title = `${p.s(M.editTitle)} · ${row.name} · ${row.caseNumber}`;
  return (
    <Page p={p} title={title}>
      <h1>{title}</h1>
      <p>
        <a href={`${base(p)}/supervisees/${row.id}`}>← {row.caseNumber}</a>
      </p>
      <SuperviseeForm
        p={p}
        l={props.l}
        mode="edit"
        action={`${base(p)}/supervisees/${row.id}`}
        values={props.values}
        errors={props.errors}
        message={props.message}
      />
    </Page>
  );
}

function LevelForm(props: {
  p: PageCtx;
  l: Lookups;
  action: string;
  values: Values;
  errors: Errors;
  message?: string | undefined;
}) {
  const { p, l, values: v, errors: e } = props;
  return (
    <form method="post" action={props.action} class="inline-form" novalidate>
      <h3>{p.s(M.changeLevel)}</h3>
      <Csrf p={p} />
      <FormAlert p={p} message={props.message} errors={e} />
      <Select
        name="level"
        label={p.s(M.level)}
        options={l.levels.map((x) => ({ value: x.code, label: levelLabel(l, x.code, p.lang) }))}
        value={v.level}
        error={e.level}
        required
        blank=""
      />
      <Input
        name="effectiveFrom"
        label={p.s(M.effectiveFrom)}
        type="date"
        value={v.effectiveFrom}
        error={e.effectiveFrom}
        required
      />
      <Input name="reason" label={p.s(M.reason)} value={v.reason} error={e.reason} required />
      <div class="actions">
        <button type="submit">{p.t('save')}</button>
      </div>
    </form>
  );
}
