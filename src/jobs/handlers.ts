/**
 * Cloudflare's own engine for background work (DESIGN.md §2): the cron trigger enqueues one
 * message per active county and never loops over counties itself; the queue consumer does one
 * county's work per message. A message that fails is retried with backoff and ends in the
 * dead-letter queue; the other counties' messages are unaffected.
 */
import { eq } from 'drizzle-orm';
import { controlDb, countyDatabase, countyDrizzle } from '../db';
import { counties } from '../db/control-schema';
import type { Bindings } from '../env';
import { attemptDelivery } from '../webhooks/service';
import type { JobMessage } from './messages';
import { runCountyJob } from './runner';

const SEND_BATCH_MAX = 100;

export async function enqueueCountyTicks(
  env: Bindings,
  trigger: 'scheduled' | 'manual' = 'scheduled',
): Promise<number> {
  const active = await controlDb(env)
    .select({ slug: counties.slug })
    .from(counties)
    .where(eq(counties.status, 'active'));
  for (let i = 0; i < active.length; i += SEND_BATCH_MAX) {
    await env.JOBS.sendBatch(
      active
        .slice(i, i + SEND_BATCH_MAX)
        .map((c) => ({ body: { type: 'county-tick', county: c.slug, trigger } as JobMessage })),
    );
  }
  return active.length;
}

export async function scheduled(_controller: ScheduledController, env: Bindings, ctx: ExecutionContext) {
  ctx.waitUntil(enqueueCountyTicks(env));
}

export async function handleMessage(env: Bindings, body: JobMessage): Promise<void> {
  if (body.type === 'county-tick') {
    const result = await runCountyJob(env, body.county, body.trigger);
    // A failed task is logged in job_runs; retrying the whole county would repeat the good ones.
    if (result.status === 'failed')
      console.error(JSON.stringify({ msg: 'county job failed', county: body.county, tasks: result.failed }));
    return;
  }
  const county = (
    await controlDb(env).select().from(counties).where(eq(counties.slug, body.county)).limit(1)
  )[0];
  if (!county) return;
  await attemptDelivery(env, county.slug, countyDrizzle(countyDatabase(env, county)), body.deliveryId);
}

export async function queue(batch: MessageBatch<JobMessage>, env: Bindings, _ctx?: ExecutionContext) {
  for (const message of batch.messages) {
    try {
      await handleMessage(env, message.body);
      message.ack();
    } catch (e) {
      console.error(
        JSON.stringify({
          msg: 'job message failed',
          type: message.body.type,
          county: message.body.county,
          error: e instanceof Error ? e.name : 'error',
        }),
      );
      message.retry({ delaySeconds: Math.min(600, 30 * 2 ** message.attempts) });
    }
  }
}
