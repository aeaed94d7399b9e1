/**
 * Payments (ADR 0303): the bureau records, a finance officer who did not record it approves,
 * then marks it paid. Providers see the schedule and payments of their own contracts.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { contractScope } from '../contracts/access';
import { findContract, listContracts } from '../contracts/service';
import { countyCtx, sealLater } from '../lib/context';
import { createRouter } from '../lib/router';
import { CivilDate, CountyParam, jsonBody, jsonResponse, problemDoc, STANDARD_ERRORS } from '../lib/schemas';
import { ExportQuery, exportTable, langOf, listOrExport, wantsExport } from '../transfer/export';
import { paymentExport } from './export';
import {
  approvePayment,
  cancelPayment,
  findPayment,
  listPayments,
  markPaid,
  positionOf,
  presentPayment,
  presentSchedule,
  recordPayment,
} from './service';

const Text = (max: number) => z.string().trim().min(1).max(max);
const IdParam = CountyParam.extend({ id: z.string().openapi({ param: { name: 'id', in: 'path' } }) });

const Payment = z
  .object({
    id: z.string(),
    contractId: z.string(),
    programmeId: z.string(),
    kind: z.enum(['work_funds', 'activity_funds']),
    amountFen: z.number(),
    status: z.enum(['recorded', 'approved', 'paid', 'cancelled']),
  })
  .catchall(z.unknown())
  .openapi('Payment');

const NewPayment = z
  .strictObject({
    kind: z.enum(['work_funds', 'activity_funds']),
    amountFen: z
      .number()
      .int('must be a whole number of fen')
      .positive()
      .max(Number.MAX_SAFE_INTEGER)
      .optional(),
    dueOn: CivilDate.optional(),
    note: Text(500).optional(),
  })
  .openapi('NewPayment');

const Page = z.object({ items: z.array(Payment), nextCursor: z.string().nullable() });
const PageQuery = {
  cursor: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
};

const optionalBody = <T extends z.ZodType>(schema: T) => ({
  required: false,
  content: { 'application/json': { schema } },
});

export const paymentRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/counties/{county}/contracts/{id}/payment-schedule',
      tags: ['Payments'],
      summary: 'The planned schedule: work funds on signing, activity funds after the accepted evaluation',
      request: { params: IdParam },
      responses: {
        200: jsonResponse(
          'Schedule',
          z
            .object({
              contractId: z.string(),
              items: z.array(z.object({ kind: z.string() }).catchall(z.unknown())),
            })
            .catchall(z.unknown()),
        ),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const k = countyCtx(c);
      const contract = await findContract(k, await contractScope(c), c.req.valid('param').id);
      return c.json(presentSchedule(await positionOf(k, contract)), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/counties/{county}/contracts/{id}/payments',
      tags: ['Payments'],
      summary: "A contract's payments",
      request: { params: IdParam, query: z.object(PageQuery) },
      responses: { 200: jsonResponse('A page', Page), ...STANDARD_ERRORS },
    }),
    async (c) => {
      const k = countyCtx(c);
      const contract = await findContract(k, await contractScope(c), c.req.valid('param').id);
      const { rows, nextCursor } = await listPayments(k, {
        ...c.req.valid('query'),
        contractIds: [contract.id],
      });
      return c.json({ items: rows.map(presentPayment), nextCursor }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/counties/{county}/contracts/{id}/payments',
      tags: ['Payments'],
      summary: 'Record a planned payment (the amount defaults to what the schedule leaves)',
      request: { params: IdParam, body: jsonBody(NewPayment) },
      responses: {
        201: jsonResponse('Recorded', Payment),
        409: problemDoc('Not due, or beyond the schedule or the budget'),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const k = countyCtx(c);
      const contract = await findContract(k, await contractScope(c), c.req.valid('param').id);
      const row = await recordPayment(k, contract, c.req.valid('json'));
      sealLater(c, k.d1);
      return c.json(presentPayment(row), 201);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/counties/{county}/payments',
      tags: ['Payments'],
      summary: "The county's payments (e.g. `status=recorded`: those awaiting approval)",
      request: {
        params: CountyParam,
        query: z.object({
          status: z.enum(['recorded', 'approved', 'paid', 'cancelled']).optional(),
          programmeId: z.string().max(64).optional(),
          ...PageQuery,
          ...ExportQuery,
        }),
      },
      responses: {
        200: listOrExport('A page (or, with `format`, every page as a download)', Page),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const k = countyCtx(c);
      const scope = await contractScope(c);
      const contractIds = scope.all ? undefined : (await listContracts(k, scope, {})).map((r) => r.id);
      const { format, lang: _, ...q } = c.req.valid('query');
      if (wantsExport(format)) {
        const table = await paymentExport(
          c,
          { status: q.status, programmeId: q.programmeId, contractIds },
          langOf(c),
        );
        return exportTable(c, table, format);
      }
      const { rows, nextCursor } = await listPayments(k, { ...q, contractIds });
      return c.json({ items: rows.map(presentPayment), nextCursor }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/counties/{county}/payments/{id}/approve',
      tags: ['Payments'],
      summary: 'Approve a recorded payment (a finance officer other than the recorder; within the budget)',
      request: { params: IdParam, body: optionalBody(z.strictObject({})) },
      responses: {
        200: jsonResponse('Approved', Payment),
        409: problemDoc('Not awaiting approval, or beyond the budget or the schedule'),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const k = countyCtx(c);
      const payment = await findPayment(k, c.req.valid('param').id);
      const row = await approvePayment(k, payment);
      sealLater(c, k.d1);
      return c.json(presentPayment(row), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/counties/{county}/payments/{id}/pay',
      tags: ['Payments'],
      summary: 'Record that an approved payment was paid',
      request: {
        params: IdParam,
        body: jsonBody(z.strictObject({ paidOn: CivilDate, reference: Text(100).optional() })),
      },
      responses: {
        200: jsonResponse('Paid', Payment),
        409: problemDoc('Not approved'),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const k = countyCtx(c);
      const payment = await findPayment(k, c.req.valid('param').id);
      const row = await markPaid(k, payment, c.req.valid('json'));
      sealLater(c, k.d1);
      return c.json(presentPayment(row), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/counties/{county}/payments/{id}/cancel',
      tags: ['Payments'],
      summary: 'Cancel a payment still awaiting approval',
      request: { params: IdParam, body: jsonBody(z.strictObject({ reason: Text(500) })) },
      responses: {
        200: jsonResponse('Cancelled', Payment),
        409: problemDoc('Already approved'),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const k = countyCtx(c);
      const payment = await findPayment(k, c.req.valid('param').id);
      const row = await cancelPayment(k, payment, c.req.valid('json').reason);
      sealLater(c, k.d1);
      return c.json(presentPayment(row), 200);
    },
  );
