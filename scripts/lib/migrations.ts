/**
 * Applying D1 migrations the way wrangler does, so `wrangler d1 migrations list` agrees: the
 * `*.sql` files of a directory in numeric order, each recorded by file name in `d1_migrations`
 * (id, name, applied_at). Every migration runs as one D1 batch together with its record,
 * so a failed migration leaves nothing half-applied and the next run starts at that migration.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './paths.ts';

export const CONTROL_MIGRATIONS = `${ROOT}/migrations/control`;
export const COUNTY_MIGRATIONS = `${ROOT}/migrations/county`;
export const MIGRATIONS_TABLE = 'd1_migrations';

/** Word for word what wrangler runs before listing or applying migrations. */
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "${MIGRATIONS_TABLE}"(
		id         INTEGER PRIMARY KEY AUTOINCREMENT,
		name       TEXT UNIQUE,
		applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL
);`;

/** drizzle-kit's separator between statements of one migration file. */
const BREAKPOINT = '--> statement-breakpoint';

export type Migration = {
  /** The file name, as wrangler records it (e.g. `0000_init.sql`). */
  name: string;
  sql: string;
};

const leadingNumber = (name: string) => Number.parseInt(name.split('_')[0] ?? '', 10);

/** Wrangler's order: by leading number, then by name. */
function compareNames(a: string, b: string): number {
  const na = leadingNumber(a);
  const nb = leadingNumber(b);
  if (na !== nb && Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  if (Number.isFinite(na) !== Number.isFinite(nb)) return Number.isFinite(na) ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function readMigrations(dir: string): Migration[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.sql'))
    .map((e) => e.name)
    .sort(compareNames)
    .map((name) => ({ name, sql: readFileSync(join(dir, name), 'utf8') }));
}

const isBlank = (sql: string) =>
  sql
    .split('\n')
    .map((l) => l.trim())
    .every((l) => l === '' || l.startsWith('--'));

/**
 * The statements of a migration file: split at drizzle-kit's breakpoints, or, in a hand-written
 * file without them, at every `;` that ends a line (a trigger body then needs breakpoints).
 */
export function splitStatements(sql: string): string[] {
  const parts = sql.includes(BREAKPOINT) ? sql.split(BREAKPOINT) : sql.split(/;[ \t]*(?:\r?\n|$)/);
  return parts.map((s) => s.trim()).filter((s) => !isBlank(s));
}

export class MigrationFailed extends Error {
  constructor(
    readonly migration: string,
    readonly applied: string[],
    cause: unknown,
  ) {
    super(`${migration}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

export async function appliedMigrations(db: D1Database): Promise<string[]> {
  await db.prepare(CREATE_MIGRATIONS_TABLE).run();
  const { results } = await db.prepare(`SELECT name FROM "${MIGRATIONS_TABLE}" ORDER BY id`).all<{
    name: string;
  }>();
  return results.map((r) => r.name);
}

/**
 * Applies the migrations `db` lacks, in order. Returns the names applied; throws `MigrationFailed`
 * at the first failure (the ones before it stay applied).
 */
export async function applyMigrations(db: D1Database, migrations: readonly Migration[]): Promise<string[]> {
  const done = new Set(await appliedMigrations(db));
  const applied: string[] = [];
  for (const m of migrations) {
    if (done.has(m.name)) continue;
    const record = db.prepare(`INSERT INTO "${MIGRATIONS_TABLE}" (name) VALUES (?)`).bind(m.name);
    try {
      // One batch is one transaction: the migration and its record land together or not at all.
      await db.batch([...splitStatements(m.sql).map((s) => db.prepare(s)), record]);
    } catch (err) {
      throw new MigrationFailed(m.name, applied, err);
    }
    applied.push(m.name);
  }
  return applied;
}
