import { drizzle } from 'drizzle-orm/d1';
import type { Bindings, CountyDb } from '../env';
import { notFound } from '../lib/problem';
import type { CountyRow } from './control-schema';
import * as controlSchema from './control-schema';
import * as countySchema from './county-schema';
import { guardedD1 } from './param-guard';

export { chunkForParams, D1_MAX_PARAMS, inJsonList, queryInChunks } from './chunks';

// controlDb and countyDatabase are where an environment becomes a database, so in tests they
// hold every statement to D1's 100 bound parameters (src/db/param-guard.ts explains the seam).
export const controlDb = (env: Bindings) =>
  drizzle(guardedD1(env, env.CONTROL_DB), { schema: controlSchema });
export type ControlDb = ReturnType<typeof controlDb>;

/**
 * The only code that turns a county into its database (DESIGN.md §2). Nothing else reads
 * `env[binding]`: a self-hosted deployment would swap this one function for another store.
 */
export function countyDatabase(env: Bindings, county: Pick<CountyRow, 'binding' | 'status'>): D1Database {
  const db = county.status === 'active' ? env[county.binding as `COUNTY_${string}`] : undefined;
  // A registered county without its binding is a deployment fault, but to the caller it is
  // simply not served here: the same 404 as an unknown county.
  if (!db) throw notFound('county');
  return guardedD1(env, db);
}

export const countyDrizzle = (d1: D1Database): CountyDb => drizzle(d1, { schema: countySchema });

/** Whether the Worker has a D1 binding of that name (a county must have one to be registered). */
export const hasCountyBinding = (env: Bindings, binding: string): boolean =>
  /^COUNTY_[A-Z0-9_]+$/.test(binding) && typeof env[binding as `COUNTY_${string}`] === 'object';

/** The binding name a county slug gets by convention (also used by scripts/counties.ts). */
export const bindingForSlug = (slug: string) => `COUNTY_${slug.toUpperCase().replace(/-/g, '_')}`;
