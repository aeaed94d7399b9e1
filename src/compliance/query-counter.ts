/**
 * Counts the statements a request sends to a county database, so that "a bounded number of
 * queries whatever the county's size" is measured rather than promised: the compliance routes
 * answer the count in `x-d1-queries`, the tests assert it, the bench reports it.
 *
 * It also holds every statement to D1's cap of 100 bound parameters, which local SQLite does
 * not enforce, so a test over a large county fails here before production would.
 */
import { D1_MAX_PARAMS } from '../db';
import { boundParameterCount } from '../db/param-guard';

export const QUERY_COUNT_HEADER = 'x-d1-queries';

export interface CountingD1 {
  d1: D1Database;
  /** Statements prepared so far (each one runs once, alone or in a batch). */
  count(): number;
}

export function countingD1(target: D1Database): CountingD1 {
  let n = 0;
  const d1 = new Proxy(target, {
    get(t, prop) {
      if (prop === 'prepare') {
        return (query: string) => {
          n += 1;
          const params = boundParameterCount(query);
          if (params > D1_MAX_PARAMS)
            throw new Error(`statement with ${params} bound parameters; D1 allows ${D1_MAX_PARAMS}`);
          return t.prepare(query);
        };
      }
      const value = Reflect.get(t, prop, t);
      // Native methods must run on the binding itself, not on the proxy.
      return typeof value === 'function' ? value.bind(t) : value;
    },
  });
  return { d1, count: () => n };
}
