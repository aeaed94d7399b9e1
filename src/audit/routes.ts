import { createRoute, z } from '@hono/zod-openapi';
import { and, desc, lt } from 'drizzle-orm';
import { createRouter } from '../lib/router';
import { CountyParam, jsonResponse, STANDARD_ERRORS } from '../lib/schemas';
import { verifyAuditChain } from './audit';
import { auditLog } from './schema';

const EntrySchema = z
  .object({
    seq: z.number(),
    at: z.string(),
    actorUserId: z.string().nullable(),
    action: z.string(),
    targetType: z.string(),
    targetId: z.string().nullable(),
    requestId: z.string().nullable(),
    detail: z.unknown().nullable(),
    hash: z.string().nullable(),
  })
  .openapi('AuditEntry');

const PAGE = 100;

export const auditRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/counties/{county}/audit',
      tags: ['County'],
      summary: "The county's audit log, newest first",
      request: {
        params: CountyParam,
        query: z.object({ cursor: z.coerce.number().int().positive().optional() }),
      },
      responses: {
        200: jsonResponse(
          'Entries',
          z.object({ items: z.array(EntrySchema), nextCursor: z.string().nullable() }),
        ),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const { cursor } = c.req.valid('query');
      const rows = await c.var.countyDb
        .select()
        .from(auditLog)
        .where(and(cursor ? lt(auditLog.seq, cursor) : undefined))
        .orderBy(desc(auditLog.seq))
        .limit(PAGE + 1);
      const page = rows.slice(0, PAGE);
      return c.json(
        {
          items: page.map((r) => ({ ...r, detail: r.detail ? (JSON.parse(r.detail) as unknown) : null })),
          nextCursor: rows.length > PAGE ? String(page.at(-1)!.seq) : null,
        },
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/counties/{county}/audit/verify',
      tags: ['County'],
      summary: "Recompute the county audit log's hash chain",
      request: { params: CountyParam },
      responses: {
        200: jsonResponse(
          'Chain report',
          z.object({ ok: z.boolean(), entries: z.number(), firstBrokenSeq: z.number().nullable() }),
        ),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => c.json(await verifyAuditChain(c.var.countyD1), 200),
  );
