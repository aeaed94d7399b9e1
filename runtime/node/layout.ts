/**
 * Where the self-hosted runtime keeps things under DATA_DIR (ADR 0900):
 *
 *   DATA_DIR/control.sqlite              the control database (and the job queue's table)
 *   DATA_DIR/counties/<database>.sqlite  one file per county (counties.json `sqliteFile` overrides)
 *   DATA_DIR/evidence/                   the EVIDENCE bucket: index.sqlite and objects/
 *   DATA_DIR/secrets.env                 secrets generated in development (or written by an operator)
 *   DATA_DIR/backups/<stamp>/            what `npm run db:backup -- --self-hosted` writes by default
 */
import { isAbsolute, join, normalize, resolve } from 'node:path';
import type { County } from '../../scripts/lib/counties.ts';
import { ROOT } from '../../scripts/lib/paths.ts';

export const DEFAULT_DATA_DIR = `${ROOT}/data`;
export const CONTROL_FILE = 'control.sqlite';
export const COUNTIES_DIR = 'counties';
export const EVIDENCE_DIR = 'evidence';
export const SECRETS_FILE = 'secrets.env';
export const BACKUPS_DIR = 'backups';

/** DATA_DIR from the environment (default ./data of the repository), absolute. */
export const dataDirFrom = (env: NodeJS.ProcessEnv = process.env) =>
  resolve(env.DATA_DIR || DEFAULT_DATA_DIR);

/** The county list the runtime serves: COUNTIES_FILE, else the repository's counties.json. */
export const countiesFileFrom = (env: NodeJS.ProcessEnv = process.env) =>
  env.COUNTIES_FILE ? resolve(env.COUNTIES_FILE) : `${ROOT}/counties.json`;

export const controlPath = (dataDir: string) => join(dataDir, CONTROL_FILE);
export const evidencePath = (dataDir: string) => join(dataDir, EVIDENCE_DIR);
export const secretsPath = (dataDir: string) => join(dataDir, SECRETS_FILE);

/** A county's SQLite file, relative to DATA_DIR. */
export function countyRelativePath(county: Pick<County, 'databaseName' | 'sqliteFile'>): string {
  const file = county.sqliteFile ?? join(COUNTIES_DIR, `${county.databaseName}.sqlite`);
  const clean = normalize(file);
  if (isAbsolute(clean) || clean.startsWith('..'))
    throw new Error(`sqliteFile "${file}" must be a path inside DATA_DIR`);
  return clean;
}

export const countyPath = (dataDir: string, county: Pick<County, 'databaseName' | 'sqliteFile'>) =>
  join(dataDir, countyRelativePath(county));
