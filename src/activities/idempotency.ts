/**
 * `Idempotency-Key` (API.md "Activities"): a field client that lost the answer to a create may
 * send it again. The first request with a key claims it (an insert that only one request can
 * win); its write batch records the answer in the same batch as the record, so a key is either
 * answered or free, never answered without its record. Later requests with the key replay the
 * answer, wait briefly while the first is in flight, and are refused with another body.
 * Keys are per caller (and per county, since each county has its own database) and are kept
 * 48 hours (API.md asks for at least 24).
 */
import { and, eq, type SQL, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { CountyCtx } from '../lib/context';
import { sha256Hex } from '../lib/ids';
import { invalid, Problem } from '../lib/problem';
import { nowInstant, nowMs } from '../lib/time';
import { idempotencyKeys } from './schema';

export const KEEP_HOURS = 48;
/** An in-flight claim older than this is taken to be abandoned (its worker died mid-request). */
const ABANDONED_AFTER_MS = 60_000;
const WAIT_STEP_MS = 25;
const WAIT_STEPS = 80;

export type Answer = { status: number; body: unknown; replayed: boolean };

/** Records the answer inside the owner's write batch. `patches` are JSON paths set from SQL. */
export type RecordAnswer = (
  status: number,
  body: unknown,
  patches?: Record<string, SQL>,
) => BatchItem<'sqlite'>;

/** Canonical JSON (sorted keys): the same body however its fields are ordered. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function checkKey(key: string | undefined): string | undefined {
  if (key === undefined) return undefined;
  if (!/^[\x21-\x7e]{1,200}$/.test(key)) {
    throw invalid([
      { path: 'Idempotency-Key', message: 'must be 1–200 visible ASCII characters (a UUID is a good key)' },
    ]);
  }
  return key;
}

/**
 * Runs `work` at most once per key. `work` must put `record(...)` in its write batch; when it
 * throws, the claim is released, so a retry runs it again (nothing was written).
 */
export async function idempotent(
  k: CountyCtx,
  key: string | undefined,
  request: { route: string; body: unknown },
  work: (record: RecordAnswer) => Promise<{ status: number; body: unknown }>,
): Promise<Answer> {
  const noop: RecordAnswer = () => k.db.select({ one: sql`1` }).from(idempotencyKeys).limit(0);
  if (key === undefined) return { ...(await work(noop)), replayed: false };

  const hash = await sha256Hex(`${request.route}\n${canonical(request.body)}`);
  const mine = and(eq(idempotencyKeys.userId, k.actorUserId), eq(idempotencyKeys.key, key));
  const record: RecordAnswer = (status, body, patches = {}) => {
    let json: SQL = sql`${JSON.stringify(body)}`;
    for (const [path, value] of Object.entries(patches))
      json = sql`json_set(${json}, ${`$.${path}`}, ${value})`;
    return k.db
      .update(idempotencyKeys)
      .set({ status: 'done', responseStatus: status, responseBody: json })
      .where(and(mine, eq(idempotencyKeys.status, 'in_flight')));
  };

  const own = async (): Promise<Answer> => {
    try {
      return { ...(await work(record)), replayed: false };
    } catch (e) {
      await k.db.delete(idempotencyKeys).where(and(mine, eq(idempotencyKeys.status, 'in_flight')));
      throw e;
    }
  };

  for (let step = 0; ; step++) {
    if (await claim(k, key, hash)) return own();
    const row = (await k.db.select().from(idempotencyKeys).where(mine).limit(1))[0];
    if (!row) continue; // released by a failed first attempt: claim it again
    if (row.requestHash !== hash) {
      throw new Problem(
        422,
        'This Idempotency-Key was already used with a different request body; use a new key for a new request.',
      );
    }
    if (row.status === 'done') {
      return { status: row.responseStatus!, body: JSON.parse(row.responseBody!), replayed: true };
    }
    if (nowMs() - Date.parse(row.createdAt) > ABANDONED_AFTER_MS) {
      const taken = await k.db
        .update(idempotencyKeys)
        .set({ createdAt: nowInstant() })
        .where(
          and(mine, eq(idempotencyKeys.status, 'in_flight'), eq(idempotencyKeys.createdAt, row.createdAt)),
        )
        .returning({ key: idempotencyKeys.key });
      if (taken.length > 0) return own();
      continue;
    }
    if (step >= WAIT_STEPS) {
      throw new Problem(409, 'A request with this Idempotency-Key is still being processed; retry shortly.', {
        headers: { 'retry-after': '1' },
      });
    }
    await sleep(WAIT_STEP_MS);
  }
}

async function claim(k: CountyCtx, key: string, hash: string): Promise<boolean> {
  const cutoff = new Date(nowMs() - KEEP_HOURS * 3_600_000).toISOString();
  const [, inserted] = await k.db.batch([
    // Expired keys go a few at a time with each claim: bounded work, and no cron needed.
    k.db
      .delete(idempotencyKeys)
      .where(sql`rowid IN (SELECT rowid FROM idempotency_keys WHERE created_at < ${cutoff} LIMIT 20)`),
    k.db
      .insert(idempotencyKeys)
      .values({ userId: k.actorUserId, key, requestHash: hash, status: 'in_flight', createdAt: nowInstant() })
      .onConflictDoNothing()
      .returning({ key: idempotencyKeys.key }),
  ]);
  return inserted.length > 0;
}
