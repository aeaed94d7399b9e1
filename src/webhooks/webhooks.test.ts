import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { call, tokenFor } from '../../test/helpers/http';
import { waitFor } from '../../test/helpers/wait';
import { handleMessage } from '../jobs/handlers';
import { runCountyJob } from '../jobs/runner';
import type { Task } from '../jobs/tasks';
import { nowMs } from '../lib/time';

const base = '/api/v1/counties/deqing/webhooks';
const SECRET = 'robot-secret-0123456789';

type Received = { url: string; headers: Record<string, string>; body: string };
const log = async (name: string): Promise<Received[]> =>
  (await fetch(`${env.WEBHOOK_RECEIVER}/log/${name}`)).json();

async function hmac(message: string): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(SECRET),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  return new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(message)));
}
const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, '0')).join('');

const incidentTask = (key: string): Task => ({
  name: `escalate-${key}`,
  cadence: 'hourly',
  async run(k) {
    return {
      created: await k.notify([
        {
          kind: 'incident.escalated',
          audience: { roles: ['bureau_admin'] },
          titleZh: '有1件重大事项超时未签收',
          titleEn: '1 incident not acknowledged in time',
          link: '/c/deqing/incidents',
          dedupeKey: `incident:${key}`,
        },
      ]),
    };
  },
});

async function addHook(name: string, kind: 'dingtalk' | 'wecom' | 'generic') {
  const r = await call('POST', base, {
    token: await tokenFor('deqing.admin'),
    body: {
      name,
      kind,
      url: `${env.WEBHOOK_RECEIVER}/hook/${name}`,
      secret: SECRET,
      events: ['incident.escalated'],
    },
  });
  expect(r.status).toBe(201);
  return r.body.id as string;
}

describe('webhooks', () => {
  it('are managed by the bureau admin; the secret is never shown or stored in clear', async () => {
    const id = await addHook('manage', 'wecom');
    const list = await call('GET', base, { token: await tokenFor('deqing.admin') });
    expect(list.body.items.find((w: { id: string }) => w.id === id)).toMatchObject({
      kind: 'wecom',
      active: true,
    });
    expect(list.text).not.toContain(SECRET);
    const raw = await env.COUNTY_DEQING!.prepare('SELECT * FROM webhooks WHERE id = ?').bind(id).first();
    expect(JSON.stringify(raw)).not.toContain(SECRET);
    expect((await call('GET', base, { token: await tokenFor('deqing.officer') })).status).toBe(403);
    const bad = await call('POST', base, {
      token: await tokenFor('deqing.admin'),
      body: {
        name: 'x',
        kind: 'generic',
        url: 'ftp://example.com/x',
        secret: SECRET,
        events: ['ledger.due'],
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('url');
  });

  it('deliver a signed DingTalk-style text message to a real receiver, with no personal data', async () => {
    await addHook('signed', 'dingtalk');
    await runCountyJob(env, 'deqing', 'manual', { tasks: [incidentTask('signed')] });
    const [got] = await waitFor(async () => {
      const l = await log('signed');
      return l.length ? l : false;
    });
    const body = JSON.parse(got!.body);
    expect(body).toEqual({
      msgtype: 'text',
      text: { content: '有1件重大事项超时未签收\n/c/deqing/incidents' },
    });
    const ts = got!.headers['x-bangjiao-timestamp']!;
    expect(got!.headers['x-bangjiao-signature']).toBe(`sha256=${hex(await hmac(`${ts}.${got!.body}`))}`);
    const url = new URL(got!.url, 'http://receiver');
    expect(url.searchParams.get('timestamp')).toBe(ts);
    expect(url.searchParams.get('sign')).toBe(btoa(String.fromCharCode(...(await hmac(`${ts}\n${SECRET}`)))));
  });

  it('retry with backoff until delivered, and keep a delivery log', async () => {
    const id = await addHook('flaky', 'generic');
    await fetch(`${env.WEBHOOK_RECEIVER}/fail/flaky?count=2`, { method: 'POST' });
    await runCountyJob(env, 'deqing', 'manual', { tasks: [incidentTask('flaky')] });
    const token = await tokenFor('deqing.admin');
    const first = await waitFor(async () => {
      const d = (await call('GET', `${base}/${id}/deliveries`, { token })).body.items[0];
      // attempts is claimed before the request goes out; wait for its outcome too.
      return d?.attempts === 1 && d.lastStatusCode !== null ? d : false;
    });
    expect(first).toMatchObject({ status: 'pending', lastStatusCode: 503, lastError: 'HTTP 503' });
    expect(Date.parse(first.nextAttemptAt) - nowMs()).toBeGreaterThan(20_000); // 30 s backoff

    // The delayed retries would come from the queue; drive them now.
    await handleMessage(env, { type: 'webhook-delivery', county: 'deqing', deliveryId: first.id });
    await handleMessage(env, { type: 'webhook-delivery', county: 'deqing', deliveryId: first.id });
    const done = (await call('GET', `${base}/${id}/deliveries`, { token })).body.items[0];
    expect(done).toMatchObject({ status: 'delivered', attempts: 3, lastStatusCode: 200, lastError: null });
    // A late duplicate message sends nothing more.
    await handleMessage(env, { type: 'webhook-delivery', county: 'deqing', deliveryId: first.id });
    expect(await log('flaky')).toHaveLength(3);
  });

  it('do not deliver the same event twice when the job runs twice', async () => {
    await addHook('once', 'wecom');
    await runCountyJob(env, 'deqing', 'manual', { tasks: [incidentTask('once')] });
    await runCountyJob(env, 'deqing', 'manual', { tasks: [incidentTask('once')] });
    await waitFor(async () => (await log('once')).length > 0);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await log('once')).toHaveLength(1);
  });

  it('stop when disabled', async () => {
    const id = await addHook('disabled', 'generic');
    const token = await tokenFor('deqing.admin');
    expect((await call('PATCH', `${base}/${id}`, { token, body: { active: false } })).body.active).toBe(
      false,
    );
    await runCountyJob(env, 'deqing', 'manual', { tasks: [incidentTask('disabled')] });
    await new Promise((r) => setTimeout(r, 1500));
    expect(await log('disabled')).toHaveLength(0);
  });
});
