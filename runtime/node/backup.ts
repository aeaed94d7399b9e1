/**
 * Backups of a self-hosted DATA_DIR (docs/self-hosting.zh.md "备份与恢复").
 *
 * `backupDataDir` copies every database with SQLite's online backup API (node:sqlite `backup`),
 * page by page from a consistent snapshot, while the server keeps serving; then the evidence
 * files (each written once under its own name, so a copy after the index snapshot has every
 * file the index names). It writes `manifest.json` last: a backup without one is incomplete.
 *
 * `restoreDataDir` checks each file of a backup (PRAGMA integrity_check, the manifest's
 * SHA-256) before it touches anything, refuses while a server runs on the target, then puts the
 * files in place (the old -wal and -shm files removed, so SQLite cannot replay them onto the
 * restored file). Secrets are not in a backup: they are kept apart (ADR 0900).
 */
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { backup, DatabaseSync } from 'node:sqlite';
import { BACKUPS_DIR, CONTROL_FILE, COUNTIES_DIR, EVIDENCE_DIR } from './layout.ts';

export const MANIFEST = 'manifest.json';
export const PID_FILE = 'server.pid';

export type Manifest = {
  createdAt: string;
  /** Relative path → size and SHA-256 of every database file in the backup. */
  databases: Record<string, { bytes: number; sha256: string; migrations: string[] }>;
  evidenceFiles: number;
};

/** The database files of a DATA_DIR, relative: control, counties/…, evidence/index.sqlite. */
export function databaseFiles(dataDir: string): string[] {
  const out: string[] = [];
  if (existsSync(join(dataDir, CONTROL_FILE))) out.push(CONTROL_FILE);
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (e.isFile() && e.name.endsWith('.sqlite'))
        out.push(relative(dataDir, path).split(sep).join('/'));
    }
  };
  walk(join(dataDir, COUNTIES_DIR));
  if (existsSync(join(dataDir, EVIDENCE_DIR, 'index.sqlite'))) out.push(`${EVIDENCE_DIR}/index.sqlite`);
  return out;
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

function migrationsOf(file: string): string[] {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    const has = db
      .prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'd1_migrations'")
      .get();
    return has
      ? (db.prepare('SELECT name FROM d1_migrations ORDER BY id').all() as { name: string }[]).map(
          (r) => r.name,
        )
      : [];
  } finally {
    db.close();
  }
}

/** A stamp for a backup directory: 2026-12-07T083000Z. */
export const backupStamp = (d = new Date()) =>
  d
    .toISOString()
    .replace(/[:]/g, '')
    .replace(/\.\d+Z$/, 'Z');

export const defaultBackupDir = (dataDir: string) => join(dataDir, BACKUPS_DIR, backupStamp());

/** Online backup of every database and the evidence files into `outDir` (which must not exist). */
export async function backupDataDir(
  dataDir: string,
  outDir: string,
  log: (line: string) => void = () => {},
): Promise<Manifest> {
  if (existsSync(outDir)) throw new Error(`${outDir} exists already: a backup goes into a new directory`);
  const partial = `${outDir}.partial`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true, mode: 0o700 });
  const manifest: Manifest = { createdAt: new Date().toISOString(), databases: {}, evidenceFiles: 0 };
  for (const rel of databaseFiles(dataDir)) {
    const target = join(partial, rel);
    mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
    const source = new DatabaseSync(join(dataDir, rel), { readOnly: true, timeout: 5_000 });
    try {
      // The whole file in one step: a consistent snapshot, even while the server writes.
      await backup(source, target, { rate: -1 });
    } finally {
      source.close();
    }
    // The copy is a standalone file: no WAL beside it.
    const copy = new DatabaseSync(target);
    copy.exec('PRAGMA journal_mode = DELETE');
    copy.close();
    manifest.databases[rel] = {
      bytes: statSync(target).size,
      sha256: sha256(target),
      migrations: migrationsOf(target),
    };
    log(`  ✓ ${rel} (${manifest.databases[rel].bytes} bytes)`);
  }
  const objects = join(dataDir, EVIDENCE_DIR, 'objects');
  if (existsSync(objects)) {
    cpSync(objects, join(partial, EVIDENCE_DIR, 'objects'), {
      recursive: true,
      filter: (src) => !src.endsWith('.tmp'),
    });
    const count = (d: string): number =>
      readdirSync(d, { withFileTypes: true }).reduce(
        (n, e) => n + (e.isDirectory() ? count(join(d, e.name)) : 1),
        0,
      );
    manifest.evidenceFiles = count(join(partial, EVIDENCE_DIR, 'objects'));
    log(`  ✓ evidence (${manifest.evidenceFiles} files)`);
  }
  writeFileSync(join(partial, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
  renameSync(partial, outDir);
  return manifest;
}

/** Problems with a backup directory; empty when every file is whole and matches the manifest. */
export function checkBackup(backupDir: string): string[] {
  const manifestFile = join(backupDir, MANIFEST);
  if (!existsSync(manifestFile)) return [`${backupDir} has no ${MANIFEST}: not a complete backup`];
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest;
  const problems: string[] = [];
  for (const [rel, want] of Object.entries(manifest.databases)) {
    const file = join(backupDir, rel);
    if (!existsSync(file)) {
      problems.push(`${rel}: missing`);
      continue;
    }
    if (sha256(file) !== want.sha256) problems.push(`${rel}: SHA-256 differs from the manifest`);
    const db = new DatabaseSync(file, { readOnly: true });
    try {
      const rows = db.prepare('PRAGMA integrity_check').all() as { integrity_check: string }[];
      if (rows.length !== 1 || rows[0]!.integrity_check !== 'ok')
        problems.push(`${rel}: integrity_check failed`);
    } finally {
      db.close();
    }
  }
  return problems;
}

/** The pid of a server running on `dataDir`, if any (serve.ts writes it). */
export function runningServer(dataDir: string): number | null {
  const file = join(dataDir, PID_FILE);
  if (!existsSync(file)) return null;
  const pid = Number(readFileSync(file, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return null;
  }
}

/** Puts a checked backup in place of `dataDir`'s databases and evidence files. */
export function restoreDataDir(
  backupDir: string,
  dataDir: string,
  log: (line: string) => void = () => {},
): Manifest {
  const problems = checkBackup(backupDir);
  if (problems.length > 0) throw new Error(`the backup is not usable:\n  ${problems.join('\n  ')}`);
  const pid = runningServer(dataDir);
  if (pid !== null)
    throw new Error(`a server (pid ${pid}) runs on ${dataDir}: stop it first (systemctl stop bangjiao)`);
  const manifest = JSON.parse(readFileSync(join(backupDir, MANIFEST), 'utf8')) as Manifest;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  for (const rel of Object.keys(manifest.databases)) {
    const target = join(dataDir, rel);
    mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
    for (const suffix of ['-wal', '-shm', '-journal']) rmSync(`${target}${suffix}`, { force: true });
    const temp = `${target}.restore`;
    cpSync(join(backupDir, rel), temp);
    renameSync(temp, target);
    log(`  ✓ ${rel}`);
  }
  const objects = join(backupDir, EVIDENCE_DIR, 'objects');
  const targetObjects = join(dataDir, EVIDENCE_DIR, 'objects');
  rmSync(targetObjects, { recursive: true, force: true });
  if (existsSync(objects)) cpSync(objects, targetObjects, { recursive: true });
  else mkdirSync(targetObjects, { recursive: true });
  log(`  ✓ evidence (${manifest.evidenceFiles} files)`);
  return manifest;
}
