/**
 * The D1 binding over SQLite (runtime/node/d1.ts), on real files in a temporary directory: the
 * interface and semantics the app relies on, drizzle-orm/d1 on top of it unchanged, and the
 * concurrency of several processes on one file.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { ROOT } from '../../scripts/lib/paths.ts';
import { batchAssert, batchGuard, isGuardFailure } from '../../src/db/guard.ts';
import { chunkForParams, D1_MAX_PARAMS } from '../../src/db/index.ts';
import { MAX_BOUND_PARAMETERS, SqliteD1Database } from './d1.ts';

const dir = mkdtempSync(join(tmpdir(), 'bangjiao-d1-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
let db: SqliteD1Database;
beforeEach(async () => {
  db = new SqliteD1Database(join(dir, `t${++n}.sqlite`));
  await db.exec(
    [
      'CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, age INTEGER CHECK (age >= 0), photo BLOB)',
      'CREATE TABLE pets (id INTEGER PRIMARY KEY, owner INTEGER NOT NULL REFERENCES people (id), name TEXT)',
      'CREATE TABLE batch_guard (id INTEGER PRIMARY KEY, ok INTEGER NOT NULL, reason TEXT, CONSTRAINT batch_guard_never CHECK (ok = 0))',
    ].join('\n'),
  );
});

const count = async (table: string) =>
  (await db.prepare(`SELECT count(*) AS n FROM ${table}`).first<number>('n')) ?? -1;

describe('statements', () => {
  it('answers first, all, run and raw as D1 does, with meta', async () => {
    const ins = db.prepare('INSERT INTO people (name, age) VALUES (?, ?)');
    const r1 = await ins.bind('甲', 30).run();
    expect(r1.success).toBe(true);
    expect(r1.results).toEqual([]);
    expect(r1.meta).toMatchObject({ changes: 1, last_row_id: 1, changed_db: true, rows_written: 1 });
    expect(typeof r1.meta.duration).toBe('number');
    expect(r1.meta.size_after).toBeGreaterThan(0);
    await ins.bind('乙', 41).run();
    // bind() returns a new statement; the prepared one is unchanged.
    const all = await db.prepare('SELECT id, name, age FROM people ORDER BY id').all();
    expect(all.results).toEqual([
      { id: 1, name: '甲', age: 30 },
      { id: 2, name: '乙', age: 41 },
    ]);
    expect(Object.getPrototypeOf(all.results[0])).toBe(Object.prototype);
    expect(all.meta.changes).toBe(0);
    expect(all.meta.rows_read).toBe(2);
    expect(await db.prepare('SELECT name FROM people WHERE id = ?').bind(2).first()).toEqual({ name: '乙' });
    expect(await db.prepare('SELECT name FROM people WHERE id = ?').bind(2).first('name')).toBe('乙');
    expect(await db.prepare('SELECT name FROM people WHERE id = ?').bind(9).first()).toBeNull();
    await expect(db.prepare('SELECT name FROM people').first('nope')).rejects.toThrow(
      'D1_COLUMN_NOTFOUND: Column not found (nope)',
    );
    expect(await db.prepare('SELECT id, name FROM people ORDER BY id').raw()).toEqual([
      [1, '甲'],
      [2, '乙'],
    ]);
    expect(await db.prepare('SELECT id, name FROM people ORDER BY id').raw({ columnNames: true })).toEqual([
      ['id', 'name'],
      [1, '甲'],
      [2, '乙'],
    ]);
    const returning = await db.prepare("INSERT INTO people (name) VALUES ('丙') RETURNING id").all();
    expect(returning.results).toEqual([{ id: 3 }]);
    expect(returning.meta.changes).toBe(1);
  });

  it('converts bound values as D1 does: booleans to 1/0, bytes to blobs (read back as byte arrays)', async () => {
    await db
      .prepare('INSERT INTO people (name, age, photo) VALUES (?, ?, ?)')
      .bind('丁', true, new Uint8Array([1, 2, 255]))
      .run();
    await db
      .prepare('INSERT INTO people (name, photo) VALUES (?, ?)')
      .bind('戊', new Uint8Array([7]).buffer)
      .run();
    await db.prepare('INSERT INTO people (name, photo) VALUES (?, ?)').bind('己', [9, 8]).run();
    expect((await db.prepare('SELECT age, photo FROM people ORDER BY id').all()).results).toEqual([
      { age: 1, photo: [1, 2, 255] },
      { age: null, photo: [7] },
      { age: null, photo: [9, 8] },
    ]);
    expect(() => db.prepare('SELECT ?').bind(undefined)).toThrow(
      "D1_TYPE_ERROR: Type 'undefined' not supported",
    );
    expect(() => db.prepare('SELECT ?').bind(1n)).toThrow("D1_TYPE_ERROR: Type 'bigint' not supported");
    expect(() => db.prepare('SELECT ?').bind({})).toThrow('D1_TYPE_ERROR');
    // Past 2^53 D1 answers an imprecise number rather than failing.
    expect(await db.prepare('SELECT 9007199254740993 AS big').first('big')).toBe(9007199254740992);
  });

  it("fails with D1's messages, so the app's checks for constraint names work", async () => {
    await db.prepare("INSERT INTO people (name) VALUES ('甲')").run();
    const unique = await db
      .prepare("INSERT INTO people (name) VALUES ('甲')")
      .run()
      .catch((e: Error) => e);
    expect(String(unique)).toBe('Error: D1_ERROR: UNIQUE constraint failed: people.name: SQLITE_CONSTRAINT');
    expect((unique as Error).cause).toBeInstanceOf(Error);
    await expect(db.prepare("INSERT INTO people (name, age) VALUES ('乙', -1)").run()).rejects.toThrow(
      /^D1_ERROR: CHECK constraint failed: .*: SQLITE_CONSTRAINT$/,
    );
    // Foreign keys are enforced, as on D1.
    await expect(db.prepare("INSERT INTO pets (owner, name) VALUES (99, '猫')").run()).rejects.toThrow(
      'FOREIGN KEY constraint failed',
    );
    await expect(db.prepare('SELEC 1').all()).rejects.toThrow(
      /^D1_ERROR: near "SELEC": syntax error: SQLITE_ERROR$/,
    );
    await expect(db.prepare('  ').all()).rejects.toThrow('D1_ERROR: No SQL statements detected.');
    // D1 has no SQL transactions: a batch is the transaction.
    for (const s of ['BEGIN', 'begin immediate', 'COMMIT', 'SAVEPOINT a', 'ROLLBACK'])
      await expect(db.prepare(s).run()).rejects.toThrow(/^D1_ERROR: To execute a transaction, use batch\(\)/);
  });

  it('refuses more than 100 bound parameters, alone and in a batch', async () => {
    expect(MAX_BOUND_PARAMETERS).toBe(D1_MAX_PARAMS);
    const select = (k: number) => db.prepare(`SELECT ${Array.from({ length: k }, () => '?').join(', ')}`);
    const values = (k: number) => Array.from({ length: k }, (_, i) => i);
    expect(
      await select(100)
        .bind(...values(100))
        .raw(),
    ).toEqual([values(100)]);
    await expect(
      select(101)
        .bind(...values(101))
        .raw(),
    ).rejects.toThrow('D1_ERROR: too many SQL variables: 101 bound parameters, D1 allows 100');
    const rows = Array.from({ length: 60 }, (_, i) => [`p${i}`, i] as const);
    const insertAll = (chunk: (readonly [string, number])[]) =>
      db
        .prepare(`INSERT INTO people (name, age) VALUES ${chunk.map(() => '(?, ?)').join(', ')}`)
        .bind(...chunk.flat());
    await expect(db.batch([insertAll(rows.slice(0, 10)), insertAll(rows)])).rejects.toThrow(
      'too many SQL variables',
    );
    expect(await count('people')).toBe(0);
    // What the app does instead (src/db/index.ts chunkForParams): every chunk fits.
    await db.batch(chunkForParams(rows, 2).map(insertAll));
    expect(await count('people')).toBe(60);
  });

  it('runs exec one line at a time in one transaction, failing with D1_EXEC_ERROR', async () => {
    expect(
      await db.exec("INSERT INTO people (name) VALUES ('a')\nINSERT INTO people (name) VALUES ('b')"),
    ).toMatchObject({
      count: 2,
    });
    await expect(
      db.exec("INSERT INTO people (name) VALUES ('c')\nINSERT INTO people (name) VALUES ('a')"),
    ).rejects.toThrow(
      "D1_EXEC_ERROR: Error in line 2: INSERT INTO people (name) VALUES ('a'): UNIQUE constraint failed: people.name: SQLITE_CONSTRAINT",
    );
    expect(await count('people')).toBe(2);
  });

  it('opens its file in WAL mode with a busy timeout', async () => {
    expect(await db.prepare('PRAGMA journal_mode').first('journal_mode')).toBe('wal');
    expect(await db.prepare('PRAGMA busy_timeout').first('timeout')).toBe(5000);
    expect(await db.prepare('PRAGMA foreign_keys').first('foreign_keys')).toBe(1);
  });

  it('leaves no bytes of a deleted row in the file (secure_delete)', async () => {
    const marker = 'residual-marker-剩余信息-0123456789';
    await db.prepare('INSERT INTO people (name) VALUES (?)').bind(marker).run();
    await db.prepare('DELETE FROM people WHERE name = ?').bind(marker).run();
    db.close();
    // Closing the last connection checkpoints the WAL into the file and removes the WAL.
    const bytes = readFileSync(db.path);
    expect(bytes.includes(Buffer.from(marker))).toBe(false);
    db = new SqliteD1Database(db.path);
  });
});

describe('batch', () => {
  it('is atomic: a failing statement rolls back every statement of the batch', async () => {
    await db.prepare("INSERT INTO people (name) VALUES ('甲')").run();
    const before = await count('people');
    const err = await db
      .batch([
        db.prepare("INSERT INTO people (name) VALUES ('乙')"),
        db.prepare("UPDATE people SET age = 5 WHERE name = '甲'"),
        db.prepare("INSERT INTO people (name) VALUES ('甲')"),
        db.prepare("INSERT INTO people (name) VALUES ('丙')"),
      ])
      .catch((e: Error) => e);
    expect(String(err)).toContain('UNIQUE constraint failed: people.name');
    expect(await count('people')).toBe(before);
    expect(await db.prepare("SELECT age FROM people WHERE name = '甲'").first('age')).toBeNull();
    // And the connection is usable afterwards (no transaction left open).
    const ok = await db.batch([
      db.prepare("INSERT INTO people (name) VALUES ('乙')"),
      db.prepare('SELECT count(*) AS n FROM people'),
    ]);
    expect(ok.map((r) => r.results)).toEqual([[], [{ n: 2 }]]);
    expect(ok[0]!.meta.changes).toBe(1);
    await expect(db.batch([])).rejects.toThrow('No SQL statements detected.');
  });

  it('carries drizzle-orm/d1 unchanged, batchAssert guards included', async () => {
    const people = sqliteTable('people', {
      id: integer('id').primaryKey(),
      name: text('name').notNull(),
      age: integer('age'),
    });
    const pets = sqliteTable('pets', {
      id: integer('id').primaryKey(),
      owner: integer('owner').notNull(),
      name: text('name'),
    });
    const d = drizzle(db as unknown as D1Database);
    const [p] = await d.insert(people).values({ name: '甲', age: 3 }).returning();
    expect(p).toEqual({ id: 1, name: '甲', age: 3 });
    await d.insert(pets).values([
      { owner: 1, name: '猫' },
      { owner: 1, name: '狗' },
    ]);
    // A join: drizzle reads it through raw() (arrays), so equal column names do not collide.
    const joined = await d.select().from(people).innerJoin(pets, eq(pets.owner, people.id)).orderBy(pets.id);
    expect(joined.map((r) => [r.people.name, r.pets.name])).toEqual([
      ['甲', '猫'],
      ['甲', '狗'],
    ]);
    const [updated, listed] = await d.batch([
      d.update(people).set({ age: 4 }).where(eq(people.id, 1)).returning(),
      d.select({ n: sql<number>`count(*)` }).from(pets),
    ]);
    expect(updated).toEqual([{ id: 1, name: '甲', age: 4 }]);
    expect(listed).toEqual([{ n: 2 }]);
    const guarded = (age: number) =>
      d.batch([
        batchAssert(d as never, sql`(SELECT age FROM people WHERE id = 1) = ${age}`, 'stale'),
        d
          .update(people)
          .set({ age: age + 1 })
          .where(eq(people.id, 1)),
      ]);
    await guarded(4);
    const stale = await guarded(4).catch((e: unknown) => e);
    expect(isGuardFailure(stale)).toBe(true);
    expect((await d.select().from(people))[0]!.age).toBe(5);
    expect(batchGuard).toBeDefined();
    // A single statement's error reaches the app inside DrizzleQueryError, with D1's as its cause.
    const dup = await d
      .insert(people)
      .values({ id: 1, name: 'x' })
      .catch((e: Error) => e);
    expect(String((dup as Error).cause)).toContain('UNIQUE constraint failed: people.id');
  });
});

describe('several processes on one file', () => {
  it('loses no update when two processes write the same rows at once', async () => {
    const file = join(dir, 'shared.sqlite');
    const shared = new SqliteD1Database(file);
    await shared.exec(
      'CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)\nINSERT INTO counter VALUES (1, 0)',
    );
    await shared.exec(
      'CREATE TABLE writes (writer TEXT NOT NULL, i INTEGER NOT NULL, seen INTEGER NOT NULL)',
    );
    const per = 150;
    const writer = (name: string) =>
      new Promise<{ code: number | null; err: string }>((resolve) => {
        const child = spawn(
          `${ROOT}/node_modules/.bin/node`,
          ['--import', 'tsx', `${ROOT}/runtime/node/test/writer.ts`, file, name, String(per)],
          {
            env: { ...process.env, NODE_OPTIONS: '--disable-warning=ExperimentalWarning' },
            stdio: ['ignore', 'ignore', 'pipe'],
          },
        );
        let err = '';
        child.stderr.on('data', (d: Buffer) => {
          err += d;
        });
        child.on('exit', (code) => resolve({ code, err }));
      });
    const results = await Promise.all([writer('a'), writer('b')]);
    expect(results).toEqual([
      { code: 0, err: '' },
      { code: 0, err: '' },
    ]);
    expect(await shared.prepare('SELECT n FROM counter').first('n')).toBe(2 * per);
    const writes = (
      await shared.prepare('SELECT writer, count(*) AS k FROM writes GROUP BY writer ORDER BY writer').all()
    ).results;
    expect(writes).toEqual([
      { writer: 'a', k: per },
      { writer: 'b', k: per },
    ]);
    // Each batch saw the counter as the other process had left it: every value once.
    const seen = (await shared.prepare('SELECT count(DISTINCT seen) AS d FROM writes').first('d')) as number;
    expect(seen).toBe(2 * per);
    shared.close();
  }, 60_000);
});
