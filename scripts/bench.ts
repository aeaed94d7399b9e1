/**
 * `npm run bench [-- --duration 10 --connections 20 --rounds 2 --only a,b --port 8790 --keep]`
 *
 * Starts the app as `npm start` does, but on its own port and its own state directory
 * (.bench/state, so the dev data is never touched), seeded with the demo; then measures each
 * case of scripts/bench-cases.ts with autocannon, prints req/s, p50, p99 and the ratio to the
 * first case (the baseline), writes the same to .bench/results.json and stops the server.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import autocannon, { type Result } from 'autocannon';
import {
  type AutocannonCase,
  type BenchContext,
  CASES,
  DEFAULT_LOGIN,
  type ScenarioCase,
} from './bench-cases.ts';
import { flags } from './lib/args.ts';
import { openLocalPlatform } from './lib/local.ts';
import { ROOT } from './lib/paths.ts';
import { assertPortFree, prepareLocal, startDevServer, stopChild, waitForHealthy } from './lib/server.ts';

const USAGE = `Usage: npm run bench [-- options]

  --duration s      seconds per autocannon case (default $BENCH_SECONDS or 10)
  --connections n   concurrent connections (default 20)
  --rounds n        passes over the cases, each measuring duration / n seconds (default 2)
  --warmup s        unmeasured seconds per case before the first round (default 2)
  --only a,b        run only these cases (the baseline always runs): ${CASES.map((c) => c.name).join(', ')}
  --port n          server port (default 8790)
  --keep            reuse .bench/state instead of starting from fresh databases`;

const args = flags(
  {
    duration: { type: 'string' },
    connections: { type: 'string' },
    warmup: { type: 'string' },
    rounds: { type: 'string' },
    only: { type: 'string' },
    port: { type: 'string' },
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
const STATE_DIR = `${BENCH_DIR}/state`;
const baseUrl = `http://127.0.0.1:${port}`;

const SERVER_LOG = `${BENCH_DIR}/server.log`;

try {
  await assertPortFree(port);
} catch (err) {
  console.error(`bench: ${err instanceof Error ? err.message : String(err)} (--port)`);
  process.exit(1);
}
if (!args.keep) rmSync(STATE_DIR, { recursive: true, force: true });
mkdirSync(BENCH_DIR, { recursive: true });
console.log(`Preparing ${STATE_DIR} …`);
await prepareLocal({ stateDir: STATE_DIR, log: () => {} });
// Bulk data (the synthetic county) goes in before the server opens the same files, once.
const preparing = selected.filter((c) => c.prepare);
if (preparing.length > 0) {
  const platform = await openLocalPlatform(STATE_DIR);
  try {
    for (const c of preparing) await c.prepare!(platform);
  } finally {
    await platform.dispose();
  }
}

console.log(`Starting the server on ${baseUrl} (its output: .bench/server.log) …`);
// The server's output goes to a file, not through this process, which runs the load generator.
const logFd = openSync(SERVER_LOG, 'w');
const server = startDevServer({ port, stateDir: STATE_DIR, stdio: logFd });
closeSync(logFd);
const stop = () => stopChild(server);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => void stop().then(() => process.exit(130)));
}

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

try {
  await waitForHealthy(server, baseUrl);
  const ctx = benchContext();
  // Setup and sign-in first, then the measurement: `rounds` passes over all cases, each case
  // getting duration / rounds seconds per pass, so background load on the machine is spread
  // over every case instead of skewing whichever happened to run during it.
  const tokens = new Map<AutocannonCase, string | null>();
  for (const c of cases) {
    await c.setup?.(ctx);
    tokens.set(c, c.as === null ? null : await ctx.token(c.as ?? DEFAULT_LOGIN));
    if (warmup > 0) await measure(c, tokens.get(c) ?? null, warmup);
  }
  const slice = duration / rounds;
  const samples = new Map<AutocannonCase, { result: Result; load: number }[]>(cases.map((c) => [c, []]));
  for (let i = 1; i <= rounds; i++) {
    process.stdout.write(`  round ${i}/${rounds}:`);
    for (const c of cases) {
      const load = loadavg()[0] ?? 0;
      const result = await measure(c, tokens.get(c) ?? null, slice);
      samples.get(c)!.push({ result, load });
      process.stdout.write(` ${c.name} ${round(result.requests.total / result.duration)} req/s;`);
    }
    process.stdout.write('\n');
  }
  const rows: Row[] = [];
  for (const c of cases) {
    const runs = samples.get(c)!;
    const requests = runs.reduce((n, r) => n + r.result.requests.total, 0);
    const seconds = runs.reduce((n, r) => n + r.result.duration, 0);
    const rps = requests / seconds;
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

  printTable(rows);

  // Scenarios: each timed once end to end, after the autocannon rounds, beside the baseline's
  // req/s of this run (measured again right before each scenario).
  const scenarioRows: ScenarioRow[] = [];
  for (const c of scenarios) {
    process.stdout.write(`  scenario ${c.name} …`);
    const base = await measure(baseline, null, Math.min(2, slice));
    const load = loadavg()[0] ?? 0;
    const { seconds, extra } = await c.run(ctx);
    process.stdout.write(` ${seconds.toFixed(2)} s\n`);
    scenarioRows.push({
      name: c.name,
      label: c.label,
      seconds: round(seconds, 3),
      extra,
      baselineRequestsPerSecond: round(base.requests.total / base.duration),
      loadAverage: round(load, 2),
    });
  }
  if (scenarioRows.length > 0) printScenarios(scenarioRows);
  const results = {
    at: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version },
    settings: {
      connections,
      durationSeconds: duration,
      rounds,
      warmupSeconds: warmup,
      server: 'wrangler dev (local)',
    },
    baseline: baseline.name,
    results: rows,
    scenarios: scenarioRows,
  };
  writeFileSync(`${BENCH_DIR}/results.json`, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nWritten to .bench/results.json`);
  const failed = rows.filter((r) => r.non2xx > 0 || r.errors > 0);
  if (failed.length > 0) {
    console.error(
      `Some requests failed (${failed.map((r) => r.name).join(', ')}): the figures are not meaningful.`,
    );
    process.exitCode = 1;
  }
} catch (err) {
  console.error(`bench: ${err instanceof Error ? err.message : String(err)}`);
  const tail = readFileSync(SERVER_LOG, 'utf8').trimEnd().split('\n').slice(-15).join('\n  ');
  if (tail) console.error(`Last lines of .bench/server.log:\n  ${tail}`);
  process.exitCode = 1;
} finally {
  await stop();
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

function measure(c: AutocannonCase, token: string | null, seconds: number): Promise<Result> {
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

function benchContext(): BenchContext {
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
  return { baseUrl, serverLog: SERVER_LOG, token, api };
}

function printTable(rows: Row[]) {
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
  console.log(`\n${fmt(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const l of lines) console.log(fmt(l));
  console.log(
    `(${connections} connections, ${duration} s per case in ${rounds} rounds; p50/p99: median over rounds; ` +
      'client and server on this machine: compare ratios, not absolutes; load: 1-min load average)',
  );
}
