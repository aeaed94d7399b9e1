/**
 * Every test's databases refuse what D1 refuses: a statement with more than 100 bound parameters
 * (src/db/param-guard.ts). Local SQLite alone would run it.
 */
import { env } from 'cloudflare:workers';
import { inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { controlDb, countyDatabase, countyDrizzle, inJsonList, queryInChunks } from '.';
import { counties } from './control-schema';
import { townships } from './county-schema';
import { boundParameterCount, guardedEnv } from './param-guard';

const marks = (n: number) => Array.from({ length: n }, () => '?').join(', ');
const values = (n: number) => Array.from({ length: n }, (_, i) => `v${i}`);
const deqing = () => countyDatabase(env, { binding: 'COUNTY_DEQING', status: 'active' });
const over = /more than 100 bound parameters; this one has 101/;

describe('the D1 bindings the app uses in tests', () => {
  it('refuse a 101-parameter statement through the app binding, naming the count', async () => {
    const query = `SELECT count(*) AS n FROM townships WHERE id IN (${marks(101)})`;
    // Refused before it reaches SQLite, whatever local SQLite's own limit.
    expect(() => deqing().prepare(query)).toThrow(over);
    expect(() => deqing().prepare(query)).toThrow(/: SELECT count\(\*\) AS n FROM townships WHERE id IN/);
    // Without placeholders to count, the values bound are counted.
    const noMarks = deqing().prepare('SELECT 1');
    expect(() => noMarks.bind(...values(101))).toThrow(over);
  });

  it('let 100 parameters through', async () => {
    const rows = await deqing()
      .prepare(`SELECT id FROM townships WHERE id IN (${marks(100)})`)
      .bind('wukang', ...values(99))
      .all();
    expect(rows.results).toEqual([{ id: 'wukang' }]);
  });

  it('refuse an over-long batch, also of statements prepared on the unwrapped binding', async () => {
    const raw = env.COUNTY_DEQING!.prepare(`SELECT 1 WHERE 'x' IN (${marks(101)})`).bind(...values(101));
    await expect(deqing().batch([deqing().prepare('SELECT 1'), raw])).rejects.toThrow(over);
  });

  it('refuse drizzle statements over the cap on the control and the county database', async () => {
    await expect(
      controlDb(env)
        .select()
        .from(counties)
        .where(inArray(counties.slug, values(101))),
    ).rejects.toThrow(over);
    const db = countyDrizzle(deqing());
    await expect(
      db
        .select()
        .from(townships)
        .where(inArray(townships.id, values(101))),
    ).rejects.toThrow(over);
    await expect(
      db.batch([
        db
          .select()
          .from(townships)
          .where(inArray(townships.id, values(101))),
      ]),
    ).rejects.toThrow(over);
  });

  it('guard every database binding of an entry point env, and nothing outside the test environment', async () => {
    const guarded = guardedEnv(env);
    for (const binding of ['CONTROL_DB', 'COUNTY_DEQING', 'COUNTY_ANJI', 'COUNTY_SPARE'] as const) {
      expect(() => guarded[binding]!.prepare(`SELECT ${marks(101)}`)).toThrow(over);
    }
    expect(guardedEnv(guarded) === guarded).toBe(true);
    expect(guardedEnv(env) === guarded).toBe(true);
    const production = { ...env, ENVIRONMENT: 'production' };
    expect(guardedEnv(production) === production).toBe(true);
    expect(() => production.CONTROL_DB.prepare(`SELECT ${marks(101)}`)).not.toThrow();
  });

  it('count parameters as SQLite numbers them', () => {
    expect(boundParameterCount('SELECT ?, ?, ?')).toBe(3);
    // ?NNN is that parameter: ?1 used three times is one, ?101 alone makes 101.
    expect(boundParameterCount('SELECT ?1, ?1, ?1')).toBe(1);
    expect(boundParameterCount('SELECT ?101')).toBe(101);
    expect(boundParameterCount('SELECT ?2, ?')).toBe(3);
    expect(boundParameterCount('SELECT :a, @b, $c, :a')).toBe(3);
    // Nothing inside quotes or comments.
    expect(boundParameterCount(`SELECT '?', "a?", 'it''s ?', ? -- why?\n /* ? */`)).toBe(1);
  });
});

describe('the chunking helper', () => {
  it('runs a query per chunk leaving room for the statement’s other parameters', async () => {
    const db = countyDrizzle(deqing());
    const ids = ['wukang', ...values(250), 'wukang'];
    const seen: number[] = [];
    const rows = await queryInChunks(ids, 3, (chunk) => {
      seen.push(chunk.length);
      return db
        .select({ id: townships.id })
        .from(townships)
        .where(inArray(townships.id, [...chunk, 'x', 'y', 'z']));
    });
    expect(rows).toEqual([{ id: 'wukang' }]);
    expect(seen).toEqual([97, 97, 57]);
    expect(await queryInChunks([], 0, () => Promise.reject(new Error('no query for no ids')))).toEqual([]);
  });

  it('passes a list of any length beside other parameters as one JSON parameter', async () => {
    const db = countyDrizzle(deqing());
    const rows = await db
      .select({ id: townships.id })
      .from(townships)
      .where(inJsonList(townships.id, ['wukang', ...values(300)]));
    expect(rows).toEqual([{ id: 'wukang' }]);
  });
});
