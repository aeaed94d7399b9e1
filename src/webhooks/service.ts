/**
 * Outbound webhooks in the shape the group robots of Chinese government offices accept
 * (WeCom / DingTalk `{"msgtype":"text","text":{"content":…}}`), signed with HMAC-SHA-256,
 * delivered from the JOBS queue and retried with exponential backoff; every attempt is logged.
 * Texts carry no personal data: counts, references and a link only.
 */
import { and, eq, sql } from 'drizzle-orm';
import { fieldCrypto } from '../crypto/fields';
import type { Bindings, CountyDb } from '../env';
import { newId } from '../lib/ids';
import { nowInstant, nowMs } from '../lib/time';
import { webhookDeliveries, webhooks } from './schema';

export const MAX_ATTEMPTS = 6;
/** 30 s, 1 min, 2 min, 4 min, 8 min … capped at an hour. */
export const backoffSeconds = (attempts: number) => Math.min(3600, 30 * 2 ** Math.max(0, attempts - 1));

const enc = new TextEncoder();

async function hmac(secret: string, message: string): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey(
    'raw',
    enc.encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  return new Uint8Array(await crypto.subtle.sign('HMAC', key, enc.encode(message)));
}

const hex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
const base64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

export const SIGNATURE_HEADER = 'x-bangjiao-signature';
export const TIMESTAMP_HEADER = 'x-bangjiao-timestamp';

/** Builds the signed request for one delivery. `timestampMs` is passed in so tests can check it. */
export async function signedRequest(
  hook: { kind: 'wecom' | 'dingtalk' | 'generic'; url: string },
  secret: string,
  message: { county: string; kind: string; text: string; eventKey: string },
  timestampMs: number,
): Promise<Request> {
  const body =
    hook.kind === 'generic'
      ? JSON.stringify({
          event: message.kind,
          county: message.county,
          key: message.eventKey,
          text: message.text,
        })
      : JSON.stringify({ msgtype: 'text', text: { content: message.text } });
  const url = new URL(hook.url);
  if (hook.kind === 'dingtalk') {
    // DingTalk's own scheme: sign "timestamp\nsecret" and pass both in the query.
    url.searchParams.set('timestamp', String(timestampMs));
    url.searchParams.set('sign', base64(await hmac(secret, `${timestampMs}\n${secret}`)));
  }
  return new Request(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json; charset=utf-8',
      [TIMESTAMP_HEADER]: String(timestampMs),
      [SIGNATURE_HEADER]: `sha256=${hex(await hmac(secret, `${timestampMs}.${body}`))}`,
    },
    body,
  });
}

/** Offers an event to every active webhook of the county subscribed to its kind. */
export async function enqueueWebhookEvent(
  env: Bindings,
  county: string,
  db: CountyDb,
  event: { kind: string; eventKey: string; text: string; link?: string | undefined },
): Promise<number> {
  const hooks = (await db.select().from(webhooks).where(eq(webhooks.active, true))).filter((h) =>
    h.events.includes(event.kind),
  );
  let queued = 0;
  for (const h of hooks) {
    const inserted = await db
      .insert(webhookDeliveries)
      .values({
        id: newId(),
        webhookId: h.id,
        eventKey: event.eventKey,
        kind: event.kind,
        text: event.link ? `${event.text}\n${event.link}` : event.text,
        status: 'pending',
      })
      .onConflictDoNothing()
      .returning({ id: webhookDeliveries.id });
    for (const d of inserted) {
      await env.JOBS.send({ type: 'webhook-delivery', county, deliveryId: d.id });
      queued++;
    }
  }
  return queued;
}

/** One attempt; on failure schedules the next through the queue until MAX_ATTEMPTS. */
export async function attemptDelivery(
  env: Bindings,
  county: string,
  db: CountyDb,
  deliveryId: string,
): Promise<void> {
  const d = (
    await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, deliveryId)).limit(1)
  )[0];
  if (!d || d.status !== 'pending') return; // delivered or given up: a duplicate message is harmless
  const hook = (await db.select().from(webhooks).where(eq(webhooks.id, d.webhookId)).limit(1))[0];
  if (!hook?.active) {
    await db
      .update(webhookDeliveries)
      .set({ status: 'failed', lastError: 'webhook disabled' })
      .where(eq(webhookDeliveries.id, d.id));
    return;
  }
  // Claim this attempt: with at-least-once queue delivery, a duplicate message must not send twice.
  const claimed = await db
    .update(webhookDeliveries)
    .set({ attempts: d.attempts + 1 })
    .where(
      and(
        eq(webhookDeliveries.id, d.id),
        eq(webhookDeliveries.status, 'pending'),
        eq(webhookDeliveries.attempts, d.attempts),
      ),
    )
    .returning({ id: webhookDeliveries.id });
  if (!claimed[0]) return;
  const secret = await (await fieldCrypto(env.DATA_KEY_SECRET, county)).decrypt(hook.secretEnc, {
    table: 'webhooks',
    column: 'secret_enc',
    rowId: hook.id,
  });
  let statusCode: number | null = null;
  let error: string | null = null;
  try {
    const res = await fetch(
      await signedRequest(
        hook,
        secret,
        { county, kind: d.kind, text: d.text, eventKey: d.eventKey },
        nowMs(),
      ),
      {
        signal: AbortSignal.timeout(10_000),
      },
    );
    statusCode = res.status;
    await res.body?.cancel();
    if (!res.ok) error = `HTTP ${res.status}`;
  } catch (e) {
    error = e instanceof Error ? e.name : 'error';
  }
  const attempts = d.attempts + 1;
  if (!error) {
    await db
      .update(webhookDeliveries)
      .set({
        status: 'delivered',
        attempts,
        lastStatusCode: statusCode,
        lastError: null,
        deliveredAt: nowInstant(),
        nextAttemptAt: null,
      })
      .where(eq(webhookDeliveries.id, d.id));
    return;
  }
  const giveUp = attempts >= MAX_ATTEMPTS;
  const delay = backoffSeconds(attempts);
  await db
    .update(webhookDeliveries)
    .set({
      status: giveUp ? 'failed' : 'pending',
      attempts,
      lastStatusCode: statusCode,
      lastError: error,
      nextAttemptAt: giveUp ? null : new Date(nowMs() + delay * 1000).toISOString(),
    })
    .where(eq(webhookDeliveries.id, d.id));
  if (!giveUp)
    await env.JOBS.send({ type: 'webhook-delivery', county, deliveryId: d.id }, { delaySeconds: delay });
}

export const pendingDeliveries = (db: CountyDb) =>
  db
    .select({ n: sql<number>`count(*)` })
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.status, 'pending'));
