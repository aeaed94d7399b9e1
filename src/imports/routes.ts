/**
 * Import routes (issue #8, ADR 0500). A client uploads a file (POST /imports), which answers the
 * job after a first step; while `next` is `continue` it POSTs /imports/{id}/continue, each call
 * working off the next rows, and shows `processed` / `total` as progress. A dry run ends with
 * `next: commit`; POST /imports/{id}/commit then runs the same file for real.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { type Ctx, countyCtx, sealLater } from '../lib/context';
import { invalid } from '../lib/problem';
import { createRouter } from '../lib/router';
import { CivilDate, CountyParam, jsonResponse, problemDoc, STANDARD_ERRORS } from '../lib/schemas';
import { ExportQuery, exportTable, listOrExport, wantsExport } from '../transfer/export';
import { XLSX_MIME } from '../transfer/table';
import { KIND_FIELDS, unmet } from './fields';
import type { RowResult } from './kinds';
import { IMPORT_KINDS, type ImportRow } from './schema';
import {
  commitImport,
  createImport,
  getImport,
  importReport,
  listImports,
  MAX_FILE_BYTES,
  type NewImport,
  stepImport,
} from './service';

/** The upload route takes bodies up to this size (a 10 MiB file as base64 in JSON); see app.ts. */
export const IMPORT_BODY_LIMIT = Math.ceil((MAX_FILE_BYTES * 4) / 3) + 64 * 1024;

/** Media types a raw upload may carry: what browsers and Windows give .csv and .xlsx files. */
const RAW_TYPES = [
  'text/csv',
  'text/plain',
  'application/csv',
  'application/vnd.ms-excel',
  XLSX_MIME,
  'application/octet-stream',
];

const Kind = z.enum(IMPORT_KINDS);
const Mapping = z
  .record(z.string().max(100), z.string().max(40).nullable())
  .refine((m) => Object.keys(m).length <= 100, 'at most 100 columns')
  .openapi({
    description:
      'Header in the file → field (null: ignore the column). Overrides the default header synonyms.',
    example: { 证件号: 'idNumber', 备注: null },
  });

const Options = {
  fileName: z.string().trim().min(1).max(200).optional(),
  sheet: z
    .string()
    .min(1)
    .max(100)
    .optional()
    .openapi({ description: 'The sheet of an .xlsx to read (default: the first)' }),
  headerRow: z.coerce.number().int().min(1).max(1_048_576).optional().openapi({
    description: 'The row holding the headers (default: found among the first ten rows)',
  }),
  effectiveFrom: CivilDate.optional().openapi({
    description: 'The day level and flag changes to registered supervisees take effect (default: today)',
  }),
  contractId: z
    .string()
    .min(1)
    .max(64)
    .optional()
    .openapi({ description: 'The contract an enrolment import enrols into' }),
};

const JsonUpload = z
  .strictObject({
    kind: Kind,
    content: z.string().min(1).max(IMPORT_BODY_LIMIT).openapi({ description: 'The file, base64-encoded' }),
    dryRun: z.boolean().default(true),
    mapping: Mapping.optional(),
    ...Options,
  })
  .openapi('ImportUpload');

const UploadQuery = z.object({
  kind: Kind.optional(),
  dryRun: z.enum(['true', 'false']).optional(),
  mapping: z
    .string()
    .max(10_000)
    .optional()
    .openapi({ description: 'JSON of the column mapping, for raw uploads' }),
  ...Options,
});

const RowErrorSchema = z.object({
  column: z.string().nullable(),
  field: z.string().nullable(),
  value: z.string().nullable(),
  code: z.string(),
  message: z.string(),
  messageZh: z.string(),
});
const RowResultSchema = z
  .object({
    row: z.number().int(),
    outcome: z.enum(['created', 'updated', 'unchanged', 'refused']),
    id: z.string().optional(),
    changes: z.array(z.string()).optional(),
    errors: z.array(RowErrorSchema).optional(),
  })
  .openapi('ImportRowResult');

const ImportState = z
  .object({
    id: z.string(),
    kind: Kind,
    status: z.enum(['queued', 'running', 'completed', 'failed']),
    dryRun: z.boolean(),
    total: z.number().int(),
    processed: z.number().int(),
    counts: z.object({
      created: z.number(),
      updated: z.number(),
      unchanged: z.number(),
      refused: z.number(),
    }),
    next: z.enum(['continue', 'commit']).nullable(),
  })
  .catchall(z.unknown())
  .openapi('Import', {
    description:
      'An import job. `processed` / `total` is its progress; `next` says what to POST: `continue` (more rows to work off, or resume after a failure) or `commit` (run a finished dry run for real).',
  });

const StepAnswer = ImportState.extend({ rows: z.array(RowResultSchema) }).openapi('ImportStep');

const IdParam = CountyParam.extend({ id: z.string().openapi({ param: { name: 'id', in: 'path' } }) });

const isAdmin = (c: Ctx) => c.var.countyMemberships.some((m) => m.role === 'bureau_admin');

export function presentImport(job: ImportRow) {
  const present = new Set(job.columns.flatMap((col) => (col.field ? [col.field] : [])));
  const next = job.status === 'completed' ? (job.dryRun ? 'commit' : null) : 'continue';
  return {
    id: job.id,
    kind: job.kind,
    status: job.status,
    dryRun: job.dryRun,
    fileName: job.fileName,
    format: job.format,
    encoding: job.encoding,
    sheet: job.sheet,
    headerRow: job.headerRow,
    total: job.total,
    processed: job.processed,
    counts: { created: job.created, updated: job.updated, unchanged: job.unchanged, refused: job.refused },
    next: next as 'continue' | 'commit' | null,
    columns: job.columns,
    /** Columns the file lacks that registering a new record needs: such rows are refused. */
    missingColumns: unmet(KIND_FIELDS[job.kind].forCreate, present).map((r) => r.label),
    effectiveFrom: job.options.effectiveFrom,
    contractId: job.options.contractId ?? null,
    lastError: job.lastError,
    createdBy: job.createdBy,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    finishedAt: job.finishedAt,
  };
}

function decodeBase64(s: string): Uint8Array {
  try {
    const bin = atob(s.replace(/\s/g, ''));
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  } catch {
    throw invalid([{ path: 'content', message: 'not base64' }]);
  }
}

function parseMappingQuery(raw: string | undefined) {
  if (raw === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw invalid([{ path: 'mapping', message: 'not JSON' }]);
  }
  const parsed = Mapping.safeParse(value);
  if (!parsed.success)
    throw invalid([{ path: 'mapping', message: 'expected an object of header → field or null' }]);
  return parsed.data;
}

const REPORT_COLUMNS = [
  { key: 'row', header: { zh: '行号', en: 'Row' }, type: 'number' as const },
  { key: 'outcome', header: { zh: '结果', en: 'Outcome' } },
  { key: 'column', header: { zh: '列', en: 'Column' } },
  { key: 'value', header: { zh: '值', en: 'Value' } },
  { key: 'problem', header: { zh: '问题', en: 'Problem' } },
  { key: 'changes', header: { zh: '变更字段', en: 'Changed fields' } },
  { key: 'id', header: { zh: '记录 ID', en: 'Record id' } },
];
const OUTCOME_ZH = { created: '新增', updated: '更新', unchanged: '未变', refused: '拒绝' } as const;

export const importRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/counties/{county}/imports/formats',
      tags: ['Imports'],
      summary: 'What each kind of import reads: fields, their default headers, and what is required',
      request: { params: CountyParam },
      responses: {
        200: jsonResponse(
          'The formats',
          z.object({ items: z.array(z.object({ kind: Kind }).catchall(z.unknown())) }),
        ),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) =>
      c.json(
        {
          items: IMPORT_KINDS.map((kind) => ({
            kind,
            fields: KIND_FIELDS[kind].fields.map((f) => ({
              field: f.field,
              label: f.label,
              headers: f.synonyms,
            })),
            required: KIND_FIELDS[kind].always.map((r) => ({ fields: r.fields, label: r.label })),
            requiredToCreate: KIND_FIELDS[kind].forCreate.map((r) => ({ fields: r.fields, label: r.label })),
          })),
        },
        200,
      ),
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/counties/{county}/imports',
      tags: ['Imports'],
      summary:
        'Upload a CSV or .xlsx file to import (a dry run unless dryRun is false); answers after a first step',
      description:
        'Send JSON `{ kind, content (base64), dryRun, mapping?, … }`, or the file itself as the body (`text/csv` or the .xlsx type) with the options in the query. Files up to 10 MiB and 20,000 rows.',
      request: {
        params: CountyParam,
        query: UploadQuery,
        body: {
          required: false,
          content: {
            'application/json': { schema: JsonUpload },
            ...Object.fromEntries(
              RAW_TYPES.map((t) => [t, { schema: z.string().openapi({ format: 'binary' }) }]),
            ),
          },
        },
      },
      responses: {
        201: jsonResponse('The job, and the rows its first step processed', StepAnswer),
        409: problemDoc('The contract is terminated'),
        413: problemDoc('The body is too large'),
        415: problemDoc('Neither JSON nor a CSV or .xlsx file'),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const contentType = c.req.header('content-type') ?? '';
      let input: NewImport;
      if (/^application\/json/i.test(contentType)) {
        const body = c.req.valid('json') as z.output<typeof JsonUpload>;
        const { content, ...rest } = body;
        input = { ...rest, bytes: decodeBase64(content) };
      } else {
        if (!q.kind) throw invalid([{ path: 'kind', message: 'name the kind of import in the query' }]);
        const { kind, dryRun, mapping, ...rest } = q;
        input = {
          ...rest,
          kind,
          dryRun: dryRun !== 'false',
          mapping: parseMappingQuery(mapping),
          bytes: new Uint8Array(await c.req.arrayBuffer()),
        };
      }
      const k = countyCtx(c);
      const job = await createImport(k, input, { isAdmin: isAdmin(c) });
      const step = await stepImport(k, job.id);
      sealLater(c, k.d1);
      return c.json({ ...presentImport(step.job), rows: step.rows }, 201);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/counties/{county}/imports',
      tags: ['Imports'],
      summary: 'The county’s imports, newest first',
      request: {
        params: CountyParam,
        query: z.object({
          cursor: z.string().max(200).optional(),
          limit: z.coerce.number().int().min(1).max(100).default(20),
        }),
      },
      responses: {
        200: jsonResponse(
          'A page',
          z.object({ items: z.array(ImportState), nextCursor: z.string().nullable() }),
        ),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const { rows, nextCursor } = await listImports(countyCtx(c), q);
      return c.json({ items: rows.map(presentImport), nextCursor }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/counties/{county}/imports/{id}',
      tags: ['Imports'],
      summary: 'An import’s progress: status, processed / total, counts, columns',
      request: { params: IdParam },
      responses: { 200: jsonResponse('The job', ImportState), ...STANDARD_ERRORS },
    }),
    async (c) => c.json(presentImport(await getImport(countyCtx(c), c.req.valid('param').id)), 200),
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/counties/{county}/imports/{id}/rows',
      tags: ['Imports'],
      summary: 'The row-by-row report so far (row, column, value, what is wrong); also as CSV or .xlsx',
      request: {
        params: IdParam,
        query: z.object({
          outcome: z.enum(['created', 'updated', 'unchanged', 'refused']).optional(),
          cursor: z.coerce
            .number()
            .int()
            .min(0)
            .optional()
            .openapi({ description: 'The last row number of the previous page' }),
          limit: z.coerce.number().int().min(1).max(1000).default(200),
          ...ExportQuery,
        }),
      },
      responses: {
        200: listOrExport(
          'A page of row results',
          z.object({ items: z.array(RowResultSchema), nextCursor: z.string().nullable() }),
        ),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const k = countyCtx(c);
      const job = await getImport(k, c.req.valid('param').id);
      const download = wantsExport(q.format);
      const report = await importReport(k, job, {
        outcome: q.outcome,
        after: q.cursor,
        limit: download ? 1_000_000 : q.limit,
      });
      sealLater(c, k.d1);
      if (download) {
        const zh = c.req.query('lang') !== 'en';
        const lines = report.items.flatMap((r: RowResult) => {
          const base = {
            row: r.row,
            outcome: zh ? OUTCOME_ZH[r.outcome] : r.outcome,
            changes: r.changes?.join(', ') ?? null,
            id: r.id ?? null,
          };
          if (!r.errors?.length) return [base];
          return r.errors.map((e) => ({
            ...base,
            column: e.column,
            value: e.value,
            problem: zh ? e.messageZh : e.message,
          }));
        });
        return exportTable(
          c,
          {
            columns: REPORT_COLUMNS,
            rows: lines,
            name: { zh: '导入报告', en: 'import-report' },
            date: k.today,
          },
          q.format as 'csv' | 'xlsx',
        );
      }
      return c.json(report, 200);
    },
  );

/** Continue and resume are one operation: work off the next rows from the last committed chunk. */
const stepRoute = (verb: 'continue' | 'resume') =>
  createRoute({
    method: 'post',
    path: `/api/v1/counties/{county}/imports/{id}/${verb}`,
    tags: ['Imports'],
    summary:
      verb === 'continue'
        ? 'Work off the next rows (up to 1,000) of an import; the answer holds their outcome'
        : 'Resume an import that stopped (same as continue): it goes on after its last committed chunk',
    request: { params: IdParam },
    responses: { 200: jsonResponse('The job after this step', StepAnswer), ...STANDARD_ERRORS },
  });

const step = async (c: Ctx, id: string) => {
  const k = countyCtx(c);
  const { job, rows } = await stepImport(k, id);
  sealLater(c, k.d1);
  return { ...presentImport(job), rows };
};

importRoutes
  .openapi(stepRoute('continue'), async (c) => c.json(await step(c, c.req.valid('param').id), 200))
  .openapi(stepRoute('resume'), async (c) => c.json(await step(c, c.req.valid('param').id), 200))
  .openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/counties/{county}/imports/{id}/commit',
      tags: ['Imports'],
      summary: 'Run a completed dry run for real (same file and mapping); answers after a first step',
      request: { params: IdParam },
      responses: {
        200: jsonResponse('The job after its first real step', StepAnswer),
        409: problemDoc('Not a completed dry run'),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const k = countyCtx(c);
      const id = c.req.valid('param').id;
      await commitImport(k, id, { isAdmin: isAdmin(c) });
      return c.json(await step(c, id), 200);
    },
  );
