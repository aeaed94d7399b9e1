/**
 * The durable JOBS queue (runtime/node/queue.ts) against wrangler.toml's consumer settings:
 * delivery in batches, ack and retry with backoff, the dead-letter queue after max_retries, and
 * a message in flight when its process dies delivered again after a restart.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ROOT } from '../../scripts/lib/paths.ts';
import { waitFor } from '../../test/helpers/wait.ts';
import { SqliteD1Database } from './d1.ts';
import { type ConsumerConfig, QUEUE_TABLE, QueueConsumer, SqliteQueue } from './queue.ts';
import { readWranglerSettings } from './wrangler-config.ts';

const dir = mkdtempSync(join(tmpdir(), 'bangjiao-queue-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const jobs = readWranglerSettings().queues.find((q) => q.binding === 'JOBS')!;
let n = 0;
const consumers: QueueConsumer[] = [];
afterEach(async () => {
  await Promise.all(consumers.splice(0).map((c) => c.stop()));
});

function setup(overrides: Partial<ConsumerConfig> = {}) {
  const control = new SqliteD1Database(join(dir, `control${++n}.sqlite`));
  const config: ConsumerConfig = {
    queue: jobs.queue,
    maxBatchSize: jobs.maxBatchSize,
    maxRetries: jobs.maxRetries,
    ...(jobs.deadLetterQueue ? { deadLetterQueue: jobs.deadLetterQueue } : {}),
    retryDelaySeconds: jobs.retryDelaySeconds,
    leaseMs: 60_000,
    concurrency: 1,
    pollMs: 20,
    ...overrides,
  };
  const seen: { id: string; body: unknown; attempts: number; batchSize: number }[] = [];
  let behaviour: (m: Message<unknown>) => void = (m) => m.ack();
  const consumer = new QueueConsumer(
    control,
    config,
    async (batch) => {
      for (const m of batch.messages) {
        seen.push({ id: m.id, body: m.body, attempts: m.attempts, batchSize: batch.messages.length });
        behaviour(m);
      }
    },
    () => {},
  );
  consumers.push(consumer as QueueConsumer);
  const queue = new SqliteQueue(control, jobs.queue, () => consumer.wake());
  const rows = () =>
    control.connection.prepare(`SELECT queue, attempts, dead_at, dead_from FROM ${QUEUE_TABLE}`).all() as {
      queue: string;
      attempts: number;
      dead_at: number | null;
      dead_from: string | null;
    }[];
  return { control, consumer, queue, seen, rows, behave: (b: typeof behaviour) => (behaviour = b) };
}

describe('the JOBS queue', () => {
  it('follows wrangler.toml: batches of 10, 5 retries, a dead-letter queue', () => {
    expect(jobs).toMatchObject({
      queue: 'bangjiao-jobs',
      maxBatchSize: 10,
      maxRetries: 5,
      deadLetterQueue: 'bangjiao-jobs-dlq',
    });
    expect(readWranglerSettings().crons).toEqual(['5 * * * *']);
  });

  it('delivers structured bodies in batches of at most max_batch_size, and an ack removes them', async () => {
    const q = setup();
    await q.queue.sendBatch(
      Array.from({ length: 25 }, (_, i) => ({
        body: { type: 'county-tick', county: `c${i}`, at: new Date(0) },
      })),
    );
    q.consumer.start();
    await waitFor(async () => q.seen.length === 25);
    expect(Math.max(...q.seen.map((s) => s.batchSize))).toBeLessThanOrEqual(10);
    expect(q.seen[0]!.body).toEqual({ type: 'county-tick', county: 'c0', at: new Date(0) });
    expect(q.seen.every((s) => s.attempts === 1)).toBe(true);
    await waitFor(async () => q.rows().length === 0);
    await expect(q.queue.sendBatch(Array.from({ length: 101 }, () => ({ body: 1 })))).rejects.toThrow(
      'at most 100',
    );
  });

  it('holds a delayed message until its time', async () => {
    const q = setup();
    q.consumer.start();
    const t = Date.now();
    await q.queue.send({ late: true }, { delaySeconds: 1 });
    await waitFor(async () => q.seen.length === 1, 5_000);
    expect(Date.now() - t).toBeGreaterThanOrEqual(950);
  });

  it('retries with the delay asked for, then moves the message to the dead-letter queue after max_retries', async () => {
    const q = setup();
    q.behave((m) => m.retry({ delaySeconds: 0 }));
    q.consumer.start();
    await q.queue.send({ doomed: 1 });
    await waitFor(async () => q.rows()[0]?.dead_at != null, 10_000);
    // 1 delivery + 5 retries, then no more.
    expect(q.seen.map((s) => s.attempts)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(q.rows()).toEqual([
      { queue: 'bangjiao-jobs-dlq', attempts: 6, dead_at: expect.any(Number), dead_from: 'bangjiao-jobs' },
    ]);
    await new Promise((r) => setTimeout(r, 150));
    expect(q.seen).toHaveLength(6);
  });

  it('retries what a failing handler did not ack, and backs off as asked', async () => {
    const q = setup();
    let calls = 0;
    q.behave((m) => {
      calls++;
      if ((m.body as { id: number }).id === 1) m.ack();
      if (calls <= 2) throw new Error('boom');
    });
    await q.queue.sendBatch([{ body: { id: 1 } }, { body: { id: 2 } }]);
    q.consumer.start();
    await waitFor(async () => q.rows().length === 0);
    const deliveries = q.seen.map((s) => [(s.body as { id: number }).id, s.attempts]);
    // The first batch throws after acking 1: only 2 comes again.
    expect(deliveries[0]).toEqual([1, 1]);
    expect(deliveries.filter(([id]) => id === 1)).toHaveLength(1);
    expect(deliveries.filter(([id]) => id === 2).length).toBeGreaterThanOrEqual(2);
    // A retry with a delay is not delivered before it.
    const r = setup();
    r.behave((m) => (m.attempts === 1 ? m.retry({ delaySeconds: 1 }) : m.ack()));
    r.consumer.start();
    const t = Date.now();
    await r.queue.send('x');
    await waitFor(async () => r.seen.length === 2, 5_000);
    expect(Date.now() - t).toBeGreaterThanOrEqual(950);
  });

  it('delivers a message again after its process died with it in flight', async () => {
    const file = join(dir, 'restart.sqlite');
    const control = new SqliteD1Database(file);
    const queue = new SqliteQueue(control, jobs.queue);
    await queue.send({ type: 'county-tick', county: 'deqing', trigger: 'manual' });
    await control.exec('CREATE TABLE started (attempts INTEGER NOT NULL, at INTEGER NOT NULL)');
    // A consumer process that records the delivery, then hangs mid-job until it is killed.
    // node itself (tsx as a loader), so the pid killed is the consumer's.
    const child = spawn(
      `${ROOT}/node_modules/.bin/node`,
      ['--import', 'tsx', `${ROOT}/runtime/node/test/hanging-consumer.ts`, file],
      {
        env: { ...process.env, NODE_OPTIONS: '--disable-warning=ExperimentalWarning' },
        stdio: 'ignore',
      },
    );
    const started = () =>
      control.connection.prepare('SELECT attempts FROM started').all() as { attempts: number }[];
    await waitFor(async () => started().length === 1, 20_000);
    const leased = control.connection.prepare(`SELECT lease_owner, attempts FROM ${QUEUE_TABLE}`).get() as {
      lease_owner: string;
      attempts: number;
    };
    expect(leased.attempts).toBe(1);
    expect(leased.lease_owner).toContain(`:${child.pid}:`);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    // The restarted consumer sees the owner is gone and takes the message at once (it would also
    // after the lease ran out, on another host).
    const again: number[] = [];
    const consumer = new QueueConsumer(
      control,
      {
        queue: jobs.queue,
        maxBatchSize: 10,
        maxRetries: 5,
        retryDelaySeconds: 0,
        leaseMs: 600_000,
        concurrency: 1,
        pollMs: 20,
      },
      async (batch) => {
        for (const m of batch.messages) again.push(m.attempts);
      },
      () => {},
    );
    consumers.push(consumer as QueueConsumer);
    consumer.start();
    await waitFor(async () => again.length === 1);
    expect(again).toEqual([2]);
    await waitFor(
      async () => control.connection.prepare(`SELECT count(*) AS n FROM ${QUEUE_TABLE}`).get()!.n === 0,
    );
  }, 60_000);

  it('takes a message back when its lease runs out', async () => {
    const q = setup();
    await q.queue.send('x');
    // Held by a process on another host that stopped answering: only the lease's end frees it.
    q.control.connection
      .prepare(`UPDATE ${QUEUE_TABLE} SET lease_owner = 'elsewhere:1:x', lease_until = ?, attempts = 1`)
      .run(Date.now() + 400);
    q.consumer.start();
    await new Promise((r) => setTimeout(r, 150));
    expect(q.seen).toHaveLength(0);
    await waitFor(async () => q.seen.length === 1, 5_000);
    expect(q.seen[0]!.attempts).toBe(2);
  });
});
