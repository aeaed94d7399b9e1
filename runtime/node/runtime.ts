/**
 * The self-hosted runtime (ADR 0900): the Worker module of src/index.ts, unchanged, with its
 * bindings made of SQLite files, a durable queue and a directory, and its three entry points
 * (fetch, scheduled, queue) driven by an HTTP server, an in-process cron and an in-process
 * consumer. Nothing in src/ knows which runtime it is on.
 *
 * Start-up, in order: secrets (refused when missing outside development), the crypto suite,
 * the county list, migrations of every database (the same SQL files and `d1_migrations`
 * records as wrangler), the demo seed in development, then serving.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { join, relative, sep } from 'node:path';
import { type Http2Bindings, type HttpBindings, serve } from '@hono/node-server';
import { getMimeType } from 'hono/utils/mime';
import { migrateLocal, recordSchemaVersionsLocal } from '../../scripts/lib/migrate.ts';
import { applyMigrations, COUNTY_MIGRATIONS, readMigrations } from '../../scripts/lib/migrations.ts';
import { ROOT } from '../../scripts/lib/paths.ts';
import { seedDemo } from '../../src/demo/seed.ts';
import type { Bindings } from '../../src/env.ts';
import type { JobMessage } from '../../src/jobs/messages.ts';
import { useClockOf } from '../../src/lib/time.ts';
import { CronScheduler, parseCron } from './cron.ts';
import { type ExtraCounty, openSelfHostedPlatform, type SelfHostedPlatform } from './platform.ts';
import { DEFAULT_LEASE_MS, QueueConsumer, SqliteQueue } from './queue.ts';
import { loadSecrets } from './secrets.ts';
import { readWranglerSettings } from './wrangler-config.ts';

/** The vars of src/env.ts Bindings that a deployment may set (everything else stays out of env). */
export const VAR_NAMES = [
  'ENVIRONMENT',
  'TODAY',
  'SESSION_IDLE_MINUTES',
  'SESSION_ABSOLUTE_HOURS',
  'ACCESS_TOKEN_TTL_SECONDS',
  'LOCKOUT_MAX_FAILURES',
  'LOCKOUT_WINDOW_MINUTES',
] as const;

export const CRYPTO_SUITES = ['webcrypto', 'sm'] as const;

export type RuntimeOptions = {
  dataDir: string;
  countiesFile: string;
  /** The process environment (vars and secrets are read from it). */
  processEnv: NodeJS.ProcessEnv;
  /** More bindings for env, e.g. the tests' WEBHOOK_RECEIVER. */
  extraVars?: Record<string, string>;
  extraCounties?: ExtraCounty[];
  /** Run the cron (default true; the tests drive scheduled() themselves, as on workerd). */
  cron?: boolean;
  /** Run the queue consumer (default true). */
  consume?: boolean;
  /** Milliseconds a delivered batch stays leased (default 15 minutes). */
  leaseMs?: number;
  /** How often the consumer looks for work from other processes (default 1,000 ms). */
  pollMs?: number;
  log?: (line: string) => void;
};

export type Runtime = {
  env: Bindings;
  platform: SelfHostedPlatform;
  /** A request, as the Worker's fetch gets it (static files of public/ first, as Workers assets). */
  fetch: (request: Request, peer?: string) => Promise<Response>;
  /** Runs scheduled() once now, as a cron firing would. */
  scheduled: (cron?: string) => Promise<void>;
  consumer: QueueConsumer<JobMessage>;
  listen: (port: number, hostname?: string) => Promise<{ port: number; close: () => Promise<void> }>;
  /** Stops cron and consumer, waits for work in flight, closes the databases. */
  close: () => Promise<void>;
};

/** Refuses a suite that is not available; ADR 0900 "Crypto suite" plans `sm`. */
export function checkCryptoSuite(value: string | undefined): 'webcrypto' {
  const suite = value || 'webcrypto';
  if (!(CRYPTO_SUITES as readonly string[]).includes(suite))
    throw new Error(`CRYPTO_SUITE must be one of ${CRYPTO_SUITES.join(', ')}, not "${suite}"`);
  if (suite === 'sm')
    throw new Error(
      'CRYPTO_SUITE=sm (SM4-GCM, SM3, HMAC-SM3) is not available in this release yet (docs/self-hosting.zh.md)',
    );
  return 'webcrypto';
}

/** Work registered with waitUntil, so a shutdown can wait for it. */
class Pending {
  readonly #set = new Set<Promise<unknown>>();
  context(): ExecutionContext {
    return {
      waitUntil: (p: Promise<unknown>) => {
        const tracked = Promise.resolve(p).catch((e) =>
          console.error(
            JSON.stringify({ msg: 'waitUntil failed', error: e instanceof Error ? e.name : 'error' }),
          ),
        );
        this.#set.add(tracked);
        void tracked.finally(() => this.#set.delete(tracked));
      },
      passThroughOnException: () => {},
      props: {},
    } as unknown as ExecutionContext;
  }
  async drain() {
    while (this.#set.size > 0) await Promise.allSettled([...this.#set]);
  }
}

/** The files of public/, served before the app as Workers serves its static assets. */
function staticFiles(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string) => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const path = join(d, e.name);
      if (e.isDirectory()) walk(path);
      else if (e.isFile()) files.set(`/${relative(dir, path).split(sep).join('/')}`, path);
    }
  };
  walk(dir);
  return files;
}

const LOOPBACK = /^(127\.|::1$|::ffff:127\.)/;

/**
 * The request as the app should see it. Behind nginx (TLS ends there) the app would see
 * http://; a trusted proxy's X-Forwarded-Proto and X-Forwarded-Host restore the URL the client
 * used, which the CSRF origin check and secure cookies depend on. Trusted: loopback peers, or
 * every peer with TRUST_PROXY=1.
 */
function asClientSaw(request: Request, peer: string | undefined, trustAll: boolean): Request {
  const proto = request.headers.get('x-forwarded-proto');
  const host = request.headers.get('x-forwarded-host');
  if ((!proto && !host) || !(trustAll || (peer && LOOPBACK.test(peer)))) return request;
  const url = new URL(request.url);
  if (proto === 'https' || proto === 'http') url.protocol = `${proto}:`;
  if (host && /^[\w.-]+(:\d+)?$/.test(host)) {
    url.host = host;
    // The URL setter keeps the old port when the new host names none.
    if (!host.includes(':')) url.port = '';
  }
  if (url.href === request.url) return request;
  return new Request(url, {
    method: request.method,
    headers: request.headers,
    body: request.body,
    redirect: 'manual',
    signal: request.signal,
    ...(request.body ? { duplex: 'half' } : {}),
  } as RequestInit);
}

export async function startRuntime(options: RuntimeOptions): Promise<Runtime> {
  const log = options.log ?? ((line: string) => console.log(line));
  const pe = options.processEnv;
  const environment = pe.ENVIRONMENT || 'production';
  const development = environment === 'development' || environment === 'test';

  checkCryptoSuite(pe.CRYPTO_SUITE);
  const { secrets, generated } = await loadSecrets(options.dataDir, pe, { generate: development });
  if (generated.length > 0) log(`secrets.env: generated ${generated.join(', ')} (development only)`);

  const platform = openSelfHostedPlatform({
    dataDir: options.dataDir,
    countiesFile: options.countiesFile,
    ...(options.extraCounties ? { extraCounties: options.extraCounties } : {}),
  });
  try {
    const counties = platform.counties();
    log(`Migrating ${counties.length + 1} databases (${options.dataDir}):`);
    if (!(await migrateLocal(platform, counties, log))) throw new Error('migration failed (see above)');
    for (const extra of options.extraCounties ?? [])
      await applyMigrations(platform.database(extra.binding), readMigrations(COUNTY_MIGRATIONS));

    useClockOf({ ENVIRONMENT: environment, TODAY: pe.TODAY });
    if (development) {
      const seeded = await seedDemo({
        environment,
        pepper: secrets.PASSWORD_PEPPER,
        control: platform.control,
        county: (binding) => platform.database(binding),
        dataKeySecret: secrets.DATA_KEY_SECRET,
      });
      if (seeded) await recordSchemaVersionsLocal(platform, counties);
      log(seeded ? 'Demo seeded (logins in README, password demo-pass-2026).' : 'Demo already seeded.');
    }
  } catch (e) {
    await platform.dispose();
    throw e;
  }

  const settings = readWranglerSettings();
  const jobs = settings.queues.find((q) => q.binding === 'JOBS');
  if (!jobs) throw new Error('wrangler.toml has no JOBS queue producer');

  // Set below, once the consumer exists: a send in this process wakes it at once.
  let wake = () => {};
  const vars: Record<string, string> = {};
  for (const name of VAR_NAMES) if (pe[name]) vars[name] = pe[name]!;
  vars.ENVIRONMENT = environment;
  Object.assign(platform.env, vars, secrets, options.extraVars ?? {}, {
    JOBS: new SqliteQueue<JobMessage>(platform.controlDb, jobs.queue, () => wake()),
  });
  const env = platform.env as unknown as Bindings;

  const { default: worker } = await import('../../src/index.ts');
  const pending = new Pending();

  const consumer = new QueueConsumer<JobMessage>(
    platform.controlDb,
    {
      queue: jobs.queue,
      maxBatchSize: jobs.maxBatchSize,
      maxRetries: jobs.maxRetries,
      ...(jobs.deadLetterQueue ? { deadLetterQueue: jobs.deadLetterQueue } : {}),
      retryDelaySeconds: jobs.retryDelaySeconds,
      leaseMs: options.leaseMs ?? DEFAULT_LEASE_MS,
      concurrency: 2,
      pollMs: options.pollMs ?? 1_000,
    },
    async (batch) => {
      const ctx = pending.context();
      await worker.queue(batch as MessageBatch<JobMessage>, env, ctx);
    },
  );
  wake = () => consumer.wake();

  const runScheduled = async (controller: ScheduledController) => {
    const ctx = pending.context();
    await worker.scheduled(controller, env, ctx);
  };
  const scheduler = new CronScheduler(settings.crons.map(parseCron), runScheduled);

  const publicDir = `${ROOT}/public`;
  const assets = staticFiles(publicDir);
  const trustAll = pe.TRUST_PROXY === '1';

  const fetch = async (request: Request, peer?: string): Promise<Response> => {
    const path = new URL(request.url).pathname;
    const asset =
      (request.method === 'GET' || request.method === 'HEAD') && assets.get(decodeURIComponent(path));
    if (asset) {
      const body = request.method === 'HEAD' ? null : readFileSync(asset);
      return new Response(body, {
        headers: {
          'content-type': getMimeType(asset) ?? 'application/octet-stream',
          'content-length': String(statSync(asset).size),
          'cache-control': 'public, max-age=0, must-revalidate',
          'x-content-type-options': 'nosniff',
        },
      });
    }
    return worker.fetch(
      asClientSaw(request, peer, trustAll) as Request<unknown, IncomingRequestCfProperties>,
      env,
      pending.context(),
    );
  };

  if (options.consume !== false) consumer.start();
  if (options.cron !== false) scheduler.start();

  const servers: { close: () => Promise<void> }[] = [];
  const listen = (port: number, hostname = '127.0.0.1') =>
    new Promise<{ port: number; close: () => Promise<void> }>((resolve, reject) => {
      const server = serve(
        {
          fetch: (req: Request, bindings: HttpBindings | Http2Bindings) =>
            fetch(req, (bindings.incoming as IncomingMessage).socket?.remoteAddress),
          port,
          hostname,
        },
        (info) => {
          const handle = {
            port: info.port,
            close: () =>
              new Promise<void>((done) => {
                server.close(() => done());
                (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
              }),
          };
          servers.push(handle);
          resolve(handle);
        },
      );
      server.once('error', reject);
    });

  let closed = false;
  return {
    env,
    platform,
    fetch,
    scheduled: (cron = settings.crons[0] ?? '* * * * *') =>
      runScheduled({ scheduledTime: Date.now(), cron, noRetry: () => {} }),
    consumer,
    listen,
    close: async () => {
      if (closed) return;
      closed = true;
      scheduler.stop();
      await Promise.all(servers.map((s) => s.close()));
      await consumer.stop();
      await pending.drain();
      await platform.dispose();
    },
  };
}
