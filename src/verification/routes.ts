/** Verification call-backs (回访核查) by the township office, and the per-provider report. */
import { createRoute, z } from '@hono/zod-openapi';
import { activityCtx } from '../activities/http';
import { sealLater } from '../lib/context';
import { invalid } from '../lib/problem';
import { createRouter } from '../lib/router';
import { CivilDate, CountyParam, jsonBody, jsonResponse, STANDARD_ERRORS } from '../lib/schemas';
import { callbackReport, listCallbacks, recordCallback } from './service';

const Id = z.string().trim().min(1).max(64);
const Callback = z
  .object({
    id: z.string(),
    activityId: z.string(),
    callbackActivityId: z.string(),
    superviseeId: z.string().nullable(),
    providerId: z.string(),
    townshipId: z.string(),
    serviceOn: z.string(),
    calledOn: z.string(),
    happened: z.boolean(),
    satisfaction: z.number().nullable(),
    note: z.string().nullable(),
    byUserId: z.string(),
    createdAt: z.string(),
  })
  .openapi('VerificationCallback');

const NewCallback = z
  .strictObject({
    activityId: Id.openapi({ description: "The provider's activity checked" }),
    superviseeId: Id.optional().openapi({
      description: 'Who was asked; required when it had several participants',
    }),
    calledOn: CivilDate.optional().openapi({ description: 'Defaults to today' }),
    startTime: z
      .string()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a local time as HH:MM (24-hour clock)')
      .optional(),
    durationMinutes: z.number().int().min(1).max(240).optional(),
    happened: z.boolean().openapi({ description: 'Whether the supervisee confirms the service took place' }),
    satisfaction: z
      .number()
      .int()
      .min(1)
      .max(5)
      .optional()
      .openapi({ description: '1 (very dissatisfied) … 5' }),
    note: z.string().trim().max(1000).optional(),
  })
  .openapi('NewVerificationCallback');

export const verificationRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/counties/{county}/verification-callbacks',
      tags: ['Verification'],
      summary: "Record a call-back checking a provider's service (township office)",
      request: { params: CountyParam, body: jsonBody(NewCallback) },
      responses: { 201: jsonResponse('Recorded', Callback), ...STANDARD_ERRORS },
    }),
    async (c) => {
      const a = activityCtx(c);
      const out = await recordCallback(a, c.req.valid('json'));
      sealLater(c, a.d1);
      return c.json(out, 201);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/counties/{county}/verification-callbacks',
      tags: ['Verification'],
      summary: 'Call-backs, by the date of the service checked (newest first)',
      request: {
        params: CountyParam,
        query: z.object({
          activityId: Id.optional(),
          providerId: Id.optional(),
          townshipId: Id.optional(),
          from: CivilDate.optional(),
          to: CivilDate.optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
      },
      responses: {
        200: jsonResponse('Call-backs', z.object({ items: z.array(Callback) })),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => c.json({ items: await listCallbacks(activityCtx(c), c.req.valid('query')) }, 200),
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/counties/{county}/verification-callbacks/report',
      tags: ['Verification'],
      summary:
        'Per provider over the services of a period: checked, confirmed, not confirmed, mean satisfaction',
      request: {
        params: CountyParam,
        query: z.object({
          from: CivilDate,
          to: CivilDate,
          providerId: Id.optional(),
          townshipId: Id.optional(),
        }),
      },
      responses: {
        200: jsonResponse(
          'Report',
          z.object({
            from: z.string(),
            to: z.string(),
            items: z.array(
              z.object({
                providerId: z.string(),
                checked: z.number(),
                activitiesChecked: z.number(),
                confirmed: z.number(),
                notConfirmed: z.number(),
                rated: z.number(),
                meanSatisfaction: z.number().nullable(),
              }),
            ),
          }),
        ),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      if (q.to < q.from) throw invalid([{ path: 'to', message: 'must not be before from' }]);
      // Aggregates only: the bureau and the evaluator see every provider's.
      const all = c.var.countyMemberships.some((m) =>
        ['bureau_admin', 'bureau_officer', 'evaluator'].includes(m.role),
      );
      return c.json(await callbackReport(activityCtx(c), q, all), 200);
    },
  );
