/**
 * The `cloudflare:test` helpers the shared suites use, for the Node project: execution contexts
 * that collect waitUntil work, scheduled controllers, message batches that record acks and
 * retries (getQueueResult), and applyD1Migrations on the runtime's SQLite bindings.
 */
import { applyMigrations } from '../../../scripts/lib/migrations.ts';

export type D1Migration = { name: string; queries: string[] };

type Ctx = ExecutionContext & { pending: Promise<unknown>[] };

export function createExecutionContext(): ExecutionContext {
  const pending: Promise<unknown>[] = [];
  return {
    pending,
    waitUntil: (p: Promise<unknown>) => {
      pending.push(Promise.resolve(p));
    },
    passThroughOnException: () => {},
    props: {},
  } as unknown as Ctx;
}

export async function waitOnExecutionContext(ctx: ExecutionContext): Promise<void> {
  const { pending } = ctx as Ctx;
  while (pending.length > 0) await Promise.allSettled(pending.splice(0));
}

export function createScheduledController(options: { scheduledTime?: number | Date; cron?: string } = {}) {
  const t = options.scheduledTime ?? Date.now();
  return {
    scheduledTime: t instanceof Date ? t.getTime() : t,
    cron: options.cron ?? '',
    noRetry: () => {},
  } as ScheduledController;
}

type Recorded = {
  acks: Set<string>;
  retries: Map<string, number | undefined>;
  ackAll: boolean;
  retryAll: { delaySeconds?: number | undefined } | null;
};
const records = new WeakMap<object, Recorded>();

export function createMessageBatch<Body = unknown>(
  queueName: string,
  messages: { id: string; timestamp: Date; attempts: number; body: Body }[],
): MessageBatch<Body> {
  const r: Recorded = { acks: new Set(), retries: new Map(), ackAll: false, retryAll: null };
  const batch: MessageBatch<Body> = {
    queue: queueName,
    metadata: { metrics: { backlogCount: 0, backlogBytes: 0 } },
    messages: messages.map((m) => ({
      ...m,
      ack: () => {
        r.acks.add(m.id);
      },
      retry: (o?: QueueRetryOptions) => {
        r.retries.set(m.id, o?.delaySeconds);
      },
    })),
    ackAll: () => {
      r.ackAll = true;
    },
    retryAll: (o?: QueueRetryOptions) => {
      r.retryAll = { delaySeconds: o?.delaySeconds };
    },
  };
  records.set(batch, r);
  return batch;
}

export async function getQueueResult(batch: MessageBatch, ctx: ExecutionContext) {
  await waitOnExecutionContext(ctx);
  const r = records.get(batch);
  if (!r) throw new Error('getQueueResult: not a batch from createMessageBatch');
  return {
    outcome: 'ok',
    ackAll: r.ackAll,
    retryBatch: {
      retry: r.retryAll !== null,
      ...(r.retryAll?.delaySeconds !== undefined ? { delaySeconds: r.retryAll.delaySeconds } : {}),
    },
    explicitAcks: [...r.acks],
    retryMessages: [...r.retries].map(([msgId, delaySeconds]) => ({
      msgId,
      ...(delaySeconds !== undefined ? { delaySeconds } : {}),
    })),
  };
}

/** Applies migrations as wrangler records them (the same code as the runtime's start-up). */
export async function applyD1Migrations(db: D1Database, migrations: D1Migration[]): Promise<void> {
  await applyMigrations(
    db,
    migrations.map((m) => ({ name: m.name, sql: m.queries.join('\n--> statement-breakpoint\n') })),
  );
}
