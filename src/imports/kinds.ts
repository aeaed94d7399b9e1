/**
 * What the import engine (service.ts) asks of each kind of record: how to find duplicates within
 * a file, what to load once per step, and how to plan a chunk of rows — each row's outcome and
 * the writes that realise it. Planning reads the database but never writes; the engine decides
 * how the writes are batched.
 */
import type { BatchItem } from 'drizzle-orm/batch';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import type { CountyCtx } from '../lib/context';
import type { ImportRow } from './schema';

/** One data row of a file, as stored with its job: the sheet's row number and the mapped cells. */
export type StoredRow = {
  r: number;
  v: Record<string, string>;
  /** Fields whose cell was a number too long for Excel to keep exactly. */
  lossy?: string[];
  /** An earlier row of the same file with the same key. */
  dup?: { row: number; field: string };
};

export type RowError = {
  /** The file's header of the offending column (null when the column is missing). */
  column: string | null;
  field: string | null;
  value: string | null;
  code: string;
  message: string;
  messageZh: string;
};

export type Outcome = 'created' | 'updated' | 'unchanged' | 'refused';

export type RowResult = {
  row: number;
  outcome: Outcome;
  /** The record created, updated or found unchanged. */
  id?: string;
  /** Fields an update changes. */
  changes?: string[];
  errors?: RowError[];
};

/** A write: a row for a (multi-row) insert, or a statement of its own. */
export type Op = { table: SQLiteTable; values: Record<string, unknown> } | { stmt: BatchItem<'sqlite'> };

export type Planned = { result: RowResult; ops: Op[] };

export type PlanInput<Env> = {
  k: CountyCtx;
  job: ImportRow;
  env: Env;
  rows: StoredRow[];
  /** False in a dry run: outcomes only, no writes to build. */
  write: boolean;
  /** The file's header of a field, for the report. */
  header: (field: string) => string | null;
};

export type KindSpec<Env> = {
  /** Marks rows that repeat an earlier row's key (`dup`); they are refused. */
  markDuplicates(rows: StoredRow[]): void;
  load(k: CountyCtx, job: ImportRow): Promise<Env>;
  plan(input: PlanInput<Env>): Promise<Planned[]>;
};

/** An error in a cell (or a missing column), in English and Chinese. */
export function rowError(
  header: (field: string) => string | null,
  field: string | null,
  value: string | null,
  code: string,
  message: string,
  messageZh: string,
): RowError {
  return { column: field ? header(field) : null, field, value, code, message, messageZh };
}

/** Marks later rows whose key (by `keyOf`) an earlier row already had. */
export function markDuplicatesBy(rows: StoredRow[], field: string, keyOf: (r: StoredRow) => string | null) {
  const first = new Map<string, number>();
  for (const r of rows) {
    const key = keyOf(r);
    if (!key || r.dup) continue;
    const seen = first.get(key);
    if (seen === undefined) first.set(key, r.r);
    else r.dup = { row: seen, field };
  }
}

export const duplicateError = (header: (f: string) => string | null, row: StoredRow) =>
  rowError(
    header,
    row.dup!.field,
    row.v[row.dup!.field] ?? null,
    'duplicate_in_file',
    `the same ${row.dup!.field} as row ${row.dup!.row} of this file; only the first is imported`,
    `与本文件第 ${row.dup!.row} 行重复，只导入第一行`,
  );
