/** The bureau admin's outbound webhooks (group robots) and their delivery log. */
import { createRoute, z } from '@hono/zod-openapi';
import { desc, eq } from 'drizzle-orm';
import { fieldCrypto } from '../crypto/fields';
import { type Ctx, countyAudit, countyCtx, sealLater } from '../lib/context';
import { newId } from '../lib/ids';
import { invalid, notFound } from '../lib/problem';
import { createRouter } from '../lib/router';
import { CountyParam, jsonBody, jsonResponse, STANDARD_ERRORS } from '../lib/schemas';
import { webhookDeliveries, webhooks } from './schema';
import { enqueueWebhookEvent } from './service';

export const NOTIFICATION_KINDS = [
  'ledger.due',
  'ledger.late',
  'incident.escalated',
  'compliance.overdue',
  'worklist.digest',
  'webhook.test',
] as const;

const NewWebhook = z.strictObject({
  name: z.string().trim().min(1).max(50),
  kind: z.enum(['wecom', 'dingtalk', 'generic']),
  url: z.url().max(500),
  secret: z.string().min(16).max(200),
  events: z.array(z.enum(NOTIFICATION_KINDS)).min(1),
});
const WebhookPatch = z
  .strictObject({ name: NewWebhook.shape.name, events: NewWebhook.shape.events, active: z.boolean() })
  .partial();

const Webhook = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.string(),
    url: z.string(),
    events: z.array(z.string()),
    active: z.boolean(),
  })
  .openapi('Webhook');
const IdParam = CountyParam.extend({ id: z.string().openapi({ param: { name: 'id', in: 'path' } }) });

const present = (w: typeof webhooks.$inferSelect) => ({
  id: w.id,
  name: w.name,
  kind: w.kind,
  url: w.url,
  events: w.events,
  active: w.active,
});

/** Only https leaves a deployed Worker; plain http is for the local receiver in tests and dev. */
function checkUrl(c: Ctx, url: string) {
  const u = new URL(url);
  const local = c.env.ENVIRONMENT === 'development' || c.env.ENVIRONMENT === 'test';
  if (u.protocol !== 'https:' && !(local && u.protocol === 'http:')) {
    throw invalid([{ path: 'url', message: 'must be an https address' }]);
  }
}

async function findHook(c: Ctx, id: string) {
  const row = (await c.var.countyDb.select().from(webhooks).where(eq(webhooks.id, id)).limit(1))[0];
  if (!row) throw notFound('webhook');
  return row;
}

export const webhookRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/counties/{county}/webhooks',
      tags: ['Notifications'],
      summary: "The county's webhooks",
      request: { params: CountyParam },
      responses: { 200: jsonResponse('Webhooks', z.object({ items: z.array(Webhook) })), ...STANDARD_ERRORS },
    }),
    async (c) => c.json({ items: (await c.var.countyDb.select().from(webhooks)).map(present) }, 200),
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/counties/{county}/webhooks',
      tags: ['Notifications'],
      summary: 'Add a webhook (WeCom / DingTalk group robot, or a generic JSON receiver)',
      request: { params: CountyParam, body: jsonBody(NewWebhook) },
      responses: { 201: jsonResponse('Added', Webhook), ...STANDARD_ERRORS },
    }),
    async (c) => {
      const body = c.req.valid('json');
      checkUrl(c, body.url);
      const k = countyCtx(c);
      const id = newId();
      const secretEnc = await (await fieldCrypto(k.dataKeySecret, k.county.slug)).encrypt(body.secret, {
        table: 'webhooks',
        column: 'secret_enc',
        rowId: id,
      });
      const row = {
        id,
        name: body.name,
        kind: body.kind,
        url: body.url,
        secretEnc,
        events: body.events,
        active: true,
        createdBy: k.actorUserId,
      };
      await k.db.batch([
        k.db.insert(webhooks).values(row),
        countyAudit(k, { action: 'webhook.create', targetType: 'webhook', targetId: id }),
      ]);
      sealLater(c, k.d1);
      return c.json(present({ ...row, createdAt: '' }), 201);
    },
  )
  .openapi(
    createRoute({
      method: 'patch',
      path: '/api/v1/counties/{county}/webhooks/{id}',
      tags: ['Notifications'],
      summary: 'Rename, change events, enable or disable',
      request: { params: IdParam, body: jsonBody(WebhookPatch) },
      responses: { 200: jsonResponse('Updated', Webhook), ...STANDARD_ERRORS },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await findHook(c, id);
      const k = countyCtx(c);
      const patch = c.req.valid('json');
      const [updated] = await k.db.batch([
        k.db.update(webhooks).set(patch).where(eq(webhooks.id, id)).returning(),
        countyAudit(k, {
          action: 'webhook.update',
          targetType: 'webhook',
          targetId: id,
          detail: { fields: Object.keys(patch) },
        }),
      ]);
      sealLater(c, k.d1);
      return c.json(present(updated[0]!), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/counties/{county}/webhooks/{id}/deliveries',
      tags: ['Notifications'],
      summary: 'The delivery log of a webhook, newest first',
      request: { params: IdParam },
      responses: {
        200: jsonResponse(
          'Deliveries',
          z.object({
            items: z.array(
              z.object({
                id: z.string(),
                eventKey: z.string(),
                kind: z.string(),
                status: z.string(),
                attempts: z.number(),
                lastStatusCode: z.number().nullable(),
                lastError: z.string().nullable(),
                nextAttemptAt: z.string().nullable(),
                deliveredAt: z.string().nullable(),
                createdAt: z.string(),
              }),
            ),
          }),
        ),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      await findHook(c, id);
      const rows = await c.var.countyDb
        .select()
        .from(webhookDeliveries)
        .where(eq(webhookDeliveries.webhookId, id))
        .orderBy(desc(webhookDeliveries.createdAt))
        .limit(100);
      return c.json({ items: rows.map(({ text: _t, webhookId: _w, ...d }) => d) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/counties/{county}/webhooks/{id}/test',
      tags: ['Notifications'],
      summary: 'Send a test message through the queue',
      request: { params: IdParam },
      responses: { 202: jsonResponse('Queued', z.object({ queued: z.number() })), ...STANDARD_ERRORS },
    }),
    async (c) => {
      const hook = await findHook(c, c.req.valid('param').id);
      const k = countyCtx(c);
      const subscribe = !hook.events.includes('webhook.test');
      // A request to a stored URL is on record before it is queued, with the subscription it adds.
      const entry = countyAudit(k, {
        action: 'webhook.test',
        targetType: 'webhook',
        targetId: hook.id,
        detail: { subscribed: subscribe },
      });
      if (subscribe) {
        await k.db.batch([
          k.db
            .update(webhooks)
            .set({ events: [...hook.events, 'webhook.test'] })
            .where(eq(webhooks.id, hook.id)),
          entry,
        ]);
      } else {
        await entry;
      }
      sealLater(c, k.d1);
      const queued = await enqueueWebhookEvent(c.env, c.var.county.slug, c.var.countyDb, {
        kind: 'webhook.test',
        eventKey: `test:${newId()}`,
        text: `帮教平台测试消息（${c.var.county.name}）`,
      });
      return c.json({ queued }, 202);
    },
  );
