/**
 * Everything `npm start` does before serving, and the `wrangler dev` process itself, shared by
 * scripts/start.ts and scripts/bench.ts (which uses its own state directory and port).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { seedDemo } from '../../src/demo/seed.ts';
import { useClockOf } from '../../src/lib/time.ts';
import { readCounties, wranglerTomlIsCurrent } from './counties.ts';
import { ensureDevVars } from './devvars.ts';
import { openLocalPlatform } from './local.ts';
import { migrateLocal, recordSchemaVersionsLocal } from './migrate.ts';
import { DEV_STATE, ROOT, WRANGLER_BIN } from './paths.ts';
import { ensureVendorAssets } from './vendor.ts';
import { wranglerEnv } from './wrangler.ts';

export type PrepareOptions = { stateDir?: string; log?: (line: string) => void };

/**
 * `TODAY=YYYY-MM-DD npm start` pins the demo's clock (src/lib/time.ts): the seed and the served
 * app then both run on that day. Without it the demo runs on the real date.
 */
export const pinnedToday = (): string | undefined => process.env.TODAY || undefined;

/** .dev.vars, the /docs viewer, migrations and the demo seed: each done once, checked every time. */
export async function prepareLocal({ stateDir = DEV_STATE, log = console.log }: PrepareOptions = {}) {
  const wrote = await ensureDevVars();
  if (wrote.length > 0) log(`.dev.vars: generated ${wrote.join(', ')}`);
  if (ensureVendorAssets()) log('public/vendor/scalar.js: copied from @scalar/api-reference');

  const counties = readCounties();
  if (!wranglerTomlIsCurrent(counties)) {
    throw new Error('wrangler.toml is out of date with counties.json: run `npm run counties` first.');
  }
  const platform = await openLocalPlatform(stateDir);
  try {
    log(`Migrating local databases (${stateDir}):`);
    if (!(await migrateLocal(platform, counties, log))) throw new Error('local migration failed (see above)');
    const environment = String(platform.env.ENVIRONMENT ?? '');
    useClockOf({ ENVIRONMENT: environment, TODAY: pinnedToday() });
    const pepper = platform.env.PASSWORD_PEPPER;
    if (environment !== 'development') {
      log(`Demo seed skipped: ENVIRONMENT is "${environment}", not development.`);
    } else if (typeof pepper !== 'string' || pepper === '') {
      throw new Error('PASSWORD_PEPPER is missing from .dev.vars');
    } else {
      const seeded = await seedDemo({
        environment,
        pepper,
        control: platform.control,
        county: (binding) => platform.database(binding),
        ...(typeof platform.env.DATA_KEY_SECRET === 'string'
          ? { dataKeySecret: platform.env.DATA_KEY_SECRET }
          : {}),
      });
      // The seed registers the demo counties after their migration ran: record their versions.
      if (seeded) await recordSchemaVersionsLocal(platform, counties);
      log(seeded ? 'Demo seeded (logins in README, password demo-pass-2026).' : 'Demo already seeded.');
    }
  } finally {
    await platform.dispose();
  }
}

export type DevServerOptions = {
  port: number;
  stateDir?: string;
  /** Inherit the terminal (npm start), or write to an open file descriptor (bench's log). */
  stdio?: 'inherit' | number;
  extraArgs?: string[];
};

/** Starts `wrangler dev` on 127.0.0.1, offline and quiet. */
export function startDevServer({
  port,
  stateDir = DEV_STATE,
  stdio = 'inherit',
  extraArgs = [],
}: DevServerOptions) {
  return spawn(
    WRANGLER_BIN,
    [
      'dev',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--persist-to',
      stateDir,
      // No keyboard shortcuts panel: it needs a terminal, and Ctrl-C is enough.
      '--show-interactive-dev-session=false',
      ...(pinnedToday() ? ['--var', `TODAY:${pinnedToday()}`] : []),
      ...extraArgs,
    ],
    { cwd: ROOT, stdio: ['ignore', stdio, stdio], env: wranglerEnv() },
  );
}

/** Polls /healthz until it answers 200; rejects when the server exits or `timeoutMs` passes. */
/** Fails when something already listens on the port (we would measure or talk to it instead). */
export function assertPortFree(port: number, host = '127.0.0.1'): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(`port ${port} is in use: stop what runs there or choose another`)
          : err,
      ),
    );
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

export async function waitForHealthy(
  child: ChildProcess,
  baseUrl: string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: number | null = null;
  child.once('exit', (code) => {
    exited = code ?? 1;
  });
  while (Date.now() < deadline) {
    if (exited !== null) throw new Error(`wrangler dev exited (code ${exited}) before ${baseUrl} answered`);
    try {
      const res = await fetch(`${baseUrl}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${baseUrl}/healthz did not answer within ${timeoutMs / 1000} s`);
}

/** Stops a child (and waits for it), escalating to SIGKILL after `graceMs`. */
export function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 5_000) {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}
