/**
 * `npm run db:migrate [-- --remote]`: applies migrations/control to the control database and
 * migrations/county to every county database of counties.json. Locally it works in one process
 * on `.wrangler/state` (what `wrangler dev` uses); with --remote it runs
 * `wrangler d1 migrations apply <database> --remote` per database.
 */
import { countiesFileFrom, dataDirFrom } from '../runtime/node/layout.ts';
import { flags } from './lib/args.ts';
import { readCounties, remoteProblems, wranglerTomlIsCurrent } from './lib/counties.ts';
import { openLocalPlatform } from './lib/local.ts';
import { migrateLocal, migrateRemote } from './lib/migrate.ts';
import { DEV_STATE } from './lib/paths.ts';

const USAGE = `Usage: npm run db:migrate [-- --remote | --self-hosted] [-- --persist-to <dir>]

Migrates the control database and every county database of counties.json.
  --remote           the databases on Cloudflare (needs wrangler login or CLOUDFLARE_API_TOKEN)
  --self-hosted      the SQLite files of the Node runtime under DATA_DIR (default ./data), for
                     the counties of COUNTIES_FILE (default counties.json)
  --persist-to dir   local state directory (default .wrangler/state, as wrangler dev)`;

const args = flags(
  { remote: { type: 'boolean' }, 'self-hosted': { type: 'boolean' }, 'persist-to': { type: 'string' } },
  USAGE,
);

if (args['self-hosted']) {
  if (args.remote) {
    console.error('--remote and --self-hosted exclude each other');
    process.exit(2);
  }
  const dataDir = dataDirFrom();
  const platform = (await import('../runtime/node/platform.ts')).openSelfHostedPlatform({
    dataDir,
    countiesFile: countiesFileFrom(),
  });
  let done = false;
  try {
    console.log(`Migrating ${platform.counties().length + 1} self-hosted databases (${dataDir}):`);
    done = await migrateLocal(platform, platform.counties());
  } finally {
    await platform.dispose();
  }
  process.exit(done ? 0 : 1);
}

const counties = readCounties();
if (!wranglerTomlIsCurrent(counties)) {
  console.error('wrangler.toml is out of date with counties.json: run `npm run counties` first.');
  process.exit(1);
}

let ok: boolean;
if (args.remote) {
  const problems = remoteProblems(counties);
  if (problems.length > 0) {
    console.error(`Cannot migrate on Cloudflare yet:\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  console.log(`Migrating ${counties.length + 1} databases on Cloudflare:`);
  ok = await migrateRemote(counties);
} else {
  const stateDir = args['persist-to'] ?? DEV_STATE;
  console.log(`Migrating ${counties.length + 1} local databases (${stateDir}):`);
  const platform = await openLocalPlatform(stateDir);
  try {
    ok = await migrateLocal(platform, counties);
  } finally {
    await platform.dispose();
  }
}
process.exit(ok ? 0 : 1);
