/**
 * Import jobs (issue #8): one row per uploaded file, and its rows in chunks. A job is worked off
 * chunk by chunk; `processed` (the cursor) moves in the same D1 batch as the chunk's writes, so
 * a job that stops anywhere resumes exactly after its last committed chunk.
 */
import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { createdAt } from '../db/columns';

export const IMPORT_KINDS = ['townships', 'supervisees', 'enrolments'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

export const IMPORT_STATUSES = ['queued', 'running', 'completed', 'failed'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

/** A file column and the field it feeds (null: ignored). */
export type ImportColumn = { column: string; header: string; field: string | null };

export type ImportOptions = {
  /** The day level and flag changes to existing supervisees take effect (default: the upload's today). */
  effectiveFrom: string;
  contractId?: string;
  /** Whether the run may designate key persons (重点对象): the bureau admin's call alone. */
  mayDesignateKeyPersons: boolean;
};

export const imports = sqliteTable(
  'imports',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: IMPORT_KINDS }).notNull(),
    status: text('status', { enum: IMPORT_STATUSES }).notNull().default('queued'),
    dryRun: integer('dry_run', { mode: 'boolean' }).notNull(),
    fileName: text('file_name'),
    format: text('format', { enum: ['csv', 'xlsx'] }).notNull(),
    encoding: text('encoding'),
    sheet: text('sheet'),
    headerRow: integer('header_row').notNull(),
    columns: text('columns', { mode: 'json' }).notNull().$type<ImportColumn[]>(),
    options: text('options', { mode: 'json' }).notNull().$type<ImportOptions>(),
    total: integer('total').notNull(),
    /** Rows done: the cursor. Always a multiple of `chunk_size` until the job completes. */
    processed: integer('processed').notNull().default(0),
    chunkSize: integer('chunk_size').notNull(),
    created: integer('created').notNull().default(0),
    updated: integer('updated').notNull().default(0),
    unchanged: integer('unchanged').notNull().default(0),
    refused: integer('refused').notNull().default(0),
    /** What stopped the job last (a kind of failure, never data). */
    lastError: text('last_error'),
    createdBy: text('created_by'),
    createdAt: createdAt(),
    updatedAt: text('updated_at'),
    finishedAt: text('finished_at'),
  },
  (t) => [index('imports_created').on(t.createdAt)],
);

/**
 * The rows of a job, `chunk_size` at a time: the mapped cells (encrypted, since they hold names
 * and ID numbers; dropped once a real run completes) and, once processed, each row's outcome
 * (encrypted too: a refused cell's value is part of the report).
 */
export const importChunks = sqliteTable(
  'import_chunks',
  {
    importId: text('import_id')
      .notNull()
      .references(() => imports.id),
    seq: integer('seq').notNull(),
    rowsEnc: text('rows_enc'),
    resultsEnc: text('results_enc'),
  },
  (t) => [primaryKey({ columns: [t.importId, t.seq] })],
);

export type ImportRow = typeof imports.$inferSelect;
