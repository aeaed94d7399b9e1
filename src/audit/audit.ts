/**
 * Append-only, hash-chained audit logs: one in CONTROL_DB for the platform, one in each county
 * database. Both tables have the same shape, so one implementation serves both.
 *
 * An entry is written in the same D1 batch as the change it records (so neither exists without
 * the other) with its hash left empty; `sealAuditLog` then chains unsealed entries in `seq` order.
 * Sealing after the fact keeps concurrent writers from racing for "the previous hash": seq is
 * assigned atomically by SQLite, and sealing is deterministic, so two sealers agree.
 *
 * Every seal then anchors the newest sealed entry in another database (ADR 0005): a county's log
 * in CONTROL_DB, the platform's log in each active county's database. Only sealing writes; the
 * verification only reads, and compares the chain with its anchors.
 */
import { countyDatabase } from '../db';
import type { Bindings } from '../env';
import { sha256Hex } from '../lib/ids';
import { nowInstant } from '../lib/time';

export type AuditEntry = {
  actorUserId: string | null;
  action: string;
  targetType: string;
  targetId?: string | null;
  requestId?: string | null;
  /** Ids, field names and counts only: never a personal value. */
  detail?: Record<string, unknown>;
};

const GENESIS = 'bangjiao-audit-genesis';

/** The row to insert (through drizzle, inside the batch of the change it records). */
export function auditValues(entry: AuditEntry) {
  return {
    at: nowInstant(),
    actorUserId: entry.actorUserId,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId ?? null,
    requestId: entry.requestId ?? null,
    detail: entry.detail ? JSON.stringify(entry.detail) : null,
  };
}

export function auditStatement(db: D1Database, entry: AuditEntry): D1PreparedStatement {
  return db
    .prepare(
      'INSERT INTO audit_log (at, actor_user_id, action, target_type, target_id, request_id, detail) VALUES (?, ?, ?, ?, ?, ?, ?)',
    )
    .bind(
      nowInstant(),
      entry.actorUserId,
      entry.action,
      entry.targetType,
      entry.targetId ?? null,
      entry.requestId ?? null,
      entry.detail ? JSON.stringify(entry.detail) : null,
    );
}

type Row = {
  seq: number;
  at: string;
  actor_user_id: string | null;
  action: string;
  target_type: string;
  target_id: string | null;
  request_id: string | null;
  detail: string | null;
  hash: string | null;
};

const entryHash = (prev: string, r: Row) =>
  sha256Hex(
    `${prev}\n${JSON.stringify([r.seq, r.at, r.actor_user_id, r.action, r.target_type, r.target_id, r.request_id, r.detail])}`,
  );

const SEAL_CHUNK = 200;

/** The newest sealed entry of a log. */
export type Head = { seq: number; hash: string };

/**
 * Chains every unsealed entry. Safe to run concurrently and repeatedly. Returns how many it sealed
 * and the newest sealed entry after it ran (what an anchor records).
 */
export async function sealAuditLog(db: D1Database): Promise<{ sealed: number; head: Head | null }> {
  let sealed = 0;
  for (;;) {
    const last = await db
      .prepare('SELECT seq, hash FROM audit_log WHERE hash IS NOT NULL ORDER BY seq DESC LIMIT 1')
      .first<Head>();
    const { results } = await db
      .prepare('SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?')
      .bind(last?.seq ?? 0, SEAL_CHUNK)
      .all<Row>();
    if (results.length === 0) return { sealed, head: last ?? null };
    let prev = last?.hash ?? GENESIS;
    const updates: D1PreparedStatement[] = [];
    for (const row of results) {
      prev = await entryHash(prev, row);
      updates.push(
        db.prepare('UPDATE audit_log SET hash = ? WHERE seq = ? AND hash IS NULL').bind(prev, row.seq),
      );
    }
    await db.batch(updates);
    sealed += results.length;
    const head = { seq: results.at(-1)!.seq, hash: prev };
    if (results.length < SEAL_CHUNK) return { sealed, head };
  }
}

/** The `chain` key of the platform log's anchor in each county database. */
export const PLATFORM_CHAIN = 'platform';

/**
 * Records `head` as the anchor of `chain` in `store`, in one conditional statement: an anchor only
 * ever moves forward, so a late or replayed seal (or one run over a truncated log) cannot pull it
 * back, and a rewritten entry at the anchored seq cannot replace the anchored hash.
 */
export const anchorStatement = (store: D1Database, chain: string, head: Head): D1PreparedStatement =>
  store
    .prepare(
      `INSERT INTO audit_anchors (chain, seq, hash, at) VALUES (?, ?, ?, ?)
       ON CONFLICT (chain) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, at = excluded.at
       WHERE excluded.seq > audit_anchors.seq`,
    )
    .bind(chain, head.seq, head.hash, nowInstant());

/** Seals a county's log and anchors its head in the control database. */
export async function sealCountyLog(env: Pick<Bindings, 'CONTROL_DB'>, county: string, d1: D1Database) {
  const out = await sealAuditLog(d1);
  if (out.head) await anchorStatement(env.CONTROL_DB, county, out.head).run();
  return out;
}

/** The databases of the active counties: where the platform log's anchor is kept. */
async function anchorHolders(env: Bindings): Promise<{ slug: string; d1: D1Database }[]> {
  const { results } = await env.CONTROL_DB.prepare(
    "SELECT slug, binding, status FROM counties WHERE status = 'active' ORDER BY slug",
  ).all<{ slug: string; binding: string; status: 'active' }>();
  const out: { slug: string; d1: D1Database }[] = [];
  for (const county of results) {
    try {
      out.push({ slug: county.slug, d1: countyDatabase(env, county) });
    } catch {
      // A registered county without its binding is served nowhere; it holds no anchor either.
    }
  }
  return out;
}

/**
 * Seals the platform's log and anchors its head in every active county's database. One county
 * failing to take it does not stop the others; its own job catches up on the next tick.
 */
export async function sealPlatformLog(env: Bindings) {
  const out = await sealAuditLog(env.CONTROL_DB);
  const head = out.head;
  if (head) {
    const holders = await anchorHolders(env);
    await Promise.allSettled(holders.map((h) => anchorStatement(h.d1, PLATFORM_CHAIN, head).run()));
  }
  return out;
}

export type Anchor = Head & { at: string };

export type ChainReport = {
  ok: boolean;
  /** Sealed entries verified (up to the first broken one). */
  entries: number;
  firstBrokenSeq: number | null;
  /** Why the chain is broken: see ADR 0005. */
  reason: 'hash' | 'gap' | 'unsealed' | 'truncated' | 'anchor' | null;
  /** Newest entries not sealed yet (their seal is in flight): not broken, not verified either. */
  unsealed: number;
  /** The newest anchor the chain was compared with, kept outside the log's database. */
  anchor: { seq: number; at: string } | null;
};

const VERIFY_PAGE = 500;

/**
 * Recomputes the whole chain and compares it with its anchors; reads only, writes nothing.
 *
 * Broken, at the first seq where: an entry's hash does not follow from the previous one
 * (`hash`); a seq is missing (`gap`); an unsealed entry is followed by a sealed one, or lies at
 * or before an anchor (`unsealed`); the log ends before the newest anchor (`truncated`, reported
 * at the first missing seq); the entry at an anchored seq has another hash than the anchor
 * (`anchor`: the chain was rewritten up to there). Unsealed entries after the last sealed one and
 * past every anchor are the seal still in flight: counted in `unsealed`, not broken.
 */
export async function verifyAuditChain(
  db: D1Database,
  anchors: readonly Anchor[] = [],
): Promise<ChainReport> {
  const anchoredAt = new Map<number, string[]>();
  for (const a of anchors) anchoredAt.set(a.seq, [...(anchoredAt.get(a.seq) ?? []), a.hash]);
  const newest = anchors.reduce<Anchor | null>((m, a) => (!m || a.seq > m.seq ? a : m), null);
  const anchor = newest ? { seq: newest.seq, at: newest.at } : null;
  const anchoredUpTo = newest?.seq ?? 0;

  let prev = GENESIS;
  let after = 0;
  let entries = 0;
  let unsealed = 0;
  let firstUnsealed: number | null = null;
  const broken = (seq: number, reason: NonNullable<ChainReport['reason']>): ChainReport => ({
    ok: false,
    entries,
    firstBrokenSeq: seq,
    reason,
    unsealed,
    anchor,
  });
  let rereads = 0;
  pages: for (;;) {
    const { results } = await db
      .prepare('SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?')
      .bind(after, VERIFY_PAGE)
      .all<Row>();
    for (const row of results) {
      // AUTOINCREMENT never reuses a seq, so a gap means a deleted entry.
      if (row.seq !== after + 1 && after !== 0) return broken(row.seq, 'gap');
      if (row.hash === null) {
        if (row.seq <= anchoredUpTo) return broken(row.seq, 'unsealed');
        firstUnsealed ??= row.seq;
        unsealed++;
        after = row.seq;
        continue;
      }
      if (firstUnsealed !== null) {
        // One page is one snapshot, but a seal may have landed between two pages: read the
        // unsealed entries again from where they began (a bounded number of times).
        const now = await db
          .prepare('SELECT hash FROM audit_log WHERE seq = ?')
          .bind(firstUnsealed)
          .first<{ hash: string | null }>();
        if (now?.hash && rereads++ < 3) {
          after = firstUnsealed - 1;
          firstUnsealed = null;
          unsealed = 0;
          continue pages;
        }
        return broken(firstUnsealed, 'unsealed');
      }
      after = row.seq;
      prev = await entryHash(prev, row);
      if (row.hash !== prev) return broken(row.seq, 'hash');
      if (anchoredAt.get(row.seq)?.some((h) => h !== prev)) return broken(row.seq, 'anchor');
      entries++;
    }
    if (results.length < VERIFY_PAGE) break;
  }
  // Deleting the newest entries leaves no gap to see: only the anchor remembers them.
  if (after < anchoredUpTo) return broken(after + 1, 'truncated');
  return { ok: true, entries, firstBrokenSeq: null, reason: null, unsealed, anchor };
}

/** Verifies a county's log against its anchor in the control database. */
export async function verifyCountyLog(env: Pick<Bindings, 'CONTROL_DB'>, county: string, d1: D1Database) {
  const anchor = await env.CONTROL_DB.prepare('SELECT seq, hash, at FROM audit_anchors WHERE chain = ?')
    .bind(county)
    .first<Anchor>();
  return verifyAuditChain(d1, anchor ? [anchor] : []);
}

/** Verifies the platform's log against the anchors kept in the active counties' databases. */
export async function verifyPlatformLog(env: Bindings) {
  const holders = await anchorHolders(env);
  const anchors = await Promise.all(
    holders.map((h) =>
      h.d1
        .prepare('SELECT seq, hash, at FROM audit_anchors WHERE chain = ?')
        .bind(PLATFORM_CHAIN)
        .first<Anchor>(),
    ),
  );
  return verifyAuditChain(
    env.CONTROL_DB,
    anchors.filter((a): a is Anchor => a !== null),
  );
}
