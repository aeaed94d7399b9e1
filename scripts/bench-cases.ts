/**
 * The cases `npm run bench` measures, side by side with the first one (the baseline). Add a case
 * by appending an object: a route, who calls it, and optionally a body (a function gives every
 * request a fresh one, e.g. unique ids) and a `setup` that prepares data once before measuring.
 */

import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import {
  type SyntheticCounty,
  syntheticCounty,
  syntheticEngineInput,
  writeSyntheticCounty,
} from '../src/compliance/synthetic.ts';
import { DEMO_COUNTIES } from '../src/demo/data.ts';
import {
  type CompiledHistory,
  type ComplianceBatchInput,
  compileHistory,
  deqing2017,
  evaluateComplianceBatch,
} from '../src/rules/index.ts';
import { rosterCsv, superviseeCells } from '../test/helpers/roster.ts';
import type { LocalPlatform } from './lib/local.ts';

export type BenchContext = {
  baseUrl: string;
  /** The server's output (its request log: one JSON line per request, with "ms"). */
  serverLog: string;
  /** An access token for a demo login (signed in once, then cached). */
  token: (login: string) => Promise<string>;
  /** A JSON call to the server as `login`; throws unless the answer is 2xx. */
  api: <T = unknown>(method: string, path: string, body?: unknown, login?: string) => Promise<T>;
};

export type BenchCase = AutocannonCase | ScenarioCase;

export type AutocannonCase = {
  kind?: 'autocannon';
  /** Short, unique, stable: results are keyed by it. */
  name: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  /** A JSON body, or a function returning a new one for every request. */
  body?: unknown | (() => unknown);
  /** Extra headers, or a function returning them for every request (e.g. an Idempotency-Key). */
  headers?: Record<string, string> | (() => Record<string, string>);
  /** The demo login whose Bearer token is sent (default deqing.admin); null for none. */
  as?: string | null;
  /** Runs once before the case is measured, against the bench's own seeded databases. */
  setup?: (ctx: BenchContext) => Promise<void>;
  /** Runs once before the server starts, on the bench's databases (e.g. bulk data). */
  prepare?: (platform: LocalPlatform) => Promise<void>;
};

/** A scenario timed end to end once (not autocannon): heavy reads, jobs, imports, the engine. */
export type ScenarioCase = {
  kind: 'scenario';
  name: string;
  /** What it measures, for the table. */
  label: string;
  /** Runs once before the server starts, on the bench's databases (e.g. bulk data). */
  prepare?: (platform: LocalPlatform) => Promise<void>;
  run: (ctx: BenchContext) => Promise<{ seconds: number; extra: Record<string, unknown> }>;
};

export const DEFAULT_LOGIN = 'deqing.admin';

const OPERATOR = 'platform.operator';
const SYN_MONTH = '2026-03';
const COMPLIANCE_REQUESTS = Number(process.env.BENCH_COMPLIANCE_REQUESTS ?? 10);
/** Distinguishes this run's idempotency keys from earlier runs' (with --keep). */
const RUN = Date.now().toString(36);
let activitySeq = 0;
/** The demo's today: the pinned TODAY (scripts/lib/server.ts), else the real date. */
const BENCH_TODAY = process.env.TODAY || new Date().toISOString().slice(0, 10);

export const CASES: BenchCase[] = [
  // The baseline: the Worker with no auth and no database.
  { name: 'healthz', method: 'GET', path: '/healthz', as: null },
  // Signed in, no county: token check and one control-database batch (session, user, memberships).
  { name: 'me', method: 'GET', path: '/api/v1/me' },
  // An authenticated county read: the same, plus the county's row and one county-database query.
  { name: 'county-read', method: 'GET', path: '/api/v1/counties/deqing/townships' },
  // A write: one activity per request, each with its own idempotency key and date.
  {
    name: 'activity-create',
    method: 'POST',
    path: '/api/v1/counties/deqing/activities',
    as: 'provider.worker',
    headers: () => ({ 'idempotency-key': `bench-${RUN}-${++activitySeq}` }),
    body: () => {
      const n = activitySeq;
      return {
        type: 'phone_followup',
        // Within the demo's terms, which began six months before today (src/demo/service-records.ts).
        occurredOn: addDaysIso(BENCH_TODAY, -1 - (n % 150)),
        durationMinutes: 15,
        participants: [{ superviseeId: `demo-deqing-s${1 + (n % 6)}` }],
      };
    },
  },
  {
    kind: 'scenario',
    name: 'compliance-3000',
    label: `GET compliance?month=${SYN_MONTH}, 3,000 supervisees, ${COMPLIANCE_REQUESTS} requests × 1 conn`,
    prepare: async (platform) => {
      const d1 = platform.database('COUNTY_DEQING');
      const found = await d1
        .prepare("SELECT count(*) AS n FROM supervisees WHERE id LIKE 'bench%'")
        .first<{ n: number }>();
      if ((found?.n ?? 0) > 0) return; // --keep: already written
      const t = performance.now();
      const { statements } = await writeSyntheticCounty(d1, synthetic());
      console.log(
        `  synthetic county written: ${statements} statements in ${((performance.now() - t) / 1000).toFixed(1)} s`,
      );
    },
    run: async (ctx) => {
      const token = await ctx.token(DEFAULT_LOGIN);
      const url = `${ctx.baseUrl}/api/v1/counties/deqing/compliance?month=${SYN_MONTH}`;
      const get = async () => {
        const t = performance.now();
        const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
        const body = (await res.json()) as { items?: unknown[] };
        if (!res.ok) throw new Error(`compliance: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
        return {
          ms: performance.now() - t,
          queries: Number(res.headers.get('x-d1-queries')),
          items: body.items?.length,
        };
      };
      await get(); // warm-up, not counted
      const t0 = performance.now();
      const runs = [];
      for (let i = 0; i < COMPLIANCE_REQUESTS; i++) runs.push(await get());
      const ms = runs.map((r) => r.ms).sort((a, b) => a - b);
      // Server time: the route's own log lines ("ms") for the same requests, the last N in the log.
      await new Promise((r) => setTimeout(r, 200));
      const serverMs = readFileSync(ctx.serverLog, 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('{') && l.includes('"route":"/api/v1/counties/:county/compliance"'))
        .slice(-COMPLIANCE_REQUESTS)
        .map((l) => Number((JSON.parse(l) as { ms?: number }).ms))
        .filter((n) => Number.isFinite(n))
        .sort((a, b) => a - b);
      return {
        seconds: (performance.now() - t0) / 1000,
        extra: {
          msPerRequest: Math.round(ms.reduce((a, b) => a + b, 0) / ms.length),
          serverMsP50: serverMs.length > 0 ? pct(serverMs, 0.5) : null,
          serverMsP99: serverMs.length > 0 ? pct(serverMs, 0.99) : null,
          p50Ms: Math.round(pct(ms, 0.5)),
          p99Ms: Math.round(pct(ms, 0.99)),
          d1Queries: runs[0]!.queries,
          itemsOnPage: runs[0]!.items,
        },
      };
    },
  },
  {
    kind: 'scenario',
    name: 'engine-only',
    label: 'compileHistory + evaluateComplianceBatch in Node, 3,000 supervisees × 5 reps',
    run: async () => {
      const input = syntheticEngineInput(synthetic());
      const history = compileHistory([
        { id: 'p', version: 1, publishedAt: '2017-01-01T00:00:00.000Z', ruleSet: deqing2017 },
      ]);
      const reps = 5;
      evaluateComplianceBatch(batchInput(history, input)); // warm-up
      const t0 = performance.now();
      let items = 0;
      for (let i = 0; i < reps; i++) items += countOf(evaluateComplianceBatch(batchInput(history, input)));
      const seconds = (performance.now() - t0) / 1000;
      return {
        seconds,
        extra: {
          superviseeMonthsPerSecond: Math.round((input.length * reps) / seconds),
          msPerRep: Math.round((seconds * 1000) / reps),
          items: items / reps,
        },
      };
    },
  },
  {
    kind: 'scenario',
    name: 'daily-job-3000',
    label: "deqing's daily job (POST /platform/jobs/deqing/run, polled), with the synthetic county",
    run: async (ctx) => {
      type Run = {
        id: string;
        status: string;
        finishedAt: string | null;
        durationMs: number | null;
        summary: unknown;
        error: string | null;
      };
      const list = async () =>
        (await ctx.api<{ items: Run[] }>('GET', '/api/v1/platform/jobs?county=deqing', undefined, OPERATOR))
          .items;
      const before = new Set((await list()).map((r) => r.id));
      const t0 = performance.now();
      await ctx.api('POST', '/api/v1/platform/jobs/deqing/run', undefined, OPERATOR);
      for (;;) {
        const done = (await list()).find(
          (r) => !before.has(r.id) && r.finishedAt !== null && r.status !== 'running',
        );
        if (done) {
          return {
            seconds: (performance.now() - t0) / 1000,
            extra: {
              status: done.status,
              durationMs: done.durationMs,
              summary: done.summary,
              error: done.error,
            },
          };
        }
        if (performance.now() - t0 > 300_000) throw new Error('daily job: no finished run after 300 s');
        await new Promise((r) => setTimeout(r, 250));
      }
    },
  },
  {
    kind: 'scenario',
    name: 'import-5000',
    label: '5,000-row supervisee CSV import into anji (POST + continue…), then the same file again',
    run: async (ctx) => {
      const townships = DEMO_COUNTIES.find((c) => c.slug === 'anji')!.townships.map((t) => t.name);
      const rows = Array.from({ length: 5000 }, (_, i) =>
        superviseeCells(i, 77, { '乡镇(街道)': townships[i % 3]!, 居住地址: `安吉县测试路${i}号` }),
      );
      const csv = rosterCsv(rows);
      const token = await ctx.token('anji.admin');
      const once = async () => {
        const t = performance.now();
        const post = async (path: string, body?: string) => {
          const res = await fetch(`${ctx.baseUrl}${path}`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'text/csv' } : {}) },
            body,
          });
          const json = (await res.json()) as ImportState;
          if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(json).slice(0, 400)}`);
          return json;
        };
        let job = await post('/api/v1/counties/anji/imports?kind=supervisees&dryRun=false', csv);
        let steps = 1;
        while (job.next === 'continue') {
          job = await post(`/api/v1/counties/anji/imports/${job.id}/continue`);
          steps++;
          if (steps > 100) throw new Error('import: more than 100 steps');
        }
        return {
          seconds: (performance.now() - t) / 1000,
          steps,
          status: job.status,
          counts: job.counts ?? job.summary,
        };
      };
      const first = await once();
      const second = await once();
      return {
        seconds: first.seconds,
        extra: {
          first: {
            seconds: round2(first.seconds),
            steps: first.steps,
            status: first.status,
            counts: first.counts,
          },
          secondUnchanged: {
            seconds: round2(second.seconds),
            steps: second.steps,
            status: second.status,
            counts: second.counts,
          },
        },
      };
    },
  },
];

type ImportState = {
  id: string;
  status: string;
  next: 'continue' | 'commit' | null;
  counts?: unknown;
  summary?: unknown;
};

const batchInput = (
  history: CompiledHistory,
  supervisees: ComplianceBatchInput['supervisees'],
): ComplianceBatchInput => ({
  history,
  supervisees,
  from: `${SYN_MONTH}-01`,
  to: `${SYN_MONTH}-31`,
  today: '2026-04-01',
});

const countOf = (r: { items: unknown[] }[]) => r.reduce((n, x) => n + x.items.length, 0);

let syntheticCache: SyntheticCounty | undefined;
/** The 3,000-supervisee county, built once (the same rows for the server cases and the engine). */
function synthetic(): SyntheticCounty {
  syntheticCache ??= syntheticCounty({
    supervisees: 3000,
    month: SYN_MONTH,
    townshipIds: DEMO_COUNTIES[0]!.townships.map((t) => t.id),
    providerId: 'chenxi',
    seed: 1,
    prefix: 'bench',
  });
  return syntheticCache;
}

function addDaysIso(day: string, n: number) {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

function pct(sorted: number[], p: number) {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}

const round2 = (n: number) => Math.round(n * 100) / 100;
