/**
 * The import engine (issue #8, ADR 0500). An upload becomes a job: the file is read, its columns
 * mapped, its rows checked for duplicates and stored in encrypted chunks. The job is then worked
 * off in steps of a bounded number of rows; each chunk of rows is planned against the database
 * and written in ONE batch together with the job's cursor, counts and the chunk's report, so a
 * step that dies anywhere leaves the job exactly after its last committed chunk. A dry run goes
 * through the same steps and writes only the report.
 */
import { and, asc, desc, eq, lt, or, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import { contracts } from '../contracts/schema';
import { fieldCrypto } from '../crypto/fields';
import { batchAssert, GUARD_FAILED } from '../db/guard';
import { type CountyCtx, countyAudit } from '../lib/context';
import { newId } from '../lib/ids';
import { conflict, forbidden, invalid, notFound } from '../lib/problem';
import { nowInstant } from '../lib/time';
import { readTable, TableError } from '../transfer/table';
import { findHeaderRow, KIND_FIELDS, resolveColumns, unmet } from './fields';
import { enrolmentKind } from './kind-enrolments';
import { superviseeKind } from './kind-supervisees';
import { townshipKind } from './kind-townships';
import type { KindSpec, Op, Planned, RowResult, StoredRow } from './kinds';
import { type ImportKind, type ImportOptions, type ImportRow, importChunks, imports } from './schema';

/** Rows planned and written together in one batch. */
export const CHUNK_ROWS = 100;
/** Rows one request works off at most (CPU, and D1 queries per invocation). */
export const STEP_ROWS = 1000;
export const MAX_ROWS = 20_000;
export const MAX_FILE_BYTES = 10 * 1024 * 1024;
/**
 * Cells are kept up to this length. Every field is shorter (an address: 200), so a longer cell
 * is refused either way, and a chunk of rows stays well under D1's 2 MB per value.
 */
export const MAX_CELL = 250;

// biome-ignore lint/suspicious/noExplicitAny: each kind has its own environment type
const KINDS: Record<ImportKind, KindSpec<any>> = {
  supervisees: superviseeKind,
  townships: townshipKind,
  enrolments: enrolmentKind,
};

export type Rights = { isAdmin: boolean };

export type NewImport = {
  kind: ImportKind;
  bytes: Uint8Array;
  fileName?: string | undefined;
  dryRun: boolean;
  mapping?: Record<string, string | null> | undefined;
  sheet?: string | undefined;
  headerRow?: number | undefined;
  effectiveFrom?: string | undefined;
  contractId?: string | undefined;
};

const GONE = 'The rows of this import are no longer stored; upload the file again.';

const enc = (k: CountyCtx) => fieldCrypto(k.dataKeySecret, k.county.slug);
const chunkRef = (importId: string, seq: number, column: string) => ({
  table: 'import_chunks',
  column,
  rowId: `${importId}:${seq}`,
});

function checkRights(kind: ImportKind, rights: Rights) {
  if (kind === 'townships' && !rights.isAdmin) throw forbidden('Only the bureau admin imports townships.');
}

async function checkContract(k: CountyCtx, contractId: string | undefined) {
  if (!contractId) throw invalid([{ path: 'contractId', message: 'an enrolment import names its contract' }]);
  const found = await k.db
    .select({ id: contracts.id, status: contracts.status })
    .from(contracts)
    .where(eq(contracts.id, contractId))
    .limit(1);
  if (!found[0]) throw invalid([{ path: 'contractId', message: 'no such contract in this county' }]);
  if (found[0].status === 'terminated')
    throw conflict('The contract is terminated: nobody can be enrolled in it.');
}

/** Reads, maps and stores a file as a new job (nothing else is written yet). */
export async function createImport(k: CountyCtx, input: NewImport, rights: Rights): Promise<ImportRow> {
  checkRights(input.kind, rights);
  if (input.bytes.length > MAX_FILE_BYTES) {
    throw invalid([{ path: 'file', message: `the file is larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB` }]);
  }
  if (input.kind === 'enrolments') await checkContract(k, input.contractId);
  let table: ReturnType<typeof readTable>;
  try {
    table = readTable(input.bytes, { sheet: input.sheet });
  } catch (e) {
    if (e instanceof TableError) throw invalid([{ path: 'file', message: e.message }]);
    throw e;
  }
  const headerAt =
    input.headerRow !== undefined
      ? table.rows.findIndex((r) => r.row === input.headerRow)
      : findHeaderRow(table.rows, input.kind, input.mapping);
  if (headerAt < 0) {
    throw invalid([
      {
        path: input.headerRow !== undefined ? 'headerRow' : 'file',
        message:
          input.headerRow !== undefined
            ? `the file has no row ${input.headerRow}`
            : 'no header row found: none of the first ten rows names a known column (see GET …/imports/formats)',
      },
    ]);
  }
  const { columns, errors } = resolveColumns(table.rows[headerAt]!.cells, input.kind, input.mapping);
  if (errors.length) throw invalid(errors, 'The column mapping is not valid.');
  const present = new Set(columns.flatMap((c) => (c.field ? [c.field] : [])));
  const lacking = unmet(KIND_FIELDS[input.kind].always, present);
  if (lacking.length) {
    throw invalid(
      lacking.map((r) => ({
        path: 'file',
        message: `required column missing: ${r.label.zh} (${r.label.en})`,
      })),
      'The file lacks a column every row needs.',
    );
  }

  const rows: StoredRow[] = [];
  for (const r of table.rows.slice(headerAt + 1)) {
    if (r.cells.every((c) => c === '')) continue;
    const v: Record<string, string> = {};
    const lossy: string[] = [];
    columns.forEach((col, i) => {
      if (!col.field) return;
      v[col.field] = (r.cells[i] ?? '').slice(0, MAX_CELL);
      if (r.lossy?.includes(i)) lossy.push(col.field);
    });
    rows.push(lossy.length ? { r: r.row, v, lossy } : { r: r.row, v });
  }
  if (rows.length === 0)
    throw invalid([{ path: 'file', message: 'the file has no data rows under its header' }]);
  if (rows.length > MAX_ROWS) {
    throw invalid([
      { path: 'file', message: `the file has ${rows.length} rows; at most ${MAX_ROWS} per import` },
    ]);
  }
  KINDS[input.kind].markDuplicates(rows);

  const id = newId();
  const crypto = await enc(k);
  const chunks: { seq: number; rowsEnc: string }[] = [];
  for (let seq = 0; seq * CHUNK_ROWS < rows.length; seq++) {
    const part = rows.slice(seq * CHUNK_ROWS, (seq + 1) * CHUNK_ROWS);
    chunks.push({ seq, rowsEnc: await crypto.encrypt(JSON.stringify(part), chunkRef(id, seq, 'rows_enc')) });
  }
  const options: ImportOptions = {
    effectiveFrom: input.effectiveFrom ?? k.today,
    mayDesignateKeyPersons: rights.isAdmin,
    ...(input.contractId ? { contractId: input.contractId } : {}),
  };
  const job = {
    id,
    kind: input.kind,
    status: 'queued' as const,
    dryRun: input.dryRun,
    fileName: input.fileName ?? null,
    format: table.format,
    encoding: table.encoding,
    sheet: table.sheet,
    headerRow: table.rows[headerAt]!.row,
    columns,
    options,
    total: rows.length,
    chunkSize: CHUNK_ROWS,
    createdBy: k.actorUserId,
    updatedAt: nowInstant(),
  };
  const [inserted] = await k.db.batch([
    k.db.insert(imports).values(job).returning(),
    // One statement per chunk: each carries up to ~100 rows of ciphertext as one bound value.
    ...chunks.map((c) => k.db.insert(importChunks).values({ importId: id, ...c })),
    countyAudit(k, {
      action: 'import.create',
      targetType: 'import',
      targetId: id,
      detail: { kind: input.kind, dryRun: input.dryRun, rows: rows.length, format: table.format },
    }),
  ]);
  return inserted[0]!;
}

export async function getImport(k: CountyCtx, id: string): Promise<ImportRow> {
  const row = (await k.db.select().from(imports).where(eq(imports.id, id)).limit(1))[0];
  if (!row) throw notFound('import');
  return row;
}

/** Inserts grouped into multi-row statements under D1's bound-parameter cap, then the other statements. */
export function batchOf(db: CountyCtx['db'], ops: Op[]): BatchItem<'sqlite'>[] {
  const groups = new Map<SQLiteTable, Record<string, unknown>[]>();
  const stmts: BatchItem<'sqlite'>[] = [];
  for (const op of ops) {
    if ('stmt' in op) stmts.push(op.stmt);
    else {
      const list = groups.get(op.table) ?? [];
      list.push(op.values);
      groups.set(op.table, list);
    }
  }
  const out: BatchItem<'sqlite'>[] = [];
  for (const [table, rows] of groups) {
    let part: Record<string, unknown>[] = [];
    let params = 0;
    for (const row of rows) {
      const n = Object.values(row).filter((v) => v !== undefined).length;
      if (part.length && params + n > 100) {
        out.push(db.insert(table).values(part));
        part = [];
        params = 0;
      }
      part.push(row);
      params += n;
    }
    if (part.length) out.push(db.insert(table).values(part));
  }
  return [...out, ...stmts];
}

const runBatch = (db: CountyCtx['db'], items: BatchItem<'sqlite'>[]) =>
  db.batch(items as unknown as [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]]);

/** A write refused by a constraint: the data changed under the plan (or the plan missed a case). */
const isConstraint = (e: unknown) =>
  /(UNIQUE|FOREIGN KEY|NOT NULL|CHECK) constraint failed/.test(String(e)) || String(e).includes(GUARD_FAILED);

const counts = (results: RowResult[]) => ({
  created: results.filter((r) => r.outcome === 'created').length,
  updated: results.filter((r) => r.outcome === 'updated').length,
  unchanged: results.filter((r) => r.outcome === 'unchanged').length,
  refused: results.filter((r) => r.outcome === 'refused').length,
});

type StepState = { job: ImportRow; env: unknown; rows: RowResult[] };

/** The statements that close a chunk: the job's cursor and counts, the chunk's report, and at the end the job's own audit entry. */
async function closeChunk(k: CountyCtx, job: ImportRow, seq: number, results: RowResult[]) {
  const crypto = await enc(k);
  const c = counts(results);
  const processed = Math.min(job.total, job.processed + results.length);
  const done = processed >= job.total;
  const now = nowInstant();
  const items: BatchItem<'sqlite'>[] = [
    k.db
      .update(imports)
      .set({
        processed,
        created: sql`${imports.created} + ${c.created}`,
        updated: sql`${imports.updated} + ${c.updated}`,
        unchanged: sql`${imports.unchanged} + ${c.unchanged}`,
        refused: sql`${imports.refused} + ${c.refused}`,
        status: done ? 'completed' : 'running',
        lastError: null,
        updatedAt: now,
        finishedAt: done ? now : null,
      })
      .where(eq(imports.id, job.id)),
    k.db
      .update(importChunks)
      .set({
        resultsEnc: await crypto.encrypt(JSON.stringify(results), chunkRef(job.id, seq, 'results_enc')),
      })
      .where(and(eq(importChunks.importId, job.id), eq(importChunks.seq, seq))),
  ];
  if (done) {
    // The file's cells are kept no longer than needed: a dry run keeps them for its commit.
    if (!job.dryRun) {
      items.push(k.db.update(importChunks).set({ rowsEnc: null }).where(eq(importChunks.importId, job.id)));
    }
    items.push(
      countyAudit(k, {
        action: 'import.complete',
        targetType: 'import',
        targetId: job.id,
        detail: {
          kind: job.kind,
          dryRun: job.dryRun,
          created: job.created + c.created,
          updated: job.updated + c.updated,
          unchanged: job.unchanged + c.unchanged,
          refused: job.refused + c.refused,
        },
      }),
    );
  }
  return items;
}

/**
 * Drops the stored cells of jobs untouched since `before` (an instant): dry runs nobody
 * committed, runs nobody finished. Their reports stay; running them on needs a new upload.
 * For the daily job (issue #7); returns how many chunks it emptied.
 */
export async function purgeImportRows(db: CountyCtx['db'], before: string): Promise<number> {
  const result = await db
    .update(importChunks)
    .set({ rowsEnc: null })
    .where(
      and(
        sql`${importChunks.rowsEnc} IS NOT NULL`,
        sql`${importChunks.importId} IN (SELECT id FROM imports WHERE coalesce(updated_at, created_at) < ${before})`,
      ),
    );
  return result.meta.changes;
}

/** Only while nobody else has moved the job on: the first statement of every batch a step writes. */
const cursorGuard = (k: CountyCtx, job: ImportRow) =>
  batchAssert(
    k.db,
    sql`(SELECT processed FROM imports WHERE id = ${job.id} AND status <> 'completed' AND dry_run = ${job.dryRun ? 1 : 0}) = ${job.processed}`,
    'import-moved',
  );

async function loadChunk(k: CountyCtx, job: ImportRow, seq: number): Promise<StoredRow[]> {
  const row = (
    await k.db
      .select({ rowsEnc: importChunks.rowsEnc })
      .from(importChunks)
      .where(and(eq(importChunks.importId, job.id), eq(importChunks.seq, seq)))
      .limit(1)
  )[0];
  if (!row?.rowsEnc) throw conflict(GONE);
  const crypto = await enc(k);
  return JSON.parse(await crypto.decrypt(row.rowsEnc, chunkRef(job.id, seq, 'rows_enc'))) as StoredRow[];
}

async function markFailed(k: CountyCtx, job: ImportRow, message: string) {
  await k.db
    .update(imports)
    .set({ status: 'failed', lastError: message, updatedAt: nowInstant() })
    .where(
      and(
        eq(imports.id, job.id),
        eq(imports.processed, job.processed),
        sql`${imports.status} <> 'completed'`,
      ),
    );
}

/**
 * Works off one chunk. Normally its rows' writes and the cursor go in one batch. When that batch
 * is refused by a constraint (the data changed since the plan was made), the chunk is planned
 * afresh once; refused again, each row is written in a batch of its own so that one bad row
 * cannot hold up the others. Any other failure stops the job as `failed`, to be resumed.
 */
async function workChunk(k: CountyCtx, state: StepState): Promise<'done' | 'moved' | 'failed'> {
  const { job } = state;
  const seq = Math.floor(job.processed / job.chunkSize);
  const rows = await loadChunk(k, job, seq);
  const spec = KINDS[job.kind];
  const headers = new Map(job.columns.filter((c) => c.field).map((c) => [c.field!, c.header]));
  const header = (field: string) => headers.get(field) ?? null;
  const write = !job.dryRun;
  const range = `rows ${rows[0]?.r ?? '?'}–${rows.at(-1)?.r ?? '?'}`;

  let planned: Planned[] = [];
  for (let attempt = 0; attempt < 2; attempt++) {
    planned = await spec.plan({ k, job, env: state.env, rows, write, header });
    const results = planned.map((p) => p.result);
    try {
      await runBatch(k.db, [
        cursorGuard(k, job),
        ...batchOf(
          k.db,
          planned.flatMap((p) => p.ops),
        ),
        ...(await closeChunk(k, job, seq, results)),
      ]);
      state.rows.push(...results);
      return 'done';
    } catch (e) {
      const now = await getImport(k, job.id);
      if (now.processed !== job.processed || now.dryRun !== job.dryRun || now.status === 'completed') {
        state.job = now;
        return 'moved';
      }
      if (!isConstraint(e)) {
        // The kind of failure only: a message could quote a value.
        console.error(JSON.stringify({ at: 'import.chunk', importId: job.id, error: (e as Error).name }));
        await markFailed(
          k,
          job,
          `Writing ${range} failed (a database error); resume the import to continue.`,
        );
        return 'failed';
      }
    }
  }

  // Row by row: each row's writes in a batch of their own, behind the same cursor guard.
  const results: RowResult[] = [];
  for (const p of planned) {
    if (p.ops.length === 0) {
      results.push(p.result);
      continue;
    }
    try {
      await runBatch(k.db, [cursorGuard(k, job), ...batchOf(k.db, p.ops)]);
      results.push(p.result);
    } catch {
      results.push({
        row: p.result.row,
        outcome: 'refused',
        errors: [
          {
            column: null,
            field: null,
            value: null,
            code: 'write_conflict',
            message: 'the record changed while this row was being written; import the file again to retry it',
            messageZh: '写入时该记录已被他人修改，请重新导入以重试此行',
          },
        ],
      });
    }
  }
  try {
    await runBatch(k.db, [cursorGuard(k, job), ...(await closeChunk(k, job, seq, results))]);
  } catch {
    await markFailed(k, job, `Recording the outcome of ${range} failed; resume the import to continue.`);
    return 'failed';
  }
  state.rows.push(...results);
  return 'done';
}

/**
 * Works off up to `maxRows` rows of a job (a dry run or a real run) and answers the job and
 * the outcome of the rows this step processed. Safe to call concurrently and after any failure:
 * it continues from the last committed chunk.
 */
export async function stepImport(
  k: CountyCtx,
  id: string,
  maxRows = STEP_ROWS,
): Promise<{ job: ImportRow; rows: RowResult[] }> {
  const first = await getImport(k, id);
  if (first.status === 'completed') return { job: first, rows: [] };
  const state: StepState = { job: first, env: await KINDS[first.kind].load(k, first), rows: [] };
  let budget = maxRows;
  while (state.job.processed < state.job.total && budget > 0) {
    const before = state.job.processed;
    const outcome = await workChunk(k, state);
    if (outcome === 'failed') break;
    if (outcome === 'done') budget -= Math.min(state.job.chunkSize, state.job.total - before);
    state.job = await getImport(k, id);
    if (state.job.status === 'completed') break;
  }
  return { job: await getImport(k, id), rows: state.rows };
}

/** Turns a completed dry run into the real run of the same file and mapping. */
export async function commitImport(k: CountyCtx, id: string, rights: Rights): Promise<ImportRow> {
  const job = await getImport(k, id);
  checkRights(job.kind, rights);
  if (!job.dryRun || job.status !== 'completed') {
    throw conflict('Only a completed dry run can be committed.');
  }
  const purged = await k.db
    .select({ seq: importChunks.seq })
    .from(importChunks)
    .where(and(eq(importChunks.importId, id), sql`${importChunks.rowsEnc} IS NULL`))
    .limit(1);
  if (purged.length) throw conflict(GONE);
  try {
    await runBatch(k.db, [
      batchAssert(
        k.db,
        sql`(SELECT dry_run = 1 AND status = 'completed' FROM imports WHERE id = ${id})
          AND NOT EXISTS (SELECT 1 FROM import_chunks WHERE import_id = ${id} AND rows_enc IS NULL)`,
        'not-a-dry-run',
      ),
      k.db
        .update(imports)
        .set({
          dryRun: false,
          status: 'queued',
          processed: 0,
          created: 0,
          updated: 0,
          unchanged: 0,
          refused: 0,
          finishedAt: null,
          lastError: null,
          updatedAt: nowInstant(),
          options: { ...job.options, mayDesignateKeyPersons: rights.isAdmin },
        })
        .where(eq(imports.id, id)),
      k.db.update(importChunks).set({ resultsEnc: null }).where(eq(importChunks.importId, id)),
      countyAudit(k, {
        action: 'import.commit',
        targetType: 'import',
        targetId: id,
        detail: { kind: job.kind },
      }),
    ]);
  } catch (e) {
    if (String(e).includes(GUARD_FAILED)) throw conflict('Only a completed dry run can be committed.');
    throw e;
  }
  return getImport(k, id);
}

export async function listImports(k: CountyCtx, opts: { cursor?: string | undefined; limit: number }) {
  const [at, id] = (opts.cursor ?? '').split('~');
  const rows = await k.db
    .select()
    .from(imports)
    .where(
      opts.cursor && at && id
        ? or(lt(imports.createdAt, at), and(eq(imports.createdAt, at), lt(imports.id, id)))
        : undefined,
    )
    .orderBy(desc(imports.createdAt), desc(imports.id))
    .limit(opts.limit + 1);
  const page = rows.slice(0, opts.limit);
  const last = page.at(-1);
  return { rows: page, nextCursor: rows.length > opts.limit && last ? `${last.createdAt}~${last.id}` : null };
}

/**
 * The row-by-row report of a job so far, in file order, optionally only rows of one outcome.
 * Reading it decrypts the values of refused cells, so it leaves an audit entry.
 */
export async function importReport(
  k: CountyCtx,
  job: ImportRow,
  opts: { outcome?: RowResult['outcome'] | undefined; after?: number | undefined; limit: number },
) {
  const chunks = await k.db
    .select({ seq: importChunks.seq, resultsEnc: importChunks.resultsEnc })
    .from(importChunks)
    .where(and(eq(importChunks.importId, job.id), sql`${importChunks.resultsEnc} IS NOT NULL`))
    .orderBy(asc(importChunks.seq));
  const crypto = await enc(k);
  const items: RowResult[] = [];
  let more = false;
  for (const c of chunks) {
    const results = JSON.parse(
      await crypto.decrypt(c.resultsEnc!, chunkRef(job.id, c.seq, 'results_enc')),
    ) as RowResult[];
    for (const r of results) {
      if (opts.after !== undefined && r.row <= opts.after) continue;
      if (opts.outcome && r.outcome !== opts.outcome) continue;
      if (items.length === opts.limit) {
        more = true;
        break;
      }
      items.push(r);
    }
    if (more) break;
  }
  await countyAudit(k, {
    action: 'import.read_report',
    targetType: 'import',
    targetId: job.id,
    detail: { rows: items.length },
  });
  return { items, nextCursor: more ? String(items.at(-1)!.row) : null };
}
