/**
 * D1 refuses a statement with more than 100 bound parameters. Local SQLite allows 32,766 (the
 * local D1 of the workerd this repository pins happens to refuse more than 100 too, with a bare
 * "too many SQL variables"; an older or newer one need not), so the tests must not rely on it.
 * In the test environment (ENVIRONMENT = 'test') the Worker's D1 bindings are therefore wrapped:
 * `prepare(…)`, `bind(…)` and `batch([…])` throw an Error naming the count and the statement as
 * soon as a statement has more than 100 parameters, before it reaches SQLite.
 *
 * The seam. The app reaches its databases in two ways only, and both are wrapped:
 * - the `env` an entry point receives (src/index.ts: fetch, cron, queue). That is Hono's `c.env`,
 *   so it covers CONTROL_DB used raw (sign-in throttling, audit sealing) as well as every
 *   COUNTY_* read through the two functions below;
 * - `controlDb(env)` and `countyDatabase(env, county)` (src/db/index.ts), the only code that turns
 *   an environment into a database, which tests also call directly with the test `env` (jobs,
 *   services). Wrapping is idempotent, so a binding passing both ways is wrapped once.
 * Test code that uses `env.COUNTY_DEQING` itself (the seed, fixtures) stays unwrapped on purpose:
 * it is not the app's path. Production and development get their bindings untouched.
 *
 * What counts: the larger of the values bound and the parameters SQLite numbers in the SQL — an
 * anonymous `?` takes the next number, `?NNN` that number (so `?1` used twice counts once), a
 * named `:a`/`@a`/`$a` one number per distinct name; nothing inside quotes or comments counts.
 */
import { D1_MAX_PARAMS } from './chunks';

/** The number of parameters SQLite gives a statement (sqlite3_bind_parameter_count). */
export function boundParameterCount(query: string): number {
  let count = 0;
  const named = new Set<string>();
  const n = query.length;
  for (let i = 0; i < n; i++) {
    const ch = query[i]!;
    if (ch === "'" || ch === '"' || ch === '`') {
      // A quoted string or identifier; a doubled quote inside it is an escaped quote.
      let j = i + 1;
      while (j < n && !(query[j] === ch && query[j + 1] !== ch)) j += query[j] === ch ? 2 : 1;
      i = j;
    } else if (ch === '[') {
      const end = query.indexOf(']', i + 1);
      i = end < 0 ? n : end;
    } else if (ch === '-' && query[i + 1] === '-') {
      const end = query.indexOf('\n', i);
      i = end < 0 ? n : end;
    } else if (ch === '/' && query[i + 1] === '*') {
      const end = query.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 1;
    } else if (ch === '?') {
      let j = i + 1;
      while (j < n && query[j]! >= '0' && query[j]! <= '9') j++;
      count = j > i + 1 ? Math.max(count, Number(query.slice(i + 1, j))) : count + 1;
      i = j - 1;
    } else if (ch === ':' || ch === '@' || ch === '$') {
      const name = /^[A-Za-z0-9_]+/.exec(query.slice(i + 1, i + 65))?.[0];
      if (!name) continue;
      if (!named.has(ch + name)) {
        named.add(ch + name);
        count += 1;
      }
      i += name.length;
    }
  }
  return count;
}

function refuseOver(count: number, query: string) {
  if (count > D1_MAX_PARAMS)
    throw new Error(
      `D1 refuses statements with more than ${D1_MAX_PARAMS} bound parameters; this one has ${count}: ${query.slice(0, 160)}`,
    );
}

const guards = new WeakSet<object>();
const guardOf = new WeakMap<object, object>();

/** Binds a target's own methods to it: native D1 methods must not run on the proxy. */
const forward = <T extends object>(t: T, prop: string | symbol) => {
  const value = Reflect.get(t, prop, t);
  return typeof value === 'function' ? value.bind(t) : value;
};

function guardStatement(stmt: D1PreparedStatement, query: string, placeholders: number): D1PreparedStatement {
  const guarded = new Proxy(stmt, {
    get(t, prop) {
      if (prop === 'bind')
        return (...values: unknown[]) => {
          refuseOver(Math.max(values.length, placeholders), query);
          return guardStatement(t.bind(...values), query, placeholders);
        };
      return forward(t, prop);
    },
  });
  guards.add(guarded);
  return guarded;
}

type Database = Pick<D1Database, 'prepare' | 'batch'>;

/** A database (or session) that refuses statements over D1's cap; the same proxy every time. */
export function guardD1<T extends Database>(d1: T): T {
  if (guards.has(d1)) return d1;
  const known = guardOf.get(d1);
  if (known) return known as T;
  const guarded = new Proxy(d1, {
    get(t, prop) {
      if (prop === 'prepare')
        return (query: string) => {
          const placeholders = boundParameterCount(query);
          refuseOver(placeholders, query);
          return guardStatement(t.prepare(query), query, placeholders);
        };
      if (prop === 'batch')
        return async (statements: D1PreparedStatement[]) => {
          // Statements prepared on an unwrapped binding are held to the cap here.
          for (const s of statements as unknown as { statement: string; params: unknown[] }[])
            refuseOver(Math.max(s.params.length, boundParameterCount(s.statement)), s.statement);
          return t.batch(statements);
        };
      if (prop === 'withSession' && 'withSession' in t)
        return (...args: Parameters<D1Database['withSession']>) =>
          guardD1((t as unknown as D1Database).withSession(...args));
      return forward(t, prop);
    },
  });
  guards.add(guarded);
  guardOf.set(d1, guarded);
  return guarded;
}

const isTest = (env: { ENVIRONMENT?: string }) => env.ENVIRONMENT === 'test';

/** `d1` as the app may use it in `env`: guarded in the test environment, untouched elsewhere. */
export const guardedD1 = <T extends Database>(env: { ENVIRONMENT?: string }, d1: T): T =>
  isTest(env) ? guardD1(d1) : d1;

const isDatabaseBinding = (name: string | symbol) =>
  typeof name === 'string' && (name === 'CONTROL_DB' || name.startsWith('COUNTY_'));

const envGuards = new WeakMap<object, object>();
const guardedEnvs = new WeakSet<object>();

/** An entry point's `env` with CONTROL_DB and every COUNTY_* guarded (test environment only). */
export function guardedEnv<E extends { ENVIRONMENT?: string }>(env: E): E {
  if (!isTest(env) || guardedEnvs.has(env)) return env;
  const known = envGuards.get(env);
  if (known) return known as E;
  const guarded = new Proxy(env, {
    get(t, prop) {
      const value: unknown = Reflect.get(t, prop, t);
      return isDatabaseBinding(prop) && value && typeof value === 'object'
        ? guardD1(value as Database)
        : value;
    },
  });
  envGuards.set(env, guarded);
  guardedEnvs.add(guarded);
  return guarded;
}
