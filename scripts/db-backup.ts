/**
 * `npm run db:backup -- --self-hosted [--out DIR]`: an online backup of a self-hosted DATA_DIR
 * (every SQLite database through SQLite's backup API, then the evidence files) into a new dated
 * directory, by default DATA_DIR/backups/<UTC stamp>; the server keeps serving meanwhile.
 * Prints the manifest's summary; exits non-zero on any failure. See docs/self-hosting.zh.md.
 */
import { backupDataDir, checkBackup, defaultBackupDir } from '../runtime/node/backup.ts';
import { dataDirFrom } from '../runtime/node/layout.ts';
import { flags } from './lib/args.ts';

const USAGE = `Usage: npm run db:backup -- --self-hosted [--out DIR]

  --self-hosted   back up DATA_DIR (default ./data) of the Node runtime
  --out DIR       a new directory (default DATA_DIR/backups/<UTC stamp>)

On Cloudflare, D1 keeps its own point-in-time history (wrangler d1 time-travel) and
npm run db:export writes SQL dumps.`;

const args = flags({ 'self-hosted': { type: 'boolean' }, out: { type: 'string' } }, USAGE);
if (!args['self-hosted']) {
  console.error(USAGE);
  process.exit(2);
}
const dataDir = dataDirFrom();
const out = args.out ?? defaultBackupDir(dataDir);
try {
  console.log(`Backing up ${dataDir} into ${out}:`);
  const manifest = await backupDataDir(dataDir, out, console.log);
  const problems = checkBackup(out);
  if (problems.length > 0) throw new Error(`the new backup does not check out:\n  ${problems.join('\n  ')}`);
  console.log(
    `Done: ${Object.keys(manifest.databases).length} databases, ${manifest.evidenceFiles} evidence files, checked.`,
  );
} catch (err) {
  console.error(`db:backup: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
