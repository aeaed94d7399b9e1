/**
 * `npm run db:export -- --out <dir> [--remote]`: a SQL dump of the control database and of every
 * county database of counties.json (`wrangler d1 export`, one file per database), for backups
 * beyond D1 Time Travel's window and for moving a county. See docs/operations.md.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { flags } from './lib/args.ts';
import { CONTROL_DATABASE, readCounties } from './lib/counties.ts';
import { failureSummary, runWrangler } from './lib/wrangler.ts';

const USAGE = `Usage: npm run db:export -- --out <dir> [--remote]

Writes <dir>/<database>.sql for the control database and every county database.
  --out dir   an empty or new directory (dumps hold personal data: keep them access-controlled)
  --remote    the databases on Cloudflare (otherwise the local ones of wrangler dev)`;

const args = flags({ out: { type: 'string' }, remote: { type: 'boolean' } }, USAGE);
if (!args.out) {
  console.error(`--out is required\n\n${USAGE}`);
  process.exit(2);
}
const out = resolve(args.out);
if (existsSync(out) && readdirSync(out).length > 0) {
  console.error(`${out} is not empty: choose a new directory per backup.`);
  process.exit(2);
}
mkdirSync(out, { recursive: true, mode: 0o700 });

const databases = [CONTROL_DATABASE, ...readCounties().map((k) => k.databaseName)];
let failed = 0;
for (const name of databases) {
  const file = `${out}/${name}.sql`;
  const result = await runWrangler([
    'd1',
    'export',
    name,
    args.remote ? '--remote' : '--local',
    '--output',
    file,
  ]);
  if (result.code === 0) {
    console.log(`  ✓ ${name.padEnd(32)} ${file}`);
  } else {
    failed++;
    console.log(`  ✗ ${name.padEnd(32)} FAILED\n    ${failureSummary(result)}`);
  }
}
if (failed > 0) {
  console.error(`${failed} of ${databases.length} exports failed; the others are in ${out}.`);
  process.exit(1);
}
console.log(`${databases.length} databases exported to ${out}`);
