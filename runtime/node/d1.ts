/**
 * A D1 binding over one SQLite file (node:sqlite), for the self-hosted runtime (ADR 0900).
 *
 * It keeps D1's interface and the semantics the app relies on, as workerd's own binding
 * (`cloudflare-internal:d1-api`) and miniflare's D1 object implement them:
 * - `prepare(sql).bind(...)` is immutable (bind returns a new statement); values are checked as
 *   D1 checks them (booleans become 1/0, ArrayBuffer and views become blobs, anything else,
 *   `undefined` included, is a `D1_TYPE_ERROR`); blobs come back as arrays of bytes.
 * - `first`, `all`, `run`, `raw({ columnNames })` answer `{ success, meta, results }` as D1 does;
 *   rows are built from rows-and-columns like workerd builds them (a repeated column name: last wins).
 * - `batch` is one transaction (BEGIN IMMEDIATE … COMMIT): any failure rolls back all of it.
 * - `exec` runs one statement per line, in one transaction, and fails with D1_EXEC_ERROR.
 * - Errors read `D1_ERROR: <SQLite's message>: SQLITE_<CODE>`, so code that looks for
 *   'UNIQUE constraint failed' or 'CHECK constraint failed' works unchanged.
 * - More than 100 bound parameters is refused, as D1 in production refuses it.
 * - SQL transaction statements (BEGIN, COMMIT, SAVEPOINT…) are refused, as D1 refuses them: the
 *   app's only transactions are batches, on either runtime.
 *
 * The file is opened in WAL mode with a busy timeout, so several processes (the server, a
 * migration, a backup) can use it at once; writers queue for the lock instead of failing.
 */
import { DatabaseSync, type StatementSync } from 'node:sqlite';

/** D1's cap on bound parameters per statement (src/db/index.ts D1_MAX_PARAMS). */
export const MAX_BOUND_PARAMETERS = 100;
/** How long a writer waits for another process's write lock before SQLITE_BUSY. */
export const DEFAULT_BUSY_TIMEOUT_MS = 5_000;

export type SqliteD1Options = {
  /** Milliseconds to wait for a lock held by another connection (default 5,000). */
  busyTimeoutMs?: number;
  readOnly?: boolean;
};

type SqlValue = null | number | string | Uint8Array;
type Row = Record<string, unknown>;
type QueryResult = { columns: string[]; rows: unknown[][]; meta: D1Meta & Record<string, unknown> };

/** SQLite's primary result codes, by number, as D1 appends them to a message. */
const RESULT_CODES: Record<number, string> = {
  1: 'SQLITE_ERROR',
  2: 'SQLITE_INTERNAL',
  3: 'SQLITE_PERM',
  4: 'SQLITE_ABORT',
  5: 'SQLITE_BUSY',
  6: 'SQLITE_LOCKED',
  7: 'SQLITE_NOMEM',
  8: 'SQLITE_READONLY',
  9: 'SQLITE_INTERRUPT',
  10: 'SQLITE_IOERR',
  11: 'SQLITE_CORRUPT',
  13: 'SQLITE_FULL',
  14: 'SQLITE_CANTOPEN',
  17: 'SQLITE_SCHEMA',
  18: 'SQLITE_TOOBIG',
  19: 'SQLITE_CONSTRAINT',
  20: 'SQLITE_MISMATCH',
  21: 'SQLITE_MISUSE',
  25: 'SQLITE_RANGE',
  26: 'SQLITE_NOTADB',
};

const TRANSACTION_STATEMENT = /^\s*(BEGIN|COMMIT|END|ROLLBACK|SAVEPOINT|RELEASE)\b/i;
const TRANSACTION_REFUSED =
  'To execute a transaction, use batch() instead of the SQL BEGIN TRANSACTION or SAVEPOINT statements (as on D1).';

/** An Error shaped like D1's: `PREFIX: message`, with the bare message as its cause. */
function d1Error(prefix: string, message: string): Error {
  return new Error(`${prefix}: ${message}`, { cause: new Error(message) });
}

/** SQLite's message with its result code, as D1 words it ("UNIQUE constraint failed: t.c: SQLITE_CONSTRAINT"). */
function sqliteMessage(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const errcode = (e as { errcode?: number }).errcode;
  if (typeof errcode !== 'number') return e.message;
  return `${e.message}: ${RESULT_CODES[errcode & 0xff] ?? `SQLITE_${errcode & 0xff}`}`;
}

const isBlank = (sql: string) => sql.replace(/^\s*--.*$/gm, '').trim().length === 0;

/** D1's bind-time conversion (workerd's D1PreparedStatement.bind), to values node:sqlite binds. */
function toSqlValue(value: unknown): SqlValue {
  const type = typeof value;
  if (type === 'number' || type === 'string') return value as number | string;
  if (type === 'boolean') return value ? 1 : 0;
  if (value === null) return null;
  if (type === 'object') {
    if (Array.isArray(value) && value.every((b) => typeof b === 'number' && b >= 0 && b < 256))
      return Uint8Array.from(value as number[]);
    if (value instanceof ArrayBuffer) return new Uint8Array(value.slice(0));
    if (ArrayBuffer.isView(value)) return Uint8Array.from(Array.from(value as unknown as ArrayLike<number>));
  }
  throw d1Error('D1_TYPE_ERROR', `Type '${type}' not supported for value '${String(value)}'`);
}

/** Blobs leave D1 as arrays of byte values. */
const fromSqlValue = (value: unknown): unknown => (value instanceof Uint8Array ? Array.from(value) : value);

const rowsToObjects = (columns: string[], rows: unknown[][]): Row[] =>
  rows.map((row) => Object.fromEntries(columns.map((name, i) => [name, row[i]])));

export class SqliteD1Database implements D1Database {
  readonly path: string;
  readonly #db: DatabaseSync;
  readonly #statements = new Map<string, StatementSync>();
  readonly #changes: StatementSync;
  readonly #pageCount: StatementSync;
  readonly #pageSize: number;

  constructor(path: string, options: SqliteD1Options = {}) {
    this.path = path;
    this.#db = new DatabaseSync(path, {
      timeout: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS,
      readOnly: options.readOnly ?? false,
      enableForeignKeyConstraints: true,
    });
    if (!options.readOnly) {
      // WAL: readers never block the writer and other processes may open the file meanwhile.
      // synchronous=FULL: a committed batch survives a power cut, as a D1 commit does.
      this.#db.exec('PRAGMA journal_mode = WAL');
      this.#db.exec('PRAGMA synchronous = FULL');
    }
    // secure_delete: a deleted row's bytes are overwritten with zeros in the file (and its WAL),
    // not left in free pages (等保 residual information protection, docs/self-hosting.zh.md).
    this.#db.exec('PRAGMA secure_delete = ON');
    this.#changes = this.#db.prepare('SELECT total_changes() AS c, last_insert_rowid() AS r');
    this.#changes.setReturnArrays(true);
    this.#pageCount = this.#db.prepare('PRAGMA page_count');
    this.#pageCount.setReturnArrays(true);
    this.#pageSize = Number((this.#db.prepare('PRAGMA page_size').get() as { page_size: number }).page_size);
  }

  /** The underlying connection, for the runtime's own tables (the job queue) and backups. */
  get connection(): DatabaseSync {
    return this.#db;
  }

  prepare(query: string): D1PreparedStatement {
    return new SqliteD1Statement(this, query, []);
  }

  async batch<T = unknown>(statements: D1PreparedStatement[]): Promise<D1Result<T>[]> {
    const own = statements.map((s) => {
      if (!(s instanceof SqliteD1Statement) || s.database !== this)
        throw d1Error('D1_ERROR', 'batch() takes statements prepared on this database');
      return s;
    });
    const queries = own.filter((s) => !isBlank(s.statement));
    if (queries.length === 0) throw d1Error('D1_ERROR', 'No SQL statements detected.');
    const results = this.transaction(() => queries.map((s) => this.query(s.statement, s.params)));
    return results.map((r) => ({
      success: true,
      meta: r.meta,
      results: rowsToObjects(r.columns, r.rows) as T[],
    }));
  }

  async exec(query: string): Promise<D1ExecResult> {
    const lines = query
      .trim()
      .split('\n')
      .filter((l) => !isBlank(l));
    if (lines.length === 0) throw d1Error('D1_EXEC_ERROR', 'No SQL statements detected.');
    let duration = 0;
    this.transaction(() => {
      lines.forEach((line, i) => {
        try {
          duration += this.query(line, []).meta.duration;
        } catch (e) {
          const message = e instanceof Error && e.cause instanceof Error ? e.cause.message : sqliteMessage(e);
          throw d1Error('D1_EXEC_ERROR', `Error in line ${i + 1}: ${line}: ${message}`);
        }
      });
    });
    return { count: lines.length, duration };
  }

  withSession(): D1DatabaseSession {
    // One file, one primary: a session is the database itself, and has no bookmark.
    return {
      prepare: (sql: string) => this.prepare(sql),
      batch: <T>(statements: D1PreparedStatement[]) => this.batch<T>(statements),
      getBookmark: () => null,
    } as D1DatabaseSession;
  }

  async dump(): Promise<ArrayBuffer> {
    throw d1Error(
      'D1_DUMP_ERROR',
      'dump() is deprecated on D1; use the backup script (docs/self-hosting.zh.md)',
    );
  }

  close(): void {
    this.#statements.clear();
    if (this.#db.isOpen) this.#db.close();
  }

  /** Runs `work` inside BEGIN IMMEDIATE … COMMIT; rolls back and rethrows on any failure. */
  transaction<R>(work: () => R): R {
    try {
      this.#db.exec('BEGIN IMMEDIATE');
    } catch (e) {
      throw d1Error('D1_ERROR', sqliteMessage(e));
    }
    try {
      const result = work();
      this.#db.exec('COMMIT');
      return result;
    } catch (e) {
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      throw e;
    }
  }

  /** One statement, as D1 answers it: rows and columns and its meta. Throws D1-shaped errors. */
  query(sql: string, params: readonly SqlValue[]): QueryResult {
    if (params.length > MAX_BOUND_PARAMETERS)
      throw d1Error(
        'D1_ERROR',
        `too many SQL variables: ${params.length} bound parameters, D1 allows ${MAX_BOUND_PARAMETERS}: SQLITE_ERROR`,
      );
    if (TRANSACTION_STATEMENT.test(sql)) throw d1Error('D1_ERROR', `${TRANSACTION_REFUSED}: SQLITE_AUTH`);
    if (isBlank(sql)) throw d1Error('D1_ERROR', 'No SQL statements detected.');
    try {
      const stmt = this.#statement(sql);
      const [before] = this.#changes.all() as unknown as [[number, number]];
      const started = performance.now();
      let rows: unknown[][];
      try {
        rows = stmt.all(...params) as unknown as unknown[][];
      } catch (e) {
        // Integers past 2^53: D1 answers them as (imprecise) numbers; node:sqlite refuses.
        if (!(e instanceof RangeError)) throw e;
        stmt.setReadBigInts(true);
        try {
          rows = (stmt.all(...params) as unknown as unknown[][]).map((r) =>
            r.map((v) => (typeof v === 'bigint' ? Number(v) : v)),
          );
        } finally {
          stmt.setReadBigInts(false);
        }
      }
      const duration = performance.now() - started;
      const [after] = this.#changes.all() as unknown as [[number, number]];
      const columns = stmt.columns().map((c) => c.name);
      const changes = after[0] - before[0];
      const converted = rows.map((r) => r.map(fromSqlValue));
      const [[pages]] = this.#pageCount.all() as unknown as [[number]];
      return {
        columns,
        rows: converted,
        meta: {
          served_by: 'bangjiao-node-sqlite',
          served_by_primary: true,
          duration,
          timings: { sql_duration_ms: duration },
          changes,
          last_row_id: after[1],
          changed_db: changes > 0,
          size_after: pages * this.#pageSize,
          // node:sqlite has no per-statement row counters: rows returned and rows changed.
          rows_read: converted.length,
          rows_written: changes,
        },
      };
    } catch (e) {
      if (e instanceof Error && /^D1_/.test(e.message)) throw e;
      throw d1Error('D1_ERROR', sqliteMessage(e));
    }
  }

  #statement(sql: string): StatementSync {
    let stmt = this.#statements.get(sql);
    if (!stmt) {
      stmt = this.#db.prepare(sql);
      stmt.setReturnArrays(true);
      if (this.#statements.size >= 500) this.#statements.delete(this.#statements.keys().next().value!);
      this.#statements.set(sql, stmt);
    }
    return stmt;
  }
}

class SqliteD1Statement implements D1PreparedStatement {
  constructor(
    readonly database: SqliteD1Database,
    readonly statement: string,
    readonly params: SqlValue[],
  ) {}

  bind(...values: unknown[]): D1PreparedStatement {
    return new SqliteD1Statement(this.database, this.statement, values.map(toSqlValue));
  }

  first<T = unknown>(colName: string): Promise<T | null>;
  first<T = Record<string, unknown>>(): Promise<T | null>;
  async first<T>(colName?: string): Promise<T | null> {
    const { columns, rows } = this.database.query(this.statement, this.params);
    const [first] = rowsToObjects(columns, rows.slice(0, 1));
    if (!first) return null;
    if (colName === undefined) return first as T;
    if (first[colName] === undefined) throw d1Error('D1_COLUMN_NOTFOUND', `Column not found (${colName})`);
    return first[colName] as T;
  }

  async run<T = Record<string, unknown>>(): Promise<D1Result<T>> {
    return this.all<T>();
  }

  async all<T = Record<string, unknown>>(): Promise<D1Result<T>> {
    const { columns, rows, meta } = this.database.query(this.statement, this.params);
    return { success: true, meta, results: rowsToObjects(columns, rows) as T[] };
  }

  raw<T = unknown[]>(options: { columnNames: true }): Promise<[string[], ...T[]]>;
  raw<T = unknown[]>(options?: { columnNames?: false }): Promise<T[]>;
  async raw<T>(options?: { columnNames?: boolean }): Promise<unknown[]> {
    const { columns, rows } = this.database.query(this.statement, this.params);
    return [...(options?.columnNames ? [columns] : []), ...(rows as T[])];
  }
}
