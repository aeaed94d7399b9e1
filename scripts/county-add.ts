/**
 * `npm run county:add -- --slug … --name … --region-code … [--name-en …] [--timezone …] [--remote]`
 *
 * Onboards a county (DESIGN.md §2): adds it to counties.json, regenerates wrangler.toml, creates
 * its D1 database (on Cloudflare with --remote; locally D1 appears on first use), migrates it and
 * registers it in the control database. Every step checks before it acts, so a re-run after a
 * failure (or of a finished onboarding) picks up where it stopped and changes nothing twice.
 */

import { countiesFileFrom, dataDirFrom } from '../runtime/node/layout.ts';
import { flags } from './lib/args.ts';
import {
  bindingForSlug,
  CONTROL_DATABASE,
  COUNTIES_FILE,
  type County,
  countyProblems,
  DEFAULT_TIMEZONE,
  databaseNameForSlug,
  isPlaceholderId,
  nextPlaceholderId,
  readCounties,
  remoteProblems,
  syncWranglerToml,
  writeCounties,
} from './lib/counties.ts';
import { openLocalPlatform } from './lib/local.ts';
import { migrateLocal, migrateRemote, schemaVersionSql } from './lib/migrate.ts';
import { appliedMigrations, COUNTY_MIGRATIONS, readMigrations } from './lib/migrations.ts';
import { sqlString, sqlValue } from './lib/sql.ts';
import { failureSummary, runWrangler } from './lib/wrangler.ts';

const USAGE = `Usage: npm run county:add -- --slug <slug> --name <name> --region-code <code>
                           [--name-en <English name>] [--timezone <IANA zone>] [--remote | --self-hosted]

  --slug          URL name of the county, ^[a-z][a-z0-9-]{1,38}$ (e.g. changxing)
  --name          Chinese name (e.g. 长兴县)
  --region-code   six-digit 行政区划代码 (e.g. 330522)
  --name-en       English name (e.g. "Changxing County")
  --timezone      default ${DEFAULT_TIMEZONE}
  --remote        create, migrate and register on Cloudflare (otherwise: local databases)
  --self-hosted   create, migrate and register the county's SQLite file under DATA_DIR (default
                  ./data) for the Node runtime; COUNTIES_FILE names the county list (default
                  counties.json). A running server picks the county up without a restart.`;

const args = flags(
  {
    slug: { type: 'string' },
    name: { type: 'string' },
    'region-code': { type: 'string' },
    'name-en': { type: 'string' },
    timezone: { type: 'string' },
    remote: { type: 'boolean' },
    'self-hosted': { type: 'boolean' },
  },
  USAGE,
);

function fail(message: string): never {
  console.error(`county:add: ${message}`);
  process.exit(1);
}

if (!args.slug || !args.name || !args['region-code'])
  fail(`--slug, --name and --region-code are required.\n\n${USAGE}`);
const remote = args.remote === true;
const selfHosted = args['self-hosted'] === true;
if (remote && selfHosted) fail('--remote and --self-hosted exclude each other');
// The self-hosted county list may be the deployment's own (COUNTIES_FILE); wrangler.toml is
// generated from the repository's list only.
const countiesFile = selfHosted ? countiesFileFrom() : COUNTIES_FILE;
const syncsWrangler = countiesFile === COUNTIES_FILE;
const wanted = {
  slug: args.slug,
  name: args.name.trim(),
  nameEn: args['name-en']?.trim() || undefined,
  regionCode: args['region-code'],
  timezone: args.timezone ?? DEFAULT_TIMEZONE,
};

// 1. counties.json and wrangler.toml
let counties = readCounties(countiesFile);
let county = counties.find((k) => k.slug === wanted.slug);
if (county) {
  const differs = (['name', 'regionCode', 'nameEn'] as const).filter(
    (f) => wanted[f] !== undefined && wanted[f] !== county?.[f],
  );
  if ((county.timezone ?? DEFAULT_TIMEZONE) !== wanted.timezone) differs.push('timezone' as never);
  if (differs.length > 0) {
    fail(
      `"${wanted.slug}" is already in counties.json with another ${differs.join(', ')}; edit counties.json by hand to change it.`,
    );
  }
  console.log(`✓ ${wanted.slug} is already in counties.json`);
} else {
  county = {
    slug: wanted.slug,
    name: wanted.name,
    ...(wanted.nameEn ? { nameEn: wanted.nameEn } : {}),
    regionCode: wanted.regionCode,
    ...(wanted.timezone !== DEFAULT_TIMEZONE ? { timezone: wanted.timezone } : {}),
    binding: bindingForSlug(wanted.slug),
    databaseName: databaseNameForSlug(wanted.slug),
    databaseId: nextPlaceholderId(counties),
  };
  const problems = countyProblems(county, counties);
  if (problems.length > 0) fail(problems.join('\n  '));
  counties = [...counties, county];
  writeCounties(counties, countiesFile);
  console.log(`✓ added ${county.slug} to ${countiesFile} (binding ${county.binding})`);
}
if (syncsWrangler && syncWranglerToml(counties)) console.log('✓ regenerated wrangler.toml');

// 2. the database
if (remote) {
  const problems = remoteProblems([]);
  if (problems.length > 0) fail(problems.join('\n  '));
}
if (remote && isPlaceholderId(county.databaseId)) {
  const id = await createRemoteDatabase(county.databaseName);
  county = { ...county, databaseId: id };
  counties = counties.map((k) => (k.slug === county?.slug ? (county as County) : k));
  writeCounties(counties);
  syncWranglerToml(counties);
  console.log(`✓ database ${county.databaseName} is ${id} (written to counties.json and wrangler.toml)`);
} else if (remote) {
  console.log(`✓ database ${county.databaseName} exists (${county.databaseId})`);
}

// 3. migrations and 4. registration in the control database
const c = county;
/** Inserts the county unless its row exists (then only its schema version is brought up to date). */
const register = (version: string) => [
  'INSERT INTO counties (slug, name, name_en, region_code, binding, timezone, schema_version) VALUES (' +
    [c.slug, c.name, c.nameEn, c.regionCode, c.binding, wanted.timezone, version].map(sqlValue).join(', ') +
    ') ON CONFLICT (slug) DO NOTHING',
  // Written only when the row above was inserted; the app's next seal chains it into the log.
  "INSERT INTO audit_log (at, actor_user_id, action, target_type, target_id, detail) SELECT strftime('%Y-%m-%dT%H:%M:%fZ','now'), NULL, 'county.register', 'county', " +
    `${sqlString(c.slug)}, ${sqlString(JSON.stringify({ via: 'county:add', regionCode: c.regionCode }))} WHERE changes() = 1`,
  schemaVersionSql(c.slug, version),
];

if (remote) {
  if (!(await migrateRemote([c]))) process.exit(1);
  const version = readMigrations(COUNTY_MIGRATIONS).at(-1)?.name;
  if (!version) fail('migrations/county has no migrations');
  const existing = await runWrangler([
    'd1',
    'execute',
    CONTROL_DATABASE,
    '--remote',
    '--json',
    '--command',
    `SELECT region_code AS regionCode, binding FROM counties WHERE slug = ${sqlString(c.slug)}`,
  ]);
  if (existing.code !== 0) fail(`could not read ${CONTROL_DATABASE}:\n    ${failureSummary(existing)}`);
  const known = checkExisting(parseRows(existing.stdout)[0]);
  const result = await runWrangler([
    'd1',
    'execute',
    CONTROL_DATABASE,
    '--remote',
    '--yes',
    '--command',
    register(version).join('; '),
  ]);
  if (result.code !== 0)
    fail(`could not register ${c.slug} in ${CONTROL_DATABASE}:\n    ${failureSummary(result)}`);
  if (!known) console.log(`✓ registered ${c.slug} in ${CONTROL_DATABASE} (Cloudflare)`);
} else {
  const platform = selfHosted
    ? (await import('../runtime/node/platform.ts')).openSelfHostedPlatform({
        dataDir: dataDirFrom(),
        countiesFile,
      })
    : await openLocalPlatform();
  try {
    if (!(await migrateLocal(platform, [c]))) process.exit(1);
    const version = (await appliedMigrations(platform.database(c.binding))).at(-1);
    if (!version) fail('migrations/county has no migrations');
    const existing = await platform.control
      .prepare('SELECT region_code AS regionCode, binding FROM counties WHERE slug = ?')
      .bind(c.slug)
      .first<ExistingRow>();
    const known = checkExisting(existing ?? undefined);
    try {
      await platform.control.batch(register(version).map((s) => platform.control.prepare(s)));
    } catch (err) {
      fail(`could not register ${c.slug}: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (!known)
      console.log(
        `✓ registered ${c.slug} in the ${selfHosted ? 'self-hosted' : 'local'} ${CONTROL_DATABASE}`,
      );
  } finally {
    await platform.dispose();
  }
}

if (selfHosted) {
  console.log(`
${county.name} (${county.slug}) is onboarded on this self-hosted deployment (${dataDirFrom()}). Next:
  1. a running server serves it from its next request for the county (no restart, no deploy)
  2. create the county's first users: as platform operator, POST /api/v1/counties/${county.slug}/users (a bureau_admin)`);
} else {
  console.log(`
${county.name} (${county.slug}) is onboarded${remote ? ' on Cloudflare' : ' locally'}. Next:
  1. commit counties.json and wrangler.toml (the new binding ${county.binding})
  2. ${remote ? 'deploy the Worker so it gets the binding: npx wrangler deploy (see README "Deploying")' : 'wrangler dev reloads wrangler.toml by itself (else restart npm start)'}
  3. create the county's first users: as platform operator, POST /api/v1/counties/${county.slug}/users (a bureau_admin)${
    remote
      ? ''
      : `\n  4. on Cloudflare: npm run county:add -- ${shellArgs(['--slug', c.slug, '--name', c.name, '--region-code', c.regionCode, ...(c.nameEn ? ['--name-en', c.nameEn] : []), ...(c.timezone ? ['--timezone', c.timezone] : []), '--remote'])}`
  }`);
}

type ExistingRow = { regionCode: string; binding: string };

/** A registered county with the same slug must be this county, not another one. */
function checkExisting(row: ExistingRow | undefined): boolean {
  if (row && (row.regionCode !== c.regionCode || row.binding !== c.binding)) {
    fail(
      `the control database already has ${c.slug} with region code ${row.regionCode} and binding ${row.binding}.`,
    );
  }
  if (row) console.log(`✓ ${c.slug} is registered already`);
  return row !== undefined;
}

/** The rows of `wrangler d1 execute --json` (an array of results, one per statement). */
function parseRows(stdout: string): ExistingRow[] {
  const json = stdout.slice(stdout.indexOf('['));
  const parsed = JSON.parse(json) as { results?: ExistingRow[] }[];
  return parsed[0]?.results ?? [];
}

/** `wrangler d1 create`, or the id of the database when it exists already (a re-run). */
async function createRemoteDatabase(name: string): Promise<string> {
  const created = await runWrangler(['d1', 'create', name]);
  const text = `${created.stdout}\n${created.stderr}`;
  const id = text.match(/database_id["']?\s*[:=]\s*["']([0-9a-f-]{36})["']/)?.[1];
  if (created.code === 0 && id) return id;
  if (/already exists/i.test(text)) {
    const info = await runWrangler(['d1', 'info', name, '--json']);
    const uuid = info.stdout.match(/"uuid"\s*:\s*"([0-9a-f-]{36})"/)?.[1];
    if (info.code === 0 && uuid) return uuid;
    fail(`${name} exists on Cloudflare but its id could not be read:\n    ${failureSummary(info)}`);
  }
  fail(`wrangler d1 create ${name} failed:\n    ${failureSummary(created)}`);
}

/** Arguments quoted for a POSIX shell where needed. */
function shellArgs(args: string[]): string {
  return args.map((a) => (/^[\w@%+=:,./-]+$/u.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`)).join(' ');
}
