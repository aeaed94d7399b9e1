/**
 * `npm run bench [-- --duration 10 --connections 20 --rounds 2 --only a,b --port 8790 --runtime workers,node --keep]`
 *
 * For each runtime in turn (the Workers one as `npm start` runs it, then the self-hosted Node one
 * as `npm run serve:node` runs it), starts the app on its own port and its own state directory
 * (.bench/state, .bench/node: the dev data is never touched), seeded with the demo; then measures
 * each case of scripts/bench-cases.ts with autocannon, prints req/s, p50, p99 and the ratio to the
 * first case (the baseline, /healthz of that runtime), stops the server, and at the end prints the
 * ratios side by side and writes everything to .bench/results.json. The Node run also times the
 * start-up: migrating and seeding an empty DATA_DIR, and the server on a 3,000-supervisee county.
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { DatabaseSync } from 'node:sqlite';
import autocannon, { type Result } from 'autocannon';
import { startRuntime } from '../runtime/node/runtime.ts';
import {
  type AutocannonCase,
  type BenchContext,
  CASES,
  DEFAULT_LOGIN,
  type ScenarioCase,
} from './bench-cases.ts';
import { flags } from './lib/args.ts';
import { openLocalPlatform } from './lib/local.ts';
import { ROOT, TSX_BIN } from './lib/paths.ts';
import { assertPortFree, prepareLocal, startDevServer, stopChild, waitForHealthy } from './lib/server.ts';

const USAGE = `Usage: npm run bench [-- options]

  --duration s      seconds per autocannon case (default $BENCH_SECONDS or 10)
  --connections n   concurrent connections (default 20)
  --rounds n        passes over the cases, each measuring duration / n seconds (default 2)
  --warmup s        unmeasured seconds per case before the first round (default 2)
  --only a,b        run only these cases (the baseline always runs): ${CASES.map((c) => c.name).join(', ')}
  --port n          server port (default 8790; the second runtime uses the next one)
  --runtime r       workers, node, or workers,node (default): the same cases against wrangler dev
                    and against npm run serve:node, each as ratios to its own /healthz
  --keep            reuse .bench/state instead of starting from fresh databases`;

const args = flags(
  {
    duration: { type: 'string' },
    connections: { type: 'string' },
    warmup: { type: 'string' },
    rounds: { type: 'string' },
    only: { type: 'string' },
    port: { type: 'string' },
    runtime: { type: 'string' },
    keep: { type: 'boolean' },
  },
  USAGE,
);

const positive = (value: string | undefined, fallback: number, name: string) => {
  const n = value === undefined ? fallback : Number(value);
  if (!Number.isFinite(n) || n <= 0) {
    console.error(`--${name} must be a positive number`);
    process.exit(2);
  }
  return n;
};
const duration = positive(args.duration ?? process.env.BENCH_SECONDS, 10, 'duration');
const connections = Math.round(positive(args.connections, 20, 'connections'));
const rounds = Math.round(positive(args.rounds, 2, 'rounds'));
const warmup = args.warmup === '0' ? 0 : positive(args.warmup, 2, 'warmup');
const port = Math.round(positive(args.port, 8790, 'port'));
const only = args.only?.split(',').map((s) => s.trim());
const unknown = only?.filter((n) => !CASES.some((c) => c.name === n)) ?? [];
if (unknown.length > 0) {
  console.error(`Unknown case(s): ${unknown.join(', ')}\n\n${USAGE}`);
  process.exit(2);
}
const [baseline, ...rest] = CASES;
if (!baseline) throw new Error('scripts/bench-cases.ts has no cases');
if (baseline.kind === 'scenario') throw new Error('the first case (the baseline) must be an autocannon case');
const selected = [baseline, ...rest.filter((c) => !only || only.includes(c.name))];
const cases = selected.filter((c): c is AutocannonCase => c.kind !== 'scenario');
const scenarios = selected.filter((c): c is ScenarioCase => c.kind === 'scenario');

const BENCH_DIR = `${ROOT}/.bench`;

type Runtime = 'workers' | 'node';
const RUNTIMES: Runtime[] = (() => {
  const list = (args.runtime ?? 'workers,node').split(',').map((s) => s.trim());
  const bad = list.filter((r) => r !== 'workers' && r !== 'node');
  if (bad.length > 0 || list.length === 0) {
    console.error(`--runtime takes workers, node or both (workers,node), not "${args.runtime}"\n\n${USAGE}`);
    process.exit(2);
  }
  return [...new Set(list)] as Runtime[];
})();

type Row = {
  name: string;
  method: string;
  path: string;
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  ratioToBaseline: number;
  requests: number;
  non2xx: number;
  errors: number;
  /** The machine's 1-minute load average (median over rounds): other work skews the figures. */
  loadAverage: number;
};

/** Self-hosted start-up figures (seconds), measured while the Node runtime is prepared and started. */
type StartupFigures = Record<string, number | string>;

type RuntimeResult = {
  runtime: Runtime;
  server: string;
  rows: Row[];
  scenarios: ScenarioRow[];
  startup?: StartupFigures;
  failed: boolean;
};

const seconds = (t0: number) => round((performance.now() - t0) / 1000, 3);

/**
 * The Workers runtime as `npm start` runs it (wrangler dev, local D1) on `.bench/state`.
 */
async function startWorkers(port: number, serverLog: string) {
  const stateDir = `${BENCH_DIR}/state`;
  if (!args.keep) rmSync(stateDir, { recursive: true, force: true });
  console.log(`Preparing ${stateDir} …`);
  await prepareLocal({ stateDir, log: () => {} });
  // Bulk data (the synthetic county) goes in before the server opens the same files, once.
  const preparing = selected.filter((c) => c.prepare);
  if (preparing.length > 0) {
    const platform = await openLocalPlatform(stateDir);
    try {
      for (const c of preparing) await c.prepare!(platform);
    } finally {
      await platform.dispose();
    }
  }
  const logFd = openSync(serverLog, 'w');
  const child = startDevServer({ port, stateDir, stdio: logFd });
  closeSync(logFd);
  return { child, server: 'wrangler dev (local)', startup: undefined };
}

/**
 * The self-hosted runtime as `npm run serve:node` runs it, on `.bench/node` (its DATA_DIR), with
 * ENVIRONMENT=development (the demo seed). Timed on the way: migrating and seeding an empty
 * DATA_DIR, writing the synthetic 3,000-supervisee county, then the server process from spawn to
 * its first /healthz answer (it checks every database's migrations on start) and its first
 * compliance read of that county.
 */
async function startNode(port: number, serverLog: string) {
  const dataDir = `${BENCH_DIR}/node`;
  if (!args.keep) rmSync(dataDir, { recursive: true, force: true });
  console.log(`Preparing ${dataDir} …`);
  const processEnv = { ...process.env, ENVIRONMENT: 'development' };
  const startup: StartupFigures = {};
  let t0 = performance.now();
  const runtime = await startRuntime({
    dataDir,
    countiesFile: `${ROOT}/counties.json`,
    processEnv,
    cron: false,
    consume: false,
    log: () => {},
  });
  startup.migrateAndSeedEmptyDataDirSeconds = seconds(t0);
  try {
    const preparing = selected.filter((c) => c.prepare);
    t0 = performance.now();
    for (const c of preparing) await c.prepare!(runtime.platform);
    if (preparing.length > 0) startup.prepareCasesSeconds = seconds(t0);
  } finally {
    await runtime.close();
  }
  const supervisees = new DatabaseSync(`${dataDir}/counties/bangjiao-county-deqing.sqlite`, {
    readOnly: true,
  });
  startup.deqingSupervisees = Number(
    (supervisees.prepare('SELECT count(*) AS n FROM supervisees').get() as { n: number }).n,
  );
  supervisees.close();

  const logFd = openSync(serverLog, 'w');
  t0 = performance.now();
  const child = spawn(TSX_BIN, ['runtime/node/serve.ts'], {
    cwd: ROOT,
    stdio: ['ignore', logFd, logFd],
    env: {
      ...processEnv,
      PORT: String(port),
      DATA_DIR: dataDir,
      NODE_OPTIONS: `--disable-warning=ExperimentalWarning ${process.env.NODE_OPTIONS ?? ''}`.trim(),
    },
  });
  closeSync(logFd);
  return { child, server: 'npm run serve:node (node:sqlite)', startup, spawnedAt: t0 };
}

async function benchRuntime(runtime: Runtime, port: number): Promise<RuntimeResult> {
  const baseUrl = `http://127.0.0.1:${port}`;
  const serverLog = `${BENCH_DIR}/server-${runtime}.log`;
  try {
    await assertPortFree(port);
  } catch (err) {
    console.error(`bench: ${err instanceof Error ? err.message : String(err)} (--port)`);
    process.exit(1);
  }
  console.log(`\n== ${runtime} ==`);
  const started =
    runtime === 'workers' ? await startWorkers(port, serverLog) : await startNode(port, serverLog);
  const { child } = started;
  console.log(`Started the server on ${baseUrl} (its output: .bench/server-${runtime}.log) …`);
  const stop = () => stopChild(child);
  const onSignal = () => void stop().then(() => process.exit(130));
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const rows: Row[] = [];
  const scenarioRows: ScenarioRow[] = [];
  let failed = false;
  try {
    await waitForHealthy(child, baseUrl, 300_000);
    const ctx = benchContext(baseUrl, serverLog);
    if ('spawnedAt' in started && started.startup) {
      started.startup.serverStartToHealthzSeconds = seconds(started.spawnedAt);
      if (scenarios.some((s) => s.name === 'compliance-3000')) {
        const token = await ctx.token(DEFAULT_LOGIN);
        const t0 = performance.now();
        const res = await fetch(`${baseUrl}/api/v1/counties/deqing/compliance?month=2026-03`, {
          headers: { authorization: `Bearer ${token}` },
        });
        await res.arrayBuffer();
        if (!res.ok) throw new Error(`first compliance read: ${res.status}`);
        started.startup.firstComplianceRead3000Seconds = seconds(t0);
      }
    }
    // Setup and sign-in first, then the measurement: `rounds` passes over all cases, each case
    // getting duration / rounds seconds per pass, so background load on the machine is spread
    // over every case instead of skewing whichever happened to run during it.
    const tokens = new Map<AutocannonCase, string | null>();
    for (const c of cases) {
      await c.setup?.(ctx);
      tokens.set(c, c.as === null ? null : await ctx.token(c.as ?? DEFAULT_LOGIN));
      if (warmup > 0) await measure(baseUrl, c, tokens.get(c) ?? null, warmup);
    }
    const slice = duration / rounds;
    const samples = new Map<AutocannonCase, { result: Result; load: number }[]>(cases.map((c) => [c, []]));
    for (let i = 1; i <= rounds; i++) {
      process.stdout.write(`  round ${i}/${rounds}:`);
      for (const c of cases) {
        const load = loadavg()[0] ?? 0;
        const result = await measure(baseUrl, c, tokens.get(c) ?? null, slice);
        samples.get(c)!.push({ result, load });
        process.stdout.write(` ${c.name} ${round(result.requests.total / result.duration)} req/s;`);
      }
      process.stdout.write('\n');
    }
    for (const c of cases) {
      const runs = samples.get(c)!;
      const requests = runs.reduce((n, r) => n + r.result.requests.total, 0);
      const secs = runs.reduce((n, r) => n + r.result.duration, 0);
      const rps = requests / secs;
      rows.push({
        name: c.name,
        method: c.method,
        path: c.path,
        requestsPerSecond: round(rps),
        latencyP50Ms: median(runs.map((r) => r.result.latency.p50)),
        latencyP99Ms: median(runs.map((r) => r.result.latency.p99)),
        ratioToBaseline: rows[0] ? round(rps / rows[0].requestsPerSecond, 2) : 1,
        requests,
        non2xx: runs.reduce((n, r) => n + r.result.non2xx, 0),
        errors: runs.reduce((n, r) => n + r.result.errors + r.result.timeouts, 0),
        loadAverage: round(median(runs.map((r) => r.load)), 2),
      });
    }
    printTable(runtime, rows);

    // Scenarios: each timed once end to end, after the autocannon rounds, beside the baseline's
    // req/s of this run (measured again right before each scenario).
    for (const c of scenarios) {
      process.stdout.write(`  scenario ${c.name} …`);
      const base = await measure(baseUrl, cases[0]!, null, Math.min(2, slice));
      const load = loadavg()[0] ?? 0;
      const { seconds: secs, extra } = await c.run(ctx);
      process.stdout.write(` ${secs.toFixed(2)} s\n`);
      scenarioRows.push({
        name: c.name,
        label: c.label,
        seconds: round(secs, 3),
        extra,
        baselineRequestsPerSecond: round(base.requests.total / base.duration),
        loadAverage: round(load, 2),
      });
    }
    if (scenarioRows.length > 0) printScenarios(scenarioRows);
    if (started.startup) {
      console.log(
        `\nself-hosted start-up (seconds; ${started.startup.deqingSupervisees} supervisees in deqing):`,
      );
      for (const [k, v] of Object.entries(started.startup)) console.log(`  ${k}: ${v}`);
    }
    const bad = rows.filter((r) => r.non2xx > 0 || r.errors > 0);
    if (bad.length > 0) {
      console.error(
        `Some requests failed on ${runtime} (${bad.map((r) => r.name).join(', ')}): the figures are not meaningful.`,
      );
      failed = true;
    }
  } catch (err) {
    console.error(`bench (${runtime}): ${err instanceof Error ? err.message : String(err)}`);
    const tail = readFileSync(serverLog, 'utf8').trimEnd().split('\n').slice(-15).join('\n  ');
    if (tail) console.error(`Last lines of .bench/server-${runtime}.log:\n  ${tail}`);
    failed = true;
  } finally {
    await stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return {
    runtime,
    server: started.server,
    rows,
    scenarios: scenarioRows,
    ...(started.startup ? { startup: started.startup } : {}),
    failed,
  };
}

mkdirSync(BENCH_DIR, { recursive: true });
const results: RuntimeResult[] = [];
for (const [i, runtime] of RUNTIMES.entries()) results.push(await benchRuntime(runtime, port + i));
if (results.length > 1) printComparison(results);
writeFileSync(
  `${BENCH_DIR}/results.json`,
  `${JSON.stringify(
    {
      at: new Date().toISOString(),
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version },
      settings: { connections, durationSeconds: duration, rounds, warmupSeconds: warmup },
      baseline: baseline.name,
      runtimes: results.map(({ failed: _, ...r }) => r),
    },
    null,
    2,
  )}\n`,
);
console.log(`\nWritten to .bench/results.json`);
if (results.some((r) => r.failed)) process.exitCode = 1;

/** Each case as a ratio to its own runtime's /healthz, side by side. */
function printComparison(all: RuntimeResult[]) {
  const names = [...new Set(all.flatMap((r) => r.rows.map((row) => row.name)))];
  const header = ['case (× own /healthz)', ...all.map((r) => r.runtime)];
  const lines = names.map((name) => [
    name,
    ...all.map((r) => r.rows.find((row) => row.name === name)?.ratioToBaseline.toFixed(2) ?? '–'),
  ]);
  lines.push([
    `${baseline!.name} req/s`,
    ...all.map((r) => String(r.rows.find((row) => row.name === baseline!.name)?.requestsPerSecond ?? '–')),
  ]);
  for (const s of scenarios)
    lines.push([
      `${s.name} s`,
      ...all.map((r) => r.scenarios.find((x) => x.name === s.name)?.seconds.toFixed(3) ?? '–'),
    ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  console.log(
    `\nBoth runtimes, same machine:\n${fmt(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`,
  );
  for (const l of lines) console.log(fmt(l));
}

type ScenarioRow = {
  name: string;
  label: string;
  seconds: number;
  extra: Record<string, unknown>;
  /** The baseline's req/s measured just before the scenario, for comparing runs. */
  baselineRequestsPerSecond: number;
  loadAverage: number;
};

function printScenarios(rows: ScenarioRow[]) {
  const header = ['scenario', 'seconds', `${baseline!.name} req/s`, 'load', 'figures'];
  const lines = rows.map((r) => [
    r.name,
    r.seconds.toFixed(3),
    String(r.baselineRequestsPerSecond),
    r.loadAverage.toFixed(2),
    JSON.stringify(r.extra),
  ]);
  const widths = header.map((h, i) => (i === 4 ? 0 : Math.max(h.length, ...lines.map((l) => l[i]!.length))));
  const fmt = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : i === 4 ? cell : cell.padStart(widths[i]!)))
      .join('  ');
  console.log(`\n${fmt(header)}\n${widths.map((w) => '-'.repeat(w || 7)).join('  ')}`);
  for (const l of lines) console.log(fmt(l));
  for (const r of rows) console.log(`  ${r.name}: ${r.label}`);
}

function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function round(n: number, digits = 0) {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

function measure(baseUrl: string, c: AutocannonCase, token: string | null, seconds: number): Promise<Result> {
  const headers = (): Record<string, string> => ({
    ...(token ? { authorization: `Bearer ${token}` } : {}),
    ...(c.body !== undefined ? { 'content-type': 'application/json' } : {}),
    ...(typeof c.headers === 'function' ? c.headers() : c.headers),
  });
  const body = () => {
    if (c.body === undefined) return undefined;
    return JSON.stringify(typeof c.body === 'function' ? (c.body as () => unknown)() : c.body);
  };
  const perRequest = typeof c.body === 'function' || typeof c.headers === 'function';
  return autocannon({
    url: `${baseUrl}${c.path}`,
    method: c.method,
    connections,
    duration: seconds,
    headers: headers(),
    ...(perRequest
      ? { requests: [{ setupRequest: (req) => ({ ...req, headers: headers(), body: body() }) }] }
      : { body: body() }),
  });
}

function benchContext(baseUrl: string, serverLog: string): BenchContext {
  const tokens = new Map<string, string>();
  const token = async (login: string) => {
    const cached = tokens.get(login);
    if (cached) return cached;
    const res = await fetch(`${baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login, password: 'demo-pass-2026' }),
    });
    if (!res.ok) throw new Error(`sign-in as ${login} failed: ${res.status} ${await res.text()}`);
    const { accessToken } = (await res.json()) as { accessToken: string };
    tokens.set(login, accessToken);
    return accessToken;
  };
  const api = async <T>(method: string, path: string, body?: unknown, login = DEFAULT_LOGIN): Promise<T> => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${await token(login)}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (res.status === 204 ? undefined : await res.json()) as T;
  };
  return { baseUrl, serverLog, token, api };
}

function printTable(runtime: Runtime, rows: Row[]) {
  const header = ['route', 'req/s', 'p50 ms', 'p99 ms', '× baseline', 'non-2xx', 'load'];
  const lines = rows.map((r) => [
    `${r.method} ${r.path}`,
    String(r.requestsPerSecond),
    String(r.latencyP50Ms),
    String(r.latencyP99Ms),
    r.ratioToBaseline.toFixed(2),
    String(r.non2xx + r.errors),
    r.loadAverage.toFixed(2),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  console.log(`\n${runtime}:\n${fmt(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const l of lines) console.log(fmt(l));
  console.log(
    `(${connections} connections, ${duration} s per case in ${rounds} rounds; p50/p99: median over rounds; ` +
      'client and server on this machine: compare ratios, not absolutes; load: 1-min load average)',
  );
}
