/**
 * Migrating the control database and the county databases, locally (in-process, through the
 * platform proxy) or on Cloudflare (`wrangler d1 migrations apply --remote`, one per database).
 * One line per database; the first failure stops the run, and the next run resumes there.
 */
import { CONTROL_DATABASE, type County } from './counties.ts';
import type { LocalPlatform } from './local.ts';
import {
  appliedMigrations,
  applyMigrations,
  CONTROL_MIGRATIONS,
  COUNTY_MIGRATIONS,
  MigrationFailed,
  readMigrations,
} from './migrations.ts';
import { sqlString } from './sql.ts';
import { failureSummary, runWrangler } from './wrangler.ts';

export type DatabaseOutcome = { database: string; applied: string[]; version: string | null; error?: string };

const last = <T>(xs: readonly T[]): T | null => (xs.length > 0 ? xs[xs.length - 1]! : null);

export function formatOutcome(o: DatabaseOutcome): string {
  const name = o.database.padEnd(32);
  const count = `${o.applied.length} applied`.padEnd(11);
  if (o.error) return `  ✗ ${name} ${count} FAILED ${o.error}`;
  const status = o.applied.length > 0 ? 'migrated' : 'up to date';
  return `  ✓ ${name} ${count} ${status}${o.version ? `, at ${o.version}` : ''}`;
}

const STOPPED =
  'Stopped at the first failure. Migrations applied before it are kept: fix the cause, then run the same command again to continue.';

/** SQL that records a county's schema version in the control database (no-op without its row). */
export const schemaVersionSql = (slug: string, version: string) =>
  `UPDATE counties SET schema_version = ${sqlString(version)}, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') ` +
  `WHERE slug = ${sqlString(slug)} AND schema_version IS NOT ${sqlString(version)}`;

/** Writes each county's last applied migration into `counties.schema_version` (local). */
export async function recordSchemaVersionsLocal(platform: LocalPlatform, counties: readonly County[]) {
  for (const county of counties) {
    const version = last(await appliedMigrations(platform.database(county.binding)));
    if (version) await platform.control.prepare(schemaVersionSql(county.slug, version)).run();
  }
}

/** Migrates locally; returns false (after printing why) when a migration failed. */
export async function migrateLocal(
  platform: LocalPlatform,
  counties: readonly County[],
  log: (line: string) => void = console.log,
): Promise<boolean> {
  const targets = [
    { database: CONTROL_DATABASE, db: platform.control, migrations: readMigrations(CONTROL_MIGRATIONS) },
    ...counties.map((county) => ({
      database: county.databaseName,
      county,
      db: platform.database(county.binding),
      migrations: readMigrations(COUNTY_MIGRATIONS),
    })),
  ];
  for (const t of targets) {
    try {
      const applied = await applyMigrations(t.db, t.migrations);
      const version = last(await appliedMigrations(t.db));
      if ('county' in t && t.county && version) {
        await platform.control.prepare(schemaVersionSql(t.county.slug, version)).run();
      }
      log(formatOutcome({ database: t.database, applied, version }));
    } catch (err) {
      const applied = err instanceof MigrationFailed ? err.applied : [];
      const error = err instanceof Error ? err.message : String(err);
      log(formatOutcome({ database: t.database, applied, version: last(applied), error }));
      log(STOPPED);
      return false;
    }
  }
  return true;
}

/** Which migrations a `wrangler d1 migrations apply` run reports as applied (✅) or failed (❌). */
export function parseApplyOutput(output: string, names: readonly string[]) {
  const applied = new Set<string>();
  let failed: string | null = null;
  for (const line of output.split('\n')) {
    const name = names.find((n) => line.includes(n));
    if (!name) continue;
    if (line.includes('✅')) applied.add(name);
    if (line.includes('❌')) failed = name;
  }
  return { applied: names.filter((n) => applied.has(n)), failed };
}

/** Migrates the databases on Cloudflare; returns false (after printing why) on a failure. */
export async function migrateRemote(
  counties: readonly County[],
  log: (line: string) => void = console.log,
): Promise<boolean> {
  const targets = [
    { database: CONTROL_DATABASE, names: readMigrations(CONTROL_MIGRATIONS).map((m) => m.name) },
    ...counties.map((county) => ({
      database: county.databaseName,
      county,
      names: readMigrations(COUNTY_MIGRATIONS).map((m) => m.name),
    })),
  ];
  const versions: string[] = [];
  let ok = true;
  for (const t of targets) {
    const result = await runWrangler(['d1', 'migrations', 'apply', t.database, '--remote']);
    const { applied, failed } = parseApplyOutput(result.stdout, t.names);
    if (result.code !== 0) {
      const where = failed ?? 'wrangler';
      log(
        formatOutcome({
          database: t.database,
          applied,
          version: last(applied),
          error: `${where}:\n    ${failureSummary(result)}`,
        }),
      );
      ok = false;
      break;
    }
    const version = last(t.names);
    if ('county' in t && t.county && version) versions.push(schemaVersionSql(t.county.slug, version));
    log(formatOutcome({ database: t.database, applied, version }));
  }
  if (versions.length > 0) {
    // One call for every county migrated in this run (statements separated by `;`).
    const result = await runWrangler([
      'd1',
      'execute',
      CONTROL_DATABASE,
      '--remote',
      '--yes',
      '--command',
      versions.join('; '),
    ]);
    if (result.code !== 0) {
      log(`  ✗ could not record schema versions in ${CONTROL_DATABASE}:\n    ${failureSummary(result)}`);
      ok = false;
    }
  }
  if (!ok) log(STOPPED);
  return ok;
}
