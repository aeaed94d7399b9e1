import { createRoute, z } from '@hono/zod-openapi';
import { and, count, desc, eq, isNull, lt } from 'drizzle-orm';
import { controlDb } from '../db';
import { principalOf } from '../lib/context';
import { notFound } from '../lib/problem';
import { createRouter } from '../lib/router';
import { jsonResponse, STANDARD_ERRORS } from '../lib/schemas';
import { nowInstant } from '../lib/time';
import { notifications } from './control-schema';

const Notification = z
  .object({
    id: z.string(),
    county: z.string(),
    kind: z.string(),
    title: z.string(),
    link: z.string().nullable(),
    createdAt: z.string(),
    readAt: z.string().nullable(),
  })
  .openapi('Notification');

const PAGE = 50;

export const notificationRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/me/notifications',
      tags: ['Notifications'],
      summary: 'My inbox across counties, newest first',
      request: {
        query: z.object({
          unread: z.enum(['true', 'false']).optional(),
          lang: z.enum(['zh', 'en']).default('zh'),
          cursor: z.string().optional(),
        }),
      },
      responses: {
        200: jsonResponse(
          'Inbox',
          z.object({
            items: z.array(Notification),
            unreadCount: z.number(),
            nextCursor: z.string().nullable(),
          }),
        ),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const userId = principalOf(c).user.id;
      const db = controlDb(c.env);
      const [rows, unread] = await db.batch([
        db
          .select()
          .from(notifications)
          .where(
            and(
              eq(notifications.userId, userId),
              q.unread === 'true' ? isNull(notifications.readAt) : undefined,
              q.cursor ? lt(notifications.createdAt, q.cursor) : undefined,
            ),
          )
          .orderBy(desc(notifications.createdAt))
          .limit(PAGE + 1),
        db
          .select({ n: count() })
          .from(notifications)
          .where(and(eq(notifications.userId, userId), isNull(notifications.readAt))),
      ]);
      const page = rows.slice(0, PAGE);
      return c.json(
        {
          items: page.map((n) => ({
            id: n.id,
            county: n.county,
            kind: n.kind,
            title: q.lang === 'en' ? n.titleEn : n.titleZh,
            link: n.link,
            createdAt: n.createdAt,
            readAt: n.readAt,
          })),
          unreadCount: unread[0]?.n ?? 0,
          nextCursor: rows.length > PAGE ? page.at(-1)!.createdAt : null,
        },
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/me/notifications/{id}/read',
      tags: ['Notifications'],
      summary: 'Mark one notification read',
      request: { params: z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' } }) }) },
      responses: { 204: { description: 'Read' }, ...STANDARD_ERRORS },
    }),
    async (c) => {
      const updated = await controlDb(c.env)
        .update(notifications)
        .set({ readAt: nowInstant() })
        .where(
          and(
            eq(notifications.id, c.req.valid('param').id),
            eq(notifications.userId, principalOf(c).user.id),
          ),
        )
        .returning({ id: notifications.id });
      if (!updated[0]) throw notFound('notification');
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/me/notifications/read-all',
      tags: ['Notifications'],
      summary: 'Mark every notification read',
      responses: { 204: { description: 'Read' }, ...STANDARD_ERRORS },
    }),
    async (c) => {
      await controlDb(c.env)
        .update(notifications)
        .set({ readAt: nowInstant() })
        .where(and(eq(notifications.userId, principalOf(c).user.id), isNull(notifications.readAt)));
      return c.body(null, 204);
    },
  );
