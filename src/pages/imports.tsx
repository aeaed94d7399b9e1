/**
 * 数据导入 (issue #8): the bureau uploads a CSV or .xlsx file (a dry run by default), watches it
 * being worked off step by step, reads the refused rows, and commits a finished dry run.
 * /assets/imports.js presses "continue" until the job is done (progressive enhancement only).
 */

import { IMPORT_KINDS, type ImportKind, type ImportRow } from '../imports/schema';
import {
  commitImport,
  createImport,
  getImport,
  importReport,
  listImports,
  stepImport,
} from '../imports/service';
import type { Ctx } from '../lib/context';
import { countyCtx, sealLater } from '../lib/context';
import { createRouter } from '../lib/router';
import type { Msg } from './i18n';
import {
  base,
  Checkbox,
  Csrf,
  FormAlert,
  hasRole,
  Notice,
  Page,
  type PageCtx,
  pageCtx,
  problemErrors,
  Select,
} from './kit';

const M = {
  title: { zh: '数据导入', en: 'Imports' },
  upload: { zh: '上传文件', en: 'Upload a file' },
  file: { zh: '文件（.csv 或 .xlsx）', en: 'File (.csv or .xlsx)' },
  kind: { zh: '导入内容', en: 'What the file holds' },
  dryRun: { zh: '试运行（不写入数据）', en: 'Dry run (writes nothing)' },
  start: { zh: '上传并开始', en: 'Upload and start' },
  none: { zh: '尚无导入。', en: 'No imports yet.' },
  fileName: { zh: '文件', en: 'File' },
  status: { zh: '状态', en: 'Status' },
  progress: { zh: '进度', en: 'Progress' },
  created: { zh: '新增', en: 'Created' },
  updated: { zh: '更新', en: 'Updated' },
  unchanged: { zh: '未变', en: 'Unchanged' },
  refused: { zh: '拒绝', en: 'Refused' },
  startedAt: { zh: '上传时间', en: 'Uploaded' },
  mode: { zh: '方式', en: 'Mode' },
  dry: { zh: '试运行', en: 'Dry run' },
  real: { zh: '正式导入', en: 'Real run' },
  continue: { zh: '继续', en: 'Continue' },
  commit: { zh: '正式导入（提交试运行）', en: 'Commit (run it for real)' },
  refusedRows: { zh: '被拒绝的行（前 50 行）', en: 'Refused rows (first 50)' },
  row: { zh: '行', en: 'Row' },
  column: { zh: '列', en: 'Column' },
  value: { zh: '值', en: 'Value' },
  problem: { zh: '问题', en: 'Problem' },
  back: { zh: '返回导入列表', en: 'Back to imports' },
  noFile: { zh: '请选择一个文件。', en: 'Choose a file.' },
  lastError: { zh: '上次中断原因', en: 'What stopped it last' },
  committed: { zh: '已开始正式导入。', en: 'The real run has started.' },
} satisfies Record<string, Msg>;

const KIND: Record<ImportKind, Msg> = {
  townships: { zh: '乡镇（街道）', en: 'Townships' },
  supervisees: { zh: '矫正对象', en: 'Supervisees' },
  enrolments: { zh: '服务对象名单', en: 'Enrolments' },
};
const STATUS: Record<ImportRow['status'], Msg> = {
  queued: { zh: '排队中', en: 'Queued' },
  running: { zh: '进行中', en: 'Running' },
  completed: { zh: '已完成', en: 'Completed' },
  failed: { zh: '已中断', en: 'Stopped' },
};

const isAdmin = (p: PageCtx) => hasRole(p, 'bureau_admin');

function ListPage(props: { p: PageCtx; rows: ImportRow[]; error?: string | undefined; kind?: string }) {
  const { p } = props;
  const s = p.s;
  const kinds = IMPORT_KINDS.filter((k) => k !== 'townships' || isAdmin(p));
  return (
    <Page p={p} title={s(M.title)}>
      <h1>{s(M.title)}</h1>
      <form class="card" method="post" action={`${base(p)}/imports`} enctype="multipart/form-data">
        <h2>{s(M.upload)}</h2>
        <FormAlert p={p} message={props.error} />
        <Csrf p={p} />
        <div class="field">
          <label for="f-file">{s(M.file)}</label>
          <input
            id="f-file"
            name="file"
            type="file"
            required
            accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          />
        </div>
        <Select
          name="kind"
          label={s(M.kind)}
          value={props.kind ?? 'supervisees'}
          options={kinds.map((k) => ({ value: k, label: s(KIND[k]) }))}
        />
        <Checkbox name="dryRun" label={s(M.dryRun)} checked />
        <button type="submit">{s(M.start)}</button>
      </form>
      {props.rows.length ? (
        <table>
          <thead>
            <tr>
              <th scope="col">{s(M.startedAt)}</th>
              <th scope="col">{s(M.fileName)}</th>
              <th scope="col">{s(M.kind)}</th>
              <th scope="col">{s(M.mode)}</th>
              <th scope="col">{s(M.status)}</th>
              <th scope="col">{s(M.progress)}</th>
              <th scope="col">{s(M.created)}</th>
              <th scope="col">{s(M.updated)}</th>
              <th scope="col">{s(M.unchanged)}</th>
              <th scope="col">{s(M.refused)}</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.map((j) => (
              <tr>
                <td>
                  <a href={`${base(p)}/imports/${j.id}`}>{j.createdAt.slice(0, 16).replace('T', ' ')}</a>
                </td>
                <td>{j.fileName ?? '—'}</td>
                <td>{s(KIND[j.kind])}</td>
                <td>{s(j.dryRun ? M.dry : M.real)}</td>
                <td>{s(STATUS[j.status])}</td>
                <td>
                  {j.processed}/{j.total}
                </td>
                <td>{j.created}</td>
                <td>{j.updated}</td>
                <td>{j.unchanged}</td>
                <td>{j.refused}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p>{s(M.none)}</p>
      )}
    </Page>
  );
}

async function detail(c: Ctx) {
  const p = await pageCtx(c);
  const s = p.s;
  const k = countyCtx(c);
  const job = await getImport(k, c.req.param('id')!);
  const report = await importReport(k, job, { outcome: 'refused', limit: 50 });
  sealLater(c, k.d1);
  const b = `${base(p)}/imports/${job.id}`;
  const done = job.status === 'completed';
  return c.html(
    <Page p={p} title={s(M.title)}>
      <p>
        <a href={`${base(p)}/imports`}>{s(M.back)}</a>
      </p>
      <h1>
        {s(M.title)} · {job.fileName ?? s(KIND[job.kind])}
      </h1>
      <Notice text={c.req.query('done') === 'commit' ? s(M.committed) : null} />
      <p>
        {s(KIND[job.kind])} · {s(job.dryRun ? M.dry : M.real)} ·{' '}
        <span id="import-status" data-status={job.status}>
          {s(STATUS[job.status])}
        </span>
      </p>
      <label for="import-progress">{s(M.progress)}</label>{' '}
      <progress id="import-progress" value={job.processed} max={job.total}>
        {job.processed}/{job.total}
      </progress>{' '}
      <span>
        {job.processed}/{job.total}
      </span>
      <dl class="counts">
        <dt>{s(M.created)}</dt>
        <dd id="count-created">{job.created}</dd>
        <dt>{s(M.updated)}</dt>
        <dd id="count-updated">{job.updated}</dd>
        <dt>{s(M.unchanged)}</dt>
        <dd id="count-unchanged">{job.unchanged}</dd>
        <dt>{s(M.refused)}</dt>
        <dd id="count-refused">{job.refused}</dd>
      </dl>
      {job.lastError ? (
        <p class="alert error">
          {s(M.lastError)}: {job.lastError}
        </p>
      ) : null}
      {!done ? (
        <form method="post" action={`${b}/continue`} class="inline" id="import-continue">
          <Csrf p={p} />
          <button type="submit">{s(M.continue)}</button>
        </form>
      ) : null}
      {done && job.dryRun ? (
        <form method="post" action={`${b}/commit`} class="inline">
          <Csrf p={p} />
          <button type="submit">{s(M.commit)}</button>
        </form>
      ) : null}
      {report.items.length ? (
        <>
          <h2>{s(M.refusedRows)}</h2>
          <table>
            <thead>
              <tr>
                <th scope="col">{s(M.row)}</th>
                <th scope="col">{s(M.column)}</th>
                <th scope="col">{s(M.value)}</th>
                <th scope="col">{s(M.problem)}</th>
              </tr>
            </thead>
            <tbody>
              {report.items.flatMap((r) =>
                (r.errors?.length ? r.errors : [null]).map((e) => (
                  <tr>
                    <td>{r.row}</td>
                    <td>{e?.column ?? '—'}</td>
                    <td>{e?.value ?? '—'}</td>
                    <td>{e ? (p.lang === 'zh' ? e.messageZh : e.message) : '—'}</td>
                  </tr>
                )),
              )}
            </tbody>
          </table>
        </>
      ) : null}
      <script src="/assets/imports.js" defer />
    </Page>,
  );
}

export const importPages = createRouter()
  .get('/c/:county/imports', async (c) => {
    const p = await pageCtx(c);
    const { rows } = await listImports(countyCtx(c), { limit: 50 });
    return c.html(<ListPage p={p} rows={rows} />);
  })
  .post('/c/:county/imports', async (c) => {
    const p = await pageCtx(c);
    const form = await c.req.parseBody();
    const file = form.file;
    const kind = (IMPORT_KINDS as readonly string[]).includes(String(form.kind))
      ? (form.kind as ImportKind)
      : 'supervisees';
    const list = async () => (await listImports(countyCtx(c), { limit: 50 })).rows;
    if (!(file instanceof File) || file.size === 0) {
      return c.html(<ListPage p={p} rows={await list()} error={p.s(M.noFile)} kind={kind} />, 400);
    }
    const k = countyCtx(c);
    try {
      const job = await createImport(
        k,
        {
          kind,
          bytes: new Uint8Array(await file.arrayBuffer()),
          fileName: file.name || undefined,
          dryRun: form.dryRun === 'true',
        },
        { isAdmin: isAdmin(p) },
      );
      await stepImport(k, job.id);
      sealLater(c, k.d1);
      return c.redirect(`${base(p)}/imports/${job.id}`, 303);
    } catch (e) {
      const problem = problemErrors(e);
      if (!problem) throw e;
      const message = [problem.message, ...Object.values(problem.errors)].filter(Boolean).join(' ');
      return c.html(<ListPage p={p} rows={await list()} error={message} kind={kind} />, 400);
    }
  })
  .get('/c/:county/imports/:id', detail)
  .post('/c/:county/imports/:id/continue', async (c) => {
    const p = await pageCtx(c);
    const k = countyCtx(c);
    const id = c.req.param('id');
    await stepImport(k, id);
    sealLater(c, k.d1);
    return c.redirect(`${base(p)}/imports/${id}`, 303);
  })
  .post('/c/:county/imports/:id/commit', async (c) => {
    const p = await pageCtx(c);
    const k = countyCtx(c);
    const id = c.req.param('id');
    await commitImport(k, id, { isAdmin: isAdmin(p) });
    await stepImport(k, id);
    sealLater(c, k.d1);
    return c.redirect(`${base(p)}/imports/${id}?done=commit`, 303);
  });
