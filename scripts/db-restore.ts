/**
 * `npm run db:restore -- --self-hosted --from DIR [--check]`: checks a backup made by db:backup
 * (every database's integrity and SHA-256 against its manifest) and, unless --check, puts it in
 * place of DATA_DIR's databases and evidence files. Refuses while a server runs on DATA_DIR.
 * Afterwards start the server (it migrates if the backup is older than the code) and verify the
 * audit chains: GET /api/v1/counties/<county>/audit/verify. See docs/self-hosting.zh.md.
 */
import { checkBackup, restoreDataDir } from '../runtime/node/backup.ts';
import { dataDirFrom } from '../runtime/node/layout.ts';
import { flags } from './lib/args.ts';

const USAGE = `Usage: npm run db:restore -- --self-hosted --from DIR [--check]

  --self-hosted   restore into DATA_DIR (default ./data) of the Node runtime (server stopped)
  --from DIR      a backup directory written by npm run db:backup -- --self-hosted
  --check         only check the backup; change nothing`;

const args = flags(
  { 'self-hosted': { type: 'boolean' }, from: { type: 'string' }, check: { type: 'boolean' } },
  USAGE,
);
if (!args['self-hosted'] || !args.from) {
  console.error(USAGE);
  process.exit(2);
}
try {
  if (args.check) {
    const problems = checkBackup(args.from);
    if (problems.length > 0) throw new Error(`the backup is not usable:\n  ${problems.join('\n  ')}`);
    console.log(`${args.from}: every database is whole and matches the manifest.`);
  } else {
    const dataDir = dataDirFrom();
    console.log(`Restoring ${args.from} into ${dataDir}:`);
    restoreDataDir(args.from, dataDir, console.log);
    console.log('Restored. Start the server, then check GET /api/v1/counties/<county>/audit/verify.');
  }
} catch (err) {
  console.error(`db:restore: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
