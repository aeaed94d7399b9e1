import { createRoute, z } from '@hono/zod-openapi';
import { and, desc, lt } from 'drizzle-orm';
import { createRouter } from '../lib/router';
import { CountyParam, jsonResponse, STANDARD_ERRORS } from '../lib/schemas';
import { verifyCountyLog } from './audit';
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

/** What GET …/audit/verify answers, for the platform's log and a county's (ADR 0005). */
export const ChainReportSchema = z
  .object({
    ok: z.boolean(),
    entries: z.number().openapi({ description: 'Sealed entries verified, up to the first broken one' }),
    firstBrokenSeq: z.number().nullable().openapi({
      description:
        'The first seq that does not verify; for a truncated log, the first missing seq after the last entry',
    }),
    reason: z
      .enum(['hash', 'gap', 'unsealed', 'truncated', 'anchor'])
      .nullable()
      .openapi({
        description:
          '`hash`: the entry does not hash to its stored value; `gap`: the seq before it is missing; ' +
          '`unsealed`: an unsealed entry lies at or before the anchor, or before a sealed entry; ' +
          '`truncated`: the log ends before its anchor; `anchor`: the entry at an anchored seq has ' +
          'another hash than the anchor (the chain was rewritten up to there). Null when ok.',
      }),
    unsealed: z.number().openapi({
      description: 'Newest entries whose seal is still in flight: not broken, not yet verified',
    }),
    anchor: z
      .object({ seq: z.number(), at: z.string() })
      .nullable()
      .openapi({
        description:
          "The newest anchor compared with, kept outside the log's database (a county's in the " +
          "control database, the platform's in the counties' databases); null before the first seal",
      }),
  })
  .openapi('AuditChainReport');

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
      summary: "Recompute the county audit log's hash chain and compare it with its anchor (reads only)",
      request: { params: CountyParam },
      responses: {
        200: jsonResponse('Chain report', ChainReportSchema),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => c.json(await verifyCountyLog(c.env, c.var.county.slug, c.var.countyD1), 200),
  );
