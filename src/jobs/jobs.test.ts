import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  getQueueResult,
  waitOnExecutionContext,
} from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { call, tokenFor } from '../../test/helpers/http';
import { waitFor } from '../../test/helpers/wait';
import worker from '../index';
import type { JobMessage } from './messages';
import { runCountyJob } from './runner';
import type { Task } from './tasks';

const runs = async (county: string) =>
  (
    await env.CONTROL_DB.prepare(
      'SELECT status, trigger, day, summary, error FROM job_runs WHERE county = ? ORDER BY started_at',
    )
      .bind(county)
      .all<{
        status: string;
        trigger: string;
        day: string;
        summary: string;
        error: string | null;
      }>()
  ).results;

const batchOf = (bodies: JobMessage[]) =>
  createMessageBatch<JobMessage>(
    'bangjiao-jobs',
    bodies.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: 1, body })),
  );

/** A task that notifies every provider admin once per day: the kind of work real tasks do. */
const notifyingTask: Task = {
  name: 'test-notify',
  cadence: 'daily',
  async run(k) {
    const created = await k.notify([
      {
        kind: 'ledger.due',
        audience: { roles: ['provider_admin'] },
        titleZh: '台账即将到期',
        titleEn: 'Ledger due soon',
        link: `/c/${k.county.slug}/ledgers`,
        dedupeKey: `test-notify:${k.today}`,
      },
    ]);
    return { created };
  },
};

describe('the county job', () => {
  it('runs the daily tasks once per county day, and sends nothing twice', async () => {
    const first = await runCountyJob(env, 'deqing', 'manual', {
      tasks: [notifyingTask],
      now: '2026-03-24T02:00:00.000Z',
    });
    expect(first).toMatchObject({ status: 'ok', ran: ['test-notify'] });
    const second = await runCountyJob(env, 'deqing', 'manual', {
      tasks: [notifyingTask],
      now: '2026-03-24T03:00:00.000Z',
    });
    expect(second.ran).toEqual([]); // daily work already done today
    const inbox = await call('GET', '/api/v1/me/notifications', { token: await tokenFor('provider.admin') });
    expect(inbox.body.items.filter((n: { title: string }) => n.title === '台账即将到期')).toHaveLength(1);

    // Even a forced second run of the same task finds its notification already there.
    const again = await runCountyJob(env, 'deqing', 'manual', {
      tasks: [{ ...notifyingTask, cadence: 'hourly' }],
      now: '2026-03-24T04:00:00.000Z',
    });
    expect(again.ran).toEqual(['test-notify']);
    const inboxAgain = await call('GET', '/api/v1/me/notifications', {
      token: await tokenFor('provider.admin'),
    });
    expect(inboxAgain.body.items.filter((n: { title: string }) => n.title === '台账即将到期')).toHaveLength(
      1,
    );
  });

  it('logs the run, and anchors the newest audit hash in the control database', async () => {
    await call('POST', '/api/v1/counties/anji/townships', {
      token: await tokenFor('anji.admin'),
      body: { name: '测试乡' },
    });
    const result = await runCountyJob(env, 'anji', 'scheduled');
    expect(result.status).toBe('ok');
    const last = (await runs('anji')).at(-1)!;
    expect(last.status).toBe('ok');
    const summary = JSON.parse(last.summary);
    const tail = await env
      .COUNTY_ANJI!.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1')
      .first<{ seq: number; hash: string }>();
    expect(summary['seal-audit']).toMatchObject({ anchorSeq: tail!.seq, anchorHash: tail!.hash });
  });

  it('keeps going when one task fails, and records which', async () => {
    const boom: Task = {
      name: 'boom',
      cadence: 'hourly',
      async run() {
        throw new TypeError('broken');
      },
    };
    const result = await runCountyJob(env, 'deqing', 'manual', {
      tasks: [boom, { ...notifyingTask, cadence: 'hourly' }],
    });
    expect(result).toMatchObject({ status: 'failed', failed: ['boom'], ran: ['boom', 'test-notify'] });
    expect((await runs('deqing')).at(-1)!.error).toBe('failed tasks: boom');
  });

  it('skips a suspended county', async () => {
    await env.CONTROL_DB.prepare("UPDATE counties SET status = 'suspended' WHERE slug = 'anji'").run();
    expect((await runCountyJob(env, 'anji', 'manual')).status).toBe('skipped');
    await env.CONTROL_DB.prepare("UPDATE counties SET status = 'active' WHERE slug = 'anji'").run();
  });
});

describe('the queue consumer', () => {
  it("does each county's work from its own message; one county's failure leaves the others done", async () => {
    // A county whose database cannot be reached: its message is retried, the others acked.
    await env.CONTROL_DB.prepare(
      "INSERT INTO counties (slug, name, region_code, binding) VALUES ('ghost', '幽灵县', '339999', 'COUNTY_GHOST')",
    ).run();
    const before = (await runs('deqing')).length;
    const batch = batchOf([
      { type: 'county-tick', county: 'deqing', trigger: 'scheduled' },
      { type: 'county-tick', county: 'ghost', trigger: 'scheduled' },
      { type: 'county-tick', county: 'anji', trigger: 'scheduled' },
    ]);
    const ctx = createExecutionContext();
    await worker.queue(batch, env, ctx);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks.sort()).toEqual(['m0', 'm2']);
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(['m1']);
    expect((await runs('deqing')).length).toBe(before + 1);
    await env.CONTROL_DB.prepare("DELETE FROM counties WHERE slug = 'ghost'").run();
  });

  it('is fed by the cron trigger: one message per active county', async () => {
    const before = { deqing: (await runs('deqing')).length, anji: (await runs('anji')).length };
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: '5 * * * *' }), env, ctx);
    await waitOnExecutionContext(ctx);
    await waitFor(
      async () => (await runs('deqing')).length > before.deqing && (await runs('anji')).length > before.anji,
    );
    expect((await runs('deqing')).at(-1)!.trigger).toBe('scheduled');
  });
});

describe('operator view', () => {
  it('lists runs per county and queues a run now', async () => {
    const token = await tokenFor('platform.operator');
    const list = await call('GET', '/api/v1/platform/jobs?county=deqing', { token });
    expect(list.status).toBe(200);
    expect(list.body.items.length).toBeGreaterThan(0);
    expect(list.body.items.every((r: { county: string }) => r.county === 'deqing')).toBe(true);
    const before = (await runs('anji')).length;
    const run = await call('POST', '/api/v1/platform/jobs/anji/run', { token });
    expect(run.status).toBe(202);
    await waitFor(async () => (await runs('anji')).length > before);
    expect((await runs('anji')).at(-1)!.trigger).toBe('manual');
    expect((await call('POST', '/api/v1/platform/jobs/atlantis/run', { token })).status).toBe(404);
    expect(
      (await call('GET', '/api/v1/platform/jobs', { token: await tokenFor('deqing.admin') })).status,
    ).toBe(403);
  });
});

describe('the inbox', () => {
  it("marks read, one or all, and never another user's", async () => {
    const token = await tokenFor('provider.admin');
    const inbox = await call('GET', '/api/v1/me/notifications?unread=true', { token });
    expect(inbox.body.unreadCount).toBeGreaterThan(0);
    const id = inbox.body.items[0].id;
    const otherUser = await tokenFor('deqing.admin');
    expect((await call('POST', `/api/v1/me/notifications/${id}/read`, { token: otherUser })).status).toBe(
      404,
    );
    expect((await call('POST', `/api/v1/me/notifications/${id}/read`, { token })).status).toBe(204);
    expect((await call('POST', '/api/v1/me/notifications/read-all', { token })).status).toBe(204);
    expect((await call('GET', '/api/v1/me/notifications?unread=true', { token })).body.unreadCount).toBe(0);
    const en = await call('GET', '/api/v1/me/notifications?lang=en', { token });
    // In English, every one of them (the daily tasks' own notices too).
    const titles = en.body.items.map((n: { title: string }) => n.title);
    expect(titles).toContain('Ledger due soon');
    expect(titles.filter((t: string) => /[\u4e00-\u9fff]/.test(t))).toEqual([]);
  });
});
