/**
 * The self-hosted bindings on one DATA_DIR: CONTROL_DB and one COUNTY_<SLUG> per county of the
 * county list, each a SQLite file behind the D1 interface, plus the EVIDENCE bucket on disk.
 *
 * It has the shape of the scripts' LocalPlatform (scripts/lib/local.ts), so the scripts' own
 * migration and seeding code runs on it unchanged. Its `env` picks up counties added to the
 * county list while the server runs (`county:add -- --self-hosted`): asked for a county binding
 * it does not hold, it re-reads the list when the file changed. `countyDatabase()` in
 * src/db/index.ts stays the one place that turns a county into its database; this only decides
 * what `env[binding]` is.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { type County, readCounties } from '../../scripts/lib/counties.ts';
import type { LocalPlatform } from '../../scripts/lib/local.ts';
import { DiskBucket } from './bucket.ts';
import { SqliteD1Database } from './d1.ts';
import { controlPath, countyPath, evidencePath } from './layout.ts';

export type ExtraCounty = { binding: string; file: string };

export type PlatformOptions = {
  dataDir: string;
  /** The county list (counties.json format). */
  countiesFile: string;
  /** Bindings beyond the list (the tests' COUNTY_SPARE), file relative to DATA_DIR. */
  extraCounties?: ExtraCounty[];
  busyTimeoutMs?: number;
};

export type SelfHostedPlatform = LocalPlatform & {
  dataDir: string;
  counties: () => County[];
  controlDb: SqliteD1Database;
  evidence: DiskBucket;
  /** Every open database by binding (CONTROL_DB included). */
  databases: () => Map<string, SqliteD1Database>;
  /** Re-reads the county list when it changed; returns the bindings it opened. */
  refresh: () => string[];
};

export function openSelfHostedPlatform(options: PlatformOptions): SelfHostedPlatform {
  const { dataDir, countiesFile } = options;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const open = (file: string) => {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    return new SqliteD1Database(file, {
      ...(options.busyTimeoutMs ? { busyTimeoutMs: options.busyTimeoutMs } : {}),
    });
  };
  const controlDb = open(controlPath(dataDir));
  const databases = new Map<string, SqliteD1Database>([['CONTROL_DB', controlDb]]);
  const evidence = new DiskBucket(evidencePath(dataDir));
  const bindings: Record<string, unknown> = { CONTROL_DB: controlDb, EVIDENCE: evidence };
  let counties: County[] = [];
  let listedAt = -1;

  const refresh = (): string[] => {
    const mtime = existsSync(countiesFile) ? statSync(countiesFile).mtimeMs : 0;
    if (mtime === listedAt) return [];
    listedAt = mtime;
    counties = mtime === 0 ? [] : readCounties(countiesFile);
    const opened: string[] = [];
    const wanted: ExtraCounty[] = [
      ...counties.map((k) => ({ binding: k.binding, file: countyPath(dataDir, k) })),
      ...(options.extraCounties ?? []).map((e) => ({ binding: e.binding, file: `${dataDir}/${e.file}` })),
    ];
    for (const { binding, file } of wanted) {
      if (databases.has(binding)) continue;
      const db = open(file);
      databases.set(binding, db);
      bindings[binding] = db;
      opened.push(binding);
    }
    return opened;
  };
  refresh();

  const isCountyKey = (p: string | symbol): p is string =>
    typeof p === 'string' && /^COUNTY_[A-Z0-9_]+$/.test(p);
  const env = new Proxy(bindings, {
    get(target, prop) {
      if (isCountyKey(prop) && !(prop in target)) {
        try {
          refresh();
        } catch (e) {
          // A broken edit of the county list must not take the running server down.
          console.error(
            JSON.stringify({
              msg: 'county list unreadable',
              error: e instanceof Error ? e.message : String(e),
            }),
          );
        }
      }
      return Reflect.get(target, prop);
    },
    has(target, prop) {
      if (isCountyKey(prop) && !(prop in target)) refresh();
      return Reflect.has(target, prop);
    },
  });

  const database = (binding: string): D1Database => {
    const db = (env as Record<string, unknown>)[binding];
    if (!(db instanceof SqliteD1Database))
      throw new Error(`no county list entry has binding ${binding} (${countiesFile})`);
    return db;
  };

  return {
    env,
    control: controlDb,
    controlDb,
    evidence,
    dataDir,
    counties: () => counties,
    database,
    databases: () => databases,
    refresh,
    dispose: async () => {
      for (const db of databases.values()) db.close();
      evidence.close();
    },
  };
}
