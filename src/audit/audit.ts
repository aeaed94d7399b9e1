/**
 * Append-only, hash-chained audit logs: one in CONTROL_DB for the platform, one in each county
 * database. Both tables have the same shape, so one implementation serves both.
 *
 * An entry is written in the same D1 batch as the change it records (so neither exists without
 * the other) with its hash left empty; `sealAuditLog` then chains unsealed entries in `seq` order.
 * Sealing after the fact keeps concurrent writers from racing for "the previous hash": seq is
 * assigned atomically by SQLite, and sealing is deterministic, so two sealers agree.
 */
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

/** Chains every unsealed entry. Safe to run concurrently and repeatedly. */
export async function sealAuditLog(db: D1Database): Promise<number> {
  let sealed = 0;
  for (;;) {
    const last = await db
      .prepare('SELECT seq, hash FROM audit_log WHERE hash IS NOT NULL ORDER BY seq DESC LIMIT 1')
      .first<{ seq: number; hash: string }>();
    const { results } = await db
      .prepare('SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?')
      .bind(last?.seq ?? 0, SEAL_CHUNK)
      .all<Row>();
    if (results.length === 0) return sealed;
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
    if (results.length < SEAL_CHUNK) return sealed;
  }
}

export type ChainReport = { ok: boolean; entries: number; firstBrokenSeq: number | null };

/** Recomputes the whole chain; any edited, deleted or reordered entry breaks it. */
export async function verifyAuditChain(db: D1Database): Promise<ChainReport> {
  await sealAuditLog(db);
  let prev = GENESIS;
  let after = 0;
  let entries = 0;
  let expectedSeq: number | null = null;
  for (;;) {
    const { results } = await db
      .prepare('SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT 500')
      .bind(after)
      .all<Row>();
    if (results.length === 0) return { ok: true, entries, firstBrokenSeq: null };
    for (const row of results) {
      // AUTOINCREMENT never reuses a seq, so a gap means a deleted entry.
      if (expectedSeq !== null && row.seq !== expectedSeq)
        return { ok: false, entries, firstBrokenSeq: row.seq };
      prev = await entryHash(prev, row);
      if (row.hash !== prev) return { ok: false, entries, firstBrokenSeq: row.seq };
      expectedSeq = row.seq + 1;
      after = row.seq;
      entries++;
    }
  }
}
