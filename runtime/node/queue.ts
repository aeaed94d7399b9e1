/**
 * The JOBS queue of the self-hosted runtime: a durable table in the control database, with the
 * delivery rules of the Workers queue as wrangler.toml configures it (ADR 0900):
 * - `send` / `sendBatch` (at most 100 messages, `delaySeconds`), bodies kept as structured
 *   clones (v8 serialisation, the Workers default content type);
 * - batches of at most `max_batch_size` messages handed to the same `queue()` handler as on
 *   Workers, as MessageBatch objects (`ack`, `retry({ delaySeconds })`, `ackAll`, `retryAll`);
 *   a handler that returns acks what it did not retry, one that throws retries what it did not ack;
 * - a message retried more than `max_retries` times moves to the dead-letter queue (rows kept
 *   with `queue` = the dead-letter queue's name, never delivered again);
 * - at-least-once: a leased message whose process died (its lease expired, or its owner's pid
 *   is gone) is delivered again, with `attempts` counting every delivery.
 */
import { hostname } from 'node:os';
import { deserialize, serialize } from 'node:v8';
import type { SqliteD1Database } from './d1.ts';

export const QUEUE_TABLE = 'runtime_queue_messages';

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS ${QUEUE_TABLE} (
    id TEXT PRIMARY KEY,
    queue TEXT NOT NULL,
    body BLOB NOT NULL,
    enqueued_at INTEGER NOT NULL,
    visible_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    lease_owner TEXT,
    lease_until INTEGER,
    dead_at INTEGER,
    dead_from TEXT
  )`,
  `CREATE INDEX IF NOT EXISTS ${QUEUE_TABLE}_ready ON ${QUEUE_TABLE} (queue, visible_at)`,
];

/** Workers' limits on what one call may send. */
const SEND_BATCH_MAX = 100;
const MESSAGE_MAX_BYTES = 128 * 1024;
const DELAY_MAX_SECONDS = 12 * 3600;

export type ConsumerConfig = {
  queue: string;
  maxBatchSize: number;
  maxRetries: number;
  deadLetterQueue?: string;
  /** Delay of a retry that names none (wrangler's retry_delay), seconds. */
  retryDelaySeconds: number;
  /** How long a delivered batch is leased before another process may take it again. */
  leaseMs: number;
  /** Batches handled at once. */
  concurrency: number;
  /** How often to look for messages sent by other processes or become visible, ms. */
  pollMs: number;
};

export const DEFAULT_LEASE_MS = 15 * 60_000;

export function ensureQueueTable(control: SqliteD1Database): void {
  for (const s of SCHEMA) control.connection.exec(s);
}

const checkDelay = (delay: number | undefined) => {
  if (delay === undefined) return 0;
  if (!Number.isFinite(delay) || delay < 0 || delay > DELAY_MAX_SECONDS)
    throw new Error(`delaySeconds must be between 0 and ${DELAY_MAX_SECONDS}`);
  return delay;
};

/** The producer binding (`env.JOBS`). */
export class SqliteQueue<Body = unknown> implements Queue<Body> {
  constructor(
    readonly control: SqliteD1Database,
    readonly name: string,
    private readonly onSend: () => void = () => {},
  ) {
    ensureQueueTable(control);
  }

  async send(body: Body, options?: QueueSendOptions): Promise<QueueSendResponse> {
    await this.sendBatch([
      { body, ...(options?.delaySeconds !== undefined ? { delaySeconds: options.delaySeconds } : {}) },
    ]);
    return undefined as unknown as QueueSendResponse;
  }

  async sendBatch(
    messages: Iterable<MessageSendRequest<Body>>,
    options?: QueueSendBatchOptions,
  ): Promise<QueueSendBatchResponse> {
    const list = [...messages];
    if (list.length > SEND_BATCH_MAX) throw new Error(`sendBatch takes at most ${SEND_BATCH_MAX} messages`);
    const now = Date.now();
    const batchDelay = checkDelay(options?.delaySeconds);
    const rows = list.map((m) => {
      const body = serialize(m.body);
      if (body.byteLength > MESSAGE_MAX_BYTES)
        throw new Error(`a message may be at most ${MESSAGE_MAX_BYTES} bytes`);
      const delay = m.delaySeconds !== undefined ? checkDelay(m.delaySeconds) : batchDelay;
      return { id: crypto.randomUUID(), body, visibleAt: now + delay * 1000 };
    });
    if (rows.length > 0) {
      const insert = this.control.connection.prepare(
        `INSERT INTO ${QUEUE_TABLE} (id, queue, body, enqueued_at, visible_at) VALUES (?, ?, ?, ?, ?)`,
      );
      this.control.transaction(() => {
        for (const r of rows) insert.run(r.id, this.name, r.body, now, r.visibleAt);
      });
      this.onSend();
    }
    return undefined as unknown as QueueSendBatchResponse;
  }

  async metrics(): Promise<QueueMetrics> {
    const row = this.control.connection
      .prepare(`SELECT count(*) AS n, min(enqueued_at) AS oldest FROM ${QUEUE_TABLE} WHERE queue = ?`)
      .get(this.name) as { n: number; oldest: number | null };
    return {
      backlogCount: row.n,
      backlogBytes: 0,
      ...(row.oldest !== null ? { oldestMessageTimestamp: new Date(row.oldest) } : {}),
    } as QueueMetrics;
  }
}

type Leased = { id: string; body: Uint8Array; enqueued_at: number; attempts: number };
type Decision = { kind: 'ack' } | { kind: 'retry'; delaySeconds?: number | undefined };

/** This process, as a lease owner: `<host>:<pid>:<start>`. */
const OWNER = `${hostname()}:${process.pid}:${Date.now().toString(36)}`;

/** Whether a lease owner is a process of this host that no longer runs. */
function ownerIsGone(owner: string): boolean {
  const [host, pid] = owner.split(':');
  if (host !== hostname() || !pid || owner === OWNER) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

export type QueueHandler<Body> = (batch: MessageBatch<Body>) => Promise<void>;

/** The in-process consumer: leases batches, runs the handler, applies acks, retries and dead letters. */
export class QueueConsumer<Body = unknown> {
  #running = 0;
  #timer: NodeJS.Timeout | null = null;
  #stopped = true;
  #inFlight = new Set<Promise<void>>();
  readonly owner = OWNER;

  constructor(
    private readonly control: SqliteD1Database,
    private readonly config: ConsumerConfig,
    private readonly handler: QueueHandler<Body>,
    private readonly log: (line: string) => void = (l) => console.error(l),
  ) {
    ensureQueueTable(control);
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    this.#releaseDeadOwners();
    this.wake();
  }

  /** Stops taking batches and waits for those in flight. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await Promise.allSettled([...this.#inFlight]);
  }

  /** Looks for work now (after a send in this process). */
  wake(): void {
    if (this.#stopped) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#tick(), 0);
  }

  #schedule(ms: number) {
    if (this.#stopped) return;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#tick(), ms);
    this.#timer.unref?.();
  }

  #tick() {
    this.#timer = null;
    if (this.#stopped) return;
    while (this.#running < this.config.concurrency) {
      const leased = this.#lease();
      if (leased.length === 0) break;
      this.#running++;
      const p = this.#deliver(leased).finally(() => {
        this.#running--;
        this.#inFlight.delete(p);
        this.wake();
      });
      this.#inFlight.add(p);
    }
    this.#schedule(Math.max(10, Math.min(this.config.pollMs, this.#msUntilNextVisible())));
  }

  #msUntilNextVisible(): number {
    const row = this.control.connection
      .prepare(
        `SELECT min(max(visible_at, coalesce(lease_until, 0))) AS next FROM ${QUEUE_TABLE} WHERE queue = ? AND dead_at IS NULL`,
      )
      .get(this.config.queue) as { next: number | null };
    return row.next === null ? this.config.pollMs : row.next - Date.now();
  }

  /** Leases to another process of this host that has died are void at once. */
  #releaseDeadOwners() {
    const owners = this.control.connection
      .prepare(
        `SELECT DISTINCT lease_owner AS o FROM ${QUEUE_TABLE} WHERE lease_owner IS NOT NULL AND dead_at IS NULL`,
      )
      .all() as { o: string }[];
    const release = this.control.connection.prepare(
      `UPDATE ${QUEUE_TABLE} SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ?`,
    );
    for (const { o } of owners) {
      if (ownerIsGone(o)) {
        const { changes } = release.run(o);
        if (Number(changes) > 0)
          this.log(
            JSON.stringify({
              msg: 'queue: released leases of a stopped process',
              owner: o,
              messages: Number(changes),
            }),
          );
      }
    }
  }

  #lease(): Leased[] {
    const now = Date.now();
    return this.control.transaction(() => {
      const rows = this.control.connection
        .prepare(
          `SELECT id, body, enqueued_at, attempts FROM ${QUEUE_TABLE}
           WHERE queue = ? AND dead_at IS NULL AND visible_at <= ? AND (lease_until IS NULL OR lease_until <= ?)
           ORDER BY visible_at, rowid LIMIT ?`,
        )
        .all(this.config.queue, now, now, this.config.maxBatchSize) as Leased[];
      const take = this.control.connection.prepare(
        `UPDATE ${QUEUE_TABLE} SET attempts = attempts + 1, lease_owner = ?, lease_until = ? WHERE id = ?`,
      );
      for (const r of rows) {
        take.run(this.owner, now + this.config.leaseMs, r.id);
        r.attempts += 1;
      }
      return rows;
    });
  }

  async #deliver(leased: Leased[]): Promise<void> {
    const decisions = new Map<string, Decision>();
    let batchDecision: Decision | null = null;
    const decide = (id: string, d: Decision) => {
      if (!decisions.has(id)) decisions.set(id, d);
    };
    const messages: Message<Body>[] = leased.map((r) => ({
      id: r.id,
      timestamp: new Date(r.enqueued_at),
      body: deserialize(r.body) as Body,
      attempts: r.attempts,
      ack: () => decide(r.id, { kind: 'ack' }),
      retry: (options?: QueueRetryOptions) =>
        decide(r.id, { kind: 'retry', delaySeconds: options?.delaySeconds }),
    }));
    const backlog = this.control.connection
      .prepare(
        `SELECT count(*) AS n, min(enqueued_at) AS oldest FROM ${QUEUE_TABLE} WHERE queue = ? AND dead_at IS NULL`,
      )
      .get(this.config.queue) as { n: number; oldest: number | null };
    const batch: MessageBatch<Body> = {
      queue: this.config.queue,
      messages,
      metadata: {
        metrics: {
          backlogCount: backlog.n,
          backlogBytes: 0,
          ...(backlog.oldest !== null ? { oldestMessageTimestamp: new Date(backlog.oldest) } : {}),
        },
      },
      ackAll: () => {
        batchDecision ??= { kind: 'ack' };
      },
      retryAll: (options?: QueueRetryOptions) => {
        batchDecision ??= { kind: 'retry', delaySeconds: options?.delaySeconds };
      },
    };
    let failed = false;
    try {
      await this.handler(batch);
    } catch (e) {
      failed = true;
      this.log(
        JSON.stringify({
          msg: 'queue: batch failed',
          queue: this.config.queue,
          error: e instanceof Error ? e.name : 'error',
        }),
      );
    }
    const fallback: Decision = batchDecision ?? (failed ? { kind: 'retry' } : { kind: 'ack' });
    this.#settle(leased, (id) => decisions.get(id) ?? fallback);
  }

  #settle(leased: Leased[], decisionOf: (id: string) => Decision) {
    const db = this.control.connection;
    const now = Date.now();
    const remove = db.prepare(`DELETE FROM ${QUEUE_TABLE} WHERE id = ? AND lease_owner = ?`);
    const again = db.prepare(
      `UPDATE ${QUEUE_TABLE} SET visible_at = ?, lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?`,
    );
    const dead = db.prepare(
      `UPDATE ${QUEUE_TABLE} SET queue = ?, dead_at = ?, dead_from = queue, lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?`,
    );
    const drop = remove;
    this.control.transaction(() => {
      for (const r of leased) {
        const d = decisionOf(r.id);
        if (d.kind === 'ack') {
          remove.run(r.id, this.owner);
        } else if (r.attempts < this.config.maxRetries + 1) {
          const delay = d.delaySeconds ?? this.config.retryDelaySeconds;
          again.run(now + checkDelay(delay) * 1000, r.id, this.owner);
        } else if (this.config.deadLetterQueue) {
          dead.run(this.config.deadLetterQueue, now, r.id, this.owner);
          this.log(
            JSON.stringify({
              msg: 'queue: moved to the dead-letter queue',
              queue: this.config.queue,
              deadLetterQueue: this.config.deadLetterQueue,
              id: r.id,
              attempts: r.attempts,
            }),
          );
        } else {
          drop.run(r.id, this.owner);
        }
      }
    });
  }
}
