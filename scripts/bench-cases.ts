/**
 * The cases `npm run bench` measures, side by side with the first one (the baseline). Add a case
 * by appending an object: a route, who calls it, and optionally a body (a function gives every
 * request a fresh one, e.g. unique ids) and a `setup` that prepares data once before measuring.
 */

export type BenchContext = {
  baseUrl: string;
  /** An access token for a demo login (signed in once, then cached). */
  token: (login: string) => Promise<string>;
  /** A JSON call to the server as `login`; throws unless the answer is 2xx. */
  api: <T = unknown>(method: string, path: string, body?: unknown, login?: string) => Promise<T>;
};

export type BenchCase = {
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
};

export const DEFAULT_LOGIN = 'deqing.admin';

export const CASES: BenchCase[] = [
  // The baseline: the Worker with no auth and no database.
  { name: 'healthz', method: 'GET', path: '/healthz', as: null },
  // Signed in, no county: token check and one control-database batch (session, user, memberships).
  { name: 'me', method: 'GET', path: '/api/v1/me' },
  // An authenticated county read: the same, plus the county's row and one county-database query.
  { name: 'county-read', method: 'GET', path: '/api/v1/counties/deqing/townships' },
];
