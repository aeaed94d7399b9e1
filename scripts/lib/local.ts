/**
 * The local D1 databases in Node, through wrangler's platform proxy: one workerd process for
 * every binding of wrangler.toml, on the same files `wrangler dev` uses (or on another state
 * directory, e.g. the bench's), so the scripts and the dev server see the same data.
 */

import { resolve } from 'node:path';
import { CONTROL_BINDING } from './counties.ts';
import { DEV_STATE, ROOT } from './paths.ts';
import { applyQuietEnv } from './wrangler.ts';

export type LocalPlatform = {
  /** Every binding and var of wrangler.toml, plus `.dev.vars`. */
  env: Record<string, unknown>;
  control: D1Database;
  /** A county database by binding name; throws when wrangler.toml lacks it. */
  database: (binding: string) => D1Database;
  dispose: () => Promise<void>;
};

/**
 * @param stateDir wrangler's `--persist-to` directory (default `.wrangler/state`, as `wrangler
 * dev` without flags); the D1 files live under its `v3/`.
 */
export async function openLocalPlatform(stateDir: string = DEV_STATE): Promise<LocalPlatform> {
  applyQuietEnv();
  const { getPlatformProxy } = await import('wrangler');
  const proxy = await getPlatformProxy<Record<string, unknown>>({
    configPath: `${ROOT}/wrangler.toml`,
    persist: { path: `${resolve(stateDir)}/v3` },
    remoteBindings: false,
  });
  const database = (binding: string): D1Database => {
    const db = proxy.env[binding];
    if (!db || typeof db !== 'object') {
      throw new Error(
        `wrangler.toml has no D1 binding ${binding}: run \`npm run counties\` to regenerate it from counties.json`,
      );
    }
    return db as D1Database;
  };
  return { env: proxy.env, control: database(CONTROL_BINDING), database, dispose: () => proxy.dispose() };
}
