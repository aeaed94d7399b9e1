/** Ledgers (API.md "Ledgers"): the monthly 台账 of each provider in each township. */
import { createRoute, z } from '@hono/zod-openapi';
import { activityCtx, etag, parseIfMatch } from '../activities/http';
import type { Ctx } from '../lib/context';
import { sealLater } from '../lib/context';
import { createRouter } from '../lib/router';
import { CountyParam, jsonBody, jsonResponse, problemDoc, STANDARD_ERRORS } from '../lib/schemas';
import { ExportQuery, exportTable, langOf, listOrExport, wantsExport } from '../transfer/export';
import { ledgerExport } from './export';
import { findLedger, ledgerDetail, listLedgers, moveLedger, presentLedger } from './service';

const Ledger = z
  .object({
    id: z.string(),
    providerId: z.string(),
    townshipId: z.string(),
    cycle: z.string(),
    cycleStart: z.string(),
    cycleEnd: z.string(),
    dueBy: z.string(),
    status: z.enum(['draft', 'submitted', 'returned', 'confirmed']),
    activityCount: z.number(),
    late: z.boolean(),
  })
  .catchall(z.unknown())
  .openapi('Ledger');
const IdParam = CountyParam.extend({ id: z.string().openapi({ param: { name: 'id', in: 'path' } }) });
const IfMatch = z.object({ 'if-match': z.string().optional() });

const moveResponses = {
  200: jsonResponse('Moved', Ledger),
  409: problemDoc('Not in a state this move starts from'),
  412: problemDoc('Stale If-Match: the ledger changed since it was read'),
  ...STANDARD_ERRORS,
};

const transition = (action: 'submit' | 'confirm', summary: string) =>
  createRoute({
    method: 'post',
    path: `/api/v1/counties/{county}/ledgers/{id}/${action}`,
    tags: ['Ledgers'],
    summary,
    request: { params: IdParam, headers: IfMatch },
    responses: moveResponses,
  });

const returnRoute = createRoute({
  method: 'post',
  path: '/api/v1/counties/{county}/ledgers/{id}/return',
  tags: ['Ledgers'],
  summary: 'Return a submitted ledger with the reason (township office of that ledger)',
  request: {
    params: IdParam,
    headers: IfMatch,
    body: jsonBody(z.strictObject({ reason: z.string().trim().min(1).max(1000) })),
  },
  responses: moveResponses,
});

async function move(c: Ctx, action: 'submit' | 'return' | 'confirm', reason?: string) {
  const a = activityCtx(c);
  const row = await findLedger(a, c.req.param('id')!);
  const moved = await moveLedger(a, row, action, {
    ...(reason !== undefined ? { reason } : {}),
    ifMatch: parseIfMatch(c.req.header('if-match')),
  });
  sealLater(c, a.d1);
  c.header('etag', etag(moved.version));
  return presentLedger(a, moved);
}

export const ledgerRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/counties/{county}/ledgers',
      tags: ['Ledgers'],
      summary:
        "A cycle's ledgers, or every cycle's (status=confirmed: the archive), with totals and warnings",
      request: {
        params: CountyParam,
        query: z.object({
          cycle: z
            .string()
            .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected a cycle as YYYY-MM (the month it ends in)')
            .optional(),
          providerId: z.string().max(64).optional(),
          townshipId: z.string().max(64).optional(),
          status: z.enum(['draft', 'submitted', 'returned', 'confirmed']).optional(),
          cursor: z.string().max(500).optional(),
          limit: z.coerce.number().int().min(1).max(200).default(100),
          ...ExportQuery,
        }),
      },
      responses: {
        200: listOrExport(
          'Ledgers (or, with `format`, every page as a download)',
          z.object({ items: z.array(Ledger), nextCursor: z.string().nullable() }),
        ),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const { format, lang: _, ...q } = c.req.valid('query');
      if (wantsExport(format)) return exportTable(c, await ledgerExport(c, q, langOf(c)), format);
      return c.json(await listLedgers(activityCtx(c), q), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/counties/{county}/ledgers/{id}',
      tags: ['Ledgers'],
      summary: 'One ledger with its activities, warnings and history',
      request: { params: IdParam },
      responses: { 200: jsonResponse('The ledger', Ledger), ...STANDARD_ERRORS },
    }),
    async (c) => {
      const a = activityCtx(c);
      const row = await findLedger(a, c.req.valid('param').id);
      const out = await ledgerDetail(a, row);
      sealLater(c, a.d1);
      c.header('etag', etag(row.version));
      return c.json(out, 200);
    },
  )
  .openapi(transition('submit', 'Submit a draft or returned ledger (provider admin)'), async (c) =>
    c.json(await move(c, 'submit'), 200),
  )
  .openapi(returnRoute, async (c) => c.json(await move(c, 'return', c.req.valid('json').reason), 200))
  .openapi(
    transition('confirm', 'Confirm a submitted ledger; it is locked from then on (township office)'),
    async (c) => c.json(await move(c, 'confirm'), 200),
  );
