/**
 * For runtime/node/queue.test.ts: a consumer process that takes a message, records that it
 * started (attempt number), then never finishes: the test kills it mid-job.
 */
import { SqliteD1Database } from '../d1.ts';
import { QueueConsumer } from '../queue.ts';

const db = new SqliteD1Database(process.argv[2]!);
const consumer = new QueueConsumer(
  db,
  {
    queue: 'bangjiao-jobs',
    maxBatchSize: 10,
    maxRetries: 5,
    retryDelaySeconds: 0,
    leaseMs: 600_000,
    concurrency: 1,
    pollMs: 20,
  },
  async (batch) => {
    for (const m of batch.messages)
      await db.prepare('INSERT INTO started (attempts, at) VALUES (?, ?)').bind(m.attempts, Date.now()).run();
    await new Promise(() => {});
  },
  () => {},
);
consumer.start();
setInterval(() => {}, 1_000);
