/**
 * What the app relies on from a D1 binding, asserted on both runtimes: D1 itself inside workerd
 * (vitest.config.ts) and the SQLite binding of the self-hosted runtime (vitest.node.config.ts).
 * Shapes of answers, errors' wording, bound-value conversions, batch atomicity.
 */
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';

const db = () => env.COUNTY_SPARE!;

beforeAll(async () => {
  await db().exec(
    'CREATE TABLE IF NOT EXISTS contract_t (id INTEGER PRIMARY KEY, v TEXT UNIQUE, n INTEGER CHECK (n >= 0), b BLOB)',
  );
});

describe('a D1 binding', () => {
  it('answers run, all, first and raw in the same shapes', async () => {
    const run = await db()
      .prepare('INSERT INTO contract_t (v, n, b) VALUES (?, ?, ?)')
      .bind('a', true, new Uint8Array([1, 2]))
      .run();
    expect(run.success).toBe(true);
    expect(run.meta.changes).toBe(1);
    expect(typeof run.meta.last_row_id).toBe('number');
    expect(typeof run.meta.duration).toBe('number');
    const all = await db().prepare('SELECT v, n, b FROM contract_t WHERE v = ?').bind('a').all();
    expect(all.results).toEqual([{ v: 'a', n: 1, b: [1, 2] }]);
    expect(await db().prepare('SELECT v FROM contract_t WHERE v = ?').bind('a').first('v')).toBe('a');
    expect(await db().prepare('SELECT v FROM contract_t WHERE v = ?').bind('zz').first()).toBeNull();
    expect(
      await db().prepare('SELECT v, n FROM contract_t WHERE v = ?').bind('a').raw({ columnNames: true }),
    ).toEqual([
      ['v', 'n'],
      ['a', 1],
    ]);
    expect(() => db().prepare('SELECT ?').bind(undefined)).toThrow('D1_TYPE_ERROR');
  });

  it('words constraint failures as SQLite does, behind D1_ERROR', async () => {
    const unique = await db()
      .prepare("INSERT INTO contract_t (v) VALUES ('a')")
      .run()
      .catch((e: Error) => e.message);
    expect(unique).toMatch(/^D1_ERROR: UNIQUE constraint failed: contract_t\.v: SQLITE_CONSTRAINT/);
    const check = await db()
      .prepare("INSERT INTO contract_t (v, n) VALUES ('c', -1)")
      .run()
      .catch((e: Error) => e.message);
    expect(check).toMatch(/^D1_ERROR: CHECK constraint failed: .*SQLITE_CONSTRAINT/);
  });

  it('applies a batch whole or not at all', async () => {
    const before = await db().prepare('SELECT count(*) AS k FROM contract_t').first<number>('k');
    await expect(
      db().batch([
        db().prepare("INSERT INTO contract_t (v) VALUES ('b1')"),
        db().prepare("UPDATE contract_t SET n = 7 WHERE v = 'a'"),
        db().prepare("INSERT INTO contract_t (v) VALUES ('a')"),
      ]),
    ).rejects.toThrow('UNIQUE constraint failed');
    expect(await db().prepare('SELECT count(*) AS k FROM contract_t').first<number>('k')).toBe(before);
    expect(await db().prepare("SELECT n FROM contract_t WHERE v = 'a'").first('n')).toBe(1);
    const [ins, sel] = await db().batch([
      db().prepare("INSERT INTO contract_t (v) VALUES ('b2') RETURNING id"),
      db().prepare("SELECT v FROM contract_t WHERE v = 'b2'"),
    ]);
    expect(ins!.results).toHaveLength(1);
    expect(sel!.results).toEqual([{ v: 'b2' }]);
  });
});
