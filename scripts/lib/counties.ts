/**
 * The county list (counties.json at the repo root) and the block of wrangler.toml generated from
 * it. Bindings are static (DESIGN.md §2): every county in the list gets a `[[d1_databases]]` entry.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { bindingForSlug } from '../../src/db/index.ts';
import { ROOT } from './paths.ts';

export type County = {
  slug: string;
  name: string;
  nameEn?: string;
  regionCode: string;
  /** Written only when not the default (Asia/Shanghai). */
  timezone?: string;
  binding: string;
  databaseName: string;
  /** A placeholder (see `isPlaceholderId`) until `county:add --remote` creates the real database. */
  databaseId: string;
  /**
   * Self-hosted only: the county's SQLite file, relative to DATA_DIR (default
   * `counties/<databaseName>.sqlite`). Workers ignore it; wrangler.toml never carries it.
   */
  sqliteFile?: string;
};

export const COUNTIES_FILE = `${ROOT}/counties.json`;
export const WRANGLER_FILE = `${ROOT}/wrangler.toml`;
export const CONTROL_DATABASE = 'bangjiao-control';
export const CONTROL_BINDING = 'CONTROL_DB';
export const DEFAULT_TIMEZONE = 'Asia/Shanghai';

export const SLUG_PATTERN = /^[a-z][a-z0-9-]{1,38}$/;
export const REGION_CODE_PATTERN = /^[0-9]{6}$/;
const DATABASE_NAME_PATTERN = /^bangjiao-[a-z0-9-]{1,54}$/;
/** Relative, no `..` segment, ending in .sqlite. */
const SQLITE_FILE_PATTERN = /^(?!\/)(?!.*(?:^|\/)\.\.(?:\/|$))[\w./-]+\.sqlite$/;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const PLACEHOLDER_PREFIX = '00000000-0000-4000-8000-';

const BEGIN = '# BEGIN generated county databases (scripts/counties.ts; edit counties.json instead)';
const BEGIN_PREFIX = '# BEGIN generated county databases';
const END = '# END generated county databases';

export { bindingForSlug };
export const databaseNameForSlug = (slug: string) => `bangjiao-county-${slug}`;

/** Local ids stand in for real ones until the database exists on Cloudflare. */
export const isPlaceholderId = (id: string) => id.startsWith(PLACEHOLDER_PREFIX);

export function nextPlaceholderId(counties: readonly County[]): string {
  const used = counties
    .filter((k) => isPlaceholderId(k.databaseId))
    .map((k) => Number.parseInt(k.databaseId.slice(PLACEHOLDER_PREFIX.length), 16));
  const next = Math.max(0, ...used) + 1;
  return `${PLACEHOLDER_PREFIX}${next.toString(16).padStart(12, '0')}`;
}

/** Problems with one county entry, given the others; empty when valid. */
export function countyProblems(county: County, others: readonly County[]): string[] {
  const problems: string[] = [];
  if (!SLUG_PATTERN.test(county.slug))
    problems.push(`slug "${county.slug}" must match ${SLUG_PATTERN.source} (lower-case letters, digits, -)`);
  if (!county.name?.trim()) problems.push(`${county.slug}: name is required`);
  if (!REGION_CODE_PATTERN.test(county.regionCode))
    problems.push(`${county.slug}: region code "${county.regionCode}" must be six digits (行政区划代码)`);
  if (county.binding !== bindingForSlug(county.slug))
    problems.push(`${county.slug}: binding must be ${bindingForSlug(county.slug)}`);
  // Usually bangjiao-county-<slug>; another name is allowed for a database restored from a dump.
  if (!DATABASE_NAME_PATTERN.test(county.databaseName))
    problems.push(
      `${county.slug}: databaseName "${county.databaseName}" must match ${DATABASE_NAME_PATTERN.source}`,
    );
  if (!UUID_PATTERN.test(county.databaseId))
    problems.push(`${county.slug}: databaseId "${county.databaseId}" is not a UUID`);
  if (county.sqliteFile !== undefined && !SQLITE_FILE_PATTERN.test(county.sqliteFile))
    problems.push(
      `${county.slug}: sqliteFile "${county.sqliteFile}" must be a relative path inside DATA_DIR ending in .sqlite`,
    );
  if (county.timezone !== undefined && !isTimeZone(county.timezone))
    problems.push(`${county.slug}: unknown timezone "${county.timezone}"`);
  for (const other of others) {
    if (other.slug === county.slug) problems.push(`slug "${county.slug}" is already taken`);
    else if (other.regionCode === county.regionCode)
      problems.push(`region code ${county.regionCode} is already used by "${other.slug}"`);
    else if (other.databaseName === county.databaseName)
      problems.push(`database ${county.databaseName} is already used by "${other.slug}"`);
    else if (other.databaseId === county.databaseId)
      problems.push(`database id ${county.databaseId} is already used by "${other.slug}"`);
    else if (county.sqliteFile !== undefined && other.sqliteFile === county.sqliteFile)
      problems.push(`sqliteFile ${county.sqliteFile} is already used by "${other.slug}"`);
  }
  return problems;
}

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export function readCounties(file = COUNTIES_FILE): County[] {
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!Array.isArray(parsed)) throw new Error(`${file}: expected a JSON array of counties`);
  const counties = parsed as County[];
  const problems = counties.flatMap((k, i) => countyProblems(k, counties.slice(0, i)));
  if (problems.length > 0) throw new Error(`${file}:\n  ${problems.join('\n  ')}`);
  return counties;
}

export function writeCounties(counties: readonly County[], file = COUNTIES_FILE): void {
  const ordered = counties.map((k) => ({
    slug: k.slug,
    name: k.name,
    ...(k.nameEn ? { nameEn: k.nameEn } : {}),
    regionCode: k.regionCode,
    ...(k.timezone && k.timezone !== DEFAULT_TIMEZONE ? { timezone: k.timezone } : {}),
    binding: k.binding,
    databaseName: k.databaseName,
    databaseId: k.databaseId,
    ...(k.sqliteFile ? { sqliteFile: k.sqliteFile } : {}),
  }));
  writeFileSync(file, `${JSON.stringify(ordered, null, 2)}\n`);
}

/** The generated block, markers included. */
export function renderCountyBlock(counties: readonly County[]): string {
  const entries = counties.map((k) =>
    [
      '[[d1_databases]]',
      `binding = "${k.binding}"`,
      `database_name = "${k.databaseName}"`,
      `database_id = "${k.databaseId}"`,
      'migrations_dir = "migrations/county"',
    ].join('\n'),
  );
  return [BEGIN, entries.join('\n\n'), END].filter((s) => s !== '').join('\n');
}

/** wrangler.toml with its generated block replaced; throws when the markers are missing. */
export function renderWranglerToml(current: string, counties: readonly County[]): string {
  const start = current.indexOf(BEGIN_PREFIX);
  const endMarker = current.indexOf(END, start);
  if (start < 0 || endMarker < 0) {
    throw new Error(`wrangler.toml: missing the "${BEGIN_PREFIX}" … "${END}" markers`);
  }
  return current.slice(0, start) + renderCountyBlock(counties) + current.slice(endMarker + END.length);
}

/** Rewrites wrangler.toml from counties.json; returns whether anything changed. */
export function syncWranglerToml(counties: readonly County[], file = WRANGLER_FILE): boolean {
  const current = readFileSync(file, 'utf8');
  const next = renderWranglerToml(current, counties);
  if (next === current) return false;
  writeFileSync(file, next);
  return true;
}

/** The CONTROL_DB database_id of wrangler.toml (outside the generated block). */
export function controlDatabaseId(file = WRANGLER_FILE): string | null {
  const toml = readFileSync(file, 'utf8');
  const entry = toml
    .split('[[d1_databases]]')
    .find((block) => new RegExp(`^\\s*binding\\s*=\\s*"${CONTROL_BINDING}"`, 'm').test(block));
  return entry?.match(/^\s*database_id\s*=\s*"([^"]+)"/m)?.[1] ?? null;
}

/** Why `--remote` cannot work yet: databases that exist only locally (placeholder ids). */
export function remoteProblems(counties: readonly County[]): string[] {
  const problems: string[] = [];
  const control = controlDatabaseId();
  if (!control || isPlaceholderId(control)) {
    problems.push(
      `${CONTROL_DATABASE} has no Cloudflare id in wrangler.toml: npx wrangler d1 create ${CONTROL_DATABASE}, then set CONTROL_DB's database_id`,
    );
  }
  for (const k of counties.filter((k) => isPlaceholderId(k.databaseId))) {
    problems.push(
      `${k.databaseName} has no Cloudflare database yet: npm run county:add -- --slug ${k.slug} --name ${k.name} --region-code ${k.regionCode} --remote`,
    );
  }
  return problems;
}

export function wranglerTomlIsCurrent(counties: readonly County[], file = WRANGLER_FILE): boolean {
  const current = readFileSync(file, 'utf8');
  return renderWranglerToml(current, counties) === current;
}
