/**
 * Activities (API.md "Activities") and the county's activity types. Recording is open to the
 * bureau, township offices and providers' staff, each within their scope (./access.ts).
 */
import { createRoute, z } from '@hono/zod-openapi';
import { countyCtx, sealLater } from '../lib/context';
import { createRouter } from '../lib/router';
import { CivilDate, CountyParam, jsonBody, jsonResponse, problemDoc, STANDARD_ERRORS } from '../lib/schemas';
import { ExportQuery, exportTable, langOf, listOrExport, wantsExport } from '../transfer/export';
import { activityExport } from './export';
import { activityCtx, etag, parseIfMatch } from './http';
import { checkKey, idempotent } from './idempotency';
import {
  type ActivityOut,
  addActivityType,
  amendActivity,
  createActivity,
  findActivity,
  listActivities,
  listActivityTypes,
  openReplayed,
  patchActivity,
  presentActivities,
  voidActivity,
} from './service';

const Id = z.string().trim().min(1).max(64);
/** Free text; an empty string means "none". */
const Text = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .transform((s) => (s === '' ? null : s));
const StartTime = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/, 'expected a local time as HH:MM (24-hour clock)')
  // Seconds, when a client sends them, say nothing a reviewer needs.
  .transform((t) => t.slice(0, 5))
  .openapi({ example: '09:30' });

const Participant = z.strictObject({
  superviseeId: Id,
  minutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .optional()
    .openapi({ description: 'Minutes credited to this participant; defaults to durationMinutes.' }),
});

const fields = {
  type: z.string().trim().min(1).max(64).openapi({ example: 'home_visit' }),
  occurredOn: CivilDate,
  startTime: StartTime.nullable(),
  durationMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60),
  townshipId: Id.openapi({
    description: 'Defaults to the first participant’s township; required without one.',
  }),
  staffUserId: Id.openapi({ description: 'Who did the work; defaults to the caller.' }),
  place: Text(200).nullable(),
  summary: Text(4000).nullable(),
  outcome: Text(1000).nullable().openapi({ description: 'E.g. the result of employment help.' }),
  aidAmountFen: z
    .number()
    .int()
    .min(0)
    .max(1_000_000_000)
    .nullable()
    .openapi({ description: 'hardship_aid only: the amount handed over, in fen.' }),
  participants: z.array(Participant).max(500),
};

const NewActivity = z
  .strictObject({
    ...fields,
    startTime: fields.startTime.optional(),
    townshipId: fields.townshipId.optional(),
    staffUserId: fields.staffUserId.optional(),
    place: fields.place.optional(),
    summary: fields.summary.optional(),
    outcome: fields.outcome.optional(),
    aidAmountFen: fields.aidAmountFen.optional(),
    participants: fields.participants.default([]),
    providerId: Id.nullable().optional().openapi({
      description: 'Provider staff: their own provider (the default). Bureau and offices: optional.',
    }),
  })
  .openapi('NewActivity');

const ActivityPatch = z.strictObject(fields).partial().openapi('ActivityPatch');
const Amendment = z
  .strictObject({ ...fields, reason: z.string().trim().min(1).max(500) })
  .partial()
  .required({ reason: true })
  .openapi('ActivityAmendment');
const VoidBody = z.strictObject({ reason: z.string().trim().min(1).max(500) });

const Activity = z
  .object({ id: z.string(), type: z.string(), version: z.number() })
  .catchall(z.unknown())
  .openapi('Activity');
const IdParam = CountyParam.extend({ id: z.string().openapi({ param: { name: 'id', in: 'path' } }) });
const IfMatch = z.object({ 'if-match': z.string().optional() });

const ActivityType = z
  .object({ code: z.string(), labelZh: z.string(), labelEn: z.string().nullable(), custom: z.boolean() })
  .openapi('ActivityType');

export const activityRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/counties/{county}/activities',
      tags: ['Activities'],
      summary: 'Record an activity (服务记录); retry safely with Idempotency-Key',
      request: {
        params: CountyParam,
        headers: z.object({ 'idempotency-key': z.string().optional() }),
        body: jsonBody(NewActivity),
      },
      responses: {
        201: jsonResponse('Recorded (or the first answer, replayed for the same key and body)', Activity),
        409: problemDoc('Its ledger is confirmed, or a request with this key is still in flight'),
        422: problemDoc('This Idempotency-Key was used with another body'),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const key = checkKey(c.req.header('idempotency-key'));
      const a = activityCtx(c);
      const answer = await idempotent(a, key, { route: 'POST /activities', body }, async (record) => ({
        status: 201,
        body: await createActivity(a, body, record),
      }));
      if (answer.replayed) c.header('idempotent-replayed', 'true');
      const out = answer.replayed ? await openReplayed(a, answer.body) : (answer.body as ActivityOut);
      sealLater(c, a.d1);
      c.header('etag', etag(out.version));
      return c.json(out, 201);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/counties/{county}/activities',
      tags: ['Activities'],
      summary: 'Activities the caller may see, newest first',
      request: {
        params: CountyParam,
        query: z.object({
          from: CivilDate.optional(),
          to: CivilDate.optional(),
          superviseeId: Id.optional(),
          type: z.string().max(64).optional(),
          providerId: Id.optional(),
          townshipId: Id.optional(),
          ledgerId: Id.optional(),
          status: z.enum(['active', 'voided']).optional(),
          cursor: z.string().max(500).optional(),
          limit: z.coerce.number().int().min(1).max(200).default(100),
          ...ExportQuery,
        }),
      },
      responses: {
        200: listOrExport(
          'A page (or, with `format`, every page as a download)',
          z.object({ items: z.array(Activity), nextCursor: z.string().nullable() }),
        ),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const { format, lang: _, ...q } = c.req.valid('query');
      if (wantsExport(format)) return exportTable(c, await activityExport(c, q, langOf(c)), format);
      const a = activityCtx(c);
      const out = await listActivities(a, q);
      sealLater(c, a.d1);
      return c.json(out, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/counties/{county}/activities/{id}',
      tags: ['Activities'],
      summary: 'One activity, with its participants, ledger status and reviewer flags',
      request: { params: IdParam },
      responses: { 200: jsonResponse('The activity', Activity), ...STANDARD_ERRORS },
    }),
    async (c) => {
      const a = activityCtx(c);
      const row = await findActivity(a, c.req.valid('param').id);
      const [out] = await presentActivities(a, [row]);
      sealLater(c, a.d1);
      c.header('etag', etag(row.version));
      return c.json(out!, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'patch',
      path: '/api/v1/counties/{county}/activities/{id}',
      tags: ['Activities'],
      summary: 'Correct an activity until its ledger is confirmed (If-Match optional)',
      request: { params: IdParam, headers: IfMatch, body: jsonBody(ActivityPatch) },
      responses: {
        200: jsonResponse('Updated', Activity),
        409: problemDoc('Its ledger is confirmed (amend it instead), or it is voided'),
        412: problemDoc('Stale If-Match'),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const a = activityCtx(c);
      const row = await findActivity(a, c.req.valid('param').id);
      const out = await patchActivity(a, row, c.req.valid('json'), parseIfMatch(c.req.header('if-match')));
      sealLater(c, a.d1);
      c.header('etag', etag(out.version));
      return c.json(out, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/counties/{county}/activities/{id}/void',
      tags: ['Activities'],
      summary: 'Void an activity with a reason (it is kept, and no longer counted)',
      request: { params: IdParam, headers: IfMatch, body: jsonBody(VoidBody) },
      responses: {
        200: jsonResponse('Voided', Activity),
        409: problemDoc('Its ledger is confirmed, or it is already voided'),
        412: problemDoc('Stale If-Match'),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const a = activityCtx(c);
      const row = await findActivity(a, c.req.valid('param').id);
      const out = await voidActivity(
        a,
        row,
        c.req.valid('json').reason,
        parseIfMatch(c.req.header('if-match')),
      );
      sealLater(c, a.d1);
      c.header('etag', etag(out.version));
      return c.json(out, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/counties/{county}/activities/{id}/amendments',
      tags: ['Activities'],
      summary:
        'Correct an activity of a confirmed ledger: a new activity that amends it (the original is kept)',
      request: { params: IdParam, body: jsonBody(Amendment) },
      responses: {
        201: jsonResponse('The amendment', Activity),
        409: problemDoc('Its ledger is not confirmed (PATCH it instead), or it is already amended'),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const a = activityCtx(c);
      const row = await findActivity(a, c.req.valid('param').id);
      const out = await amendActivity(a, row, c.req.valid('json'));
      sealLater(c, a.d1);
      return c.json(out, 201);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/counties/{county}/activity-types',
      tags: ['Activities'],
      summary: 'The activity types of the county: the base list and its own',
      request: { params: CountyParam },
      responses: {
        200: jsonResponse('Types', z.object({ items: z.array(ActivityType) })),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => c.json({ items: await listActivityTypes(countyCtx(c)) }, 200),
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/counties/{county}/activity-types',
      tags: ['Activities'],
      summary: "Add one of the county's own activity types (bureau admin)",
      request: {
        params: CountyParam,
        body: jsonBody(
          z.strictObject({
            code: z
              .string()
              .regex(/^[a-z][a-z0-9_]{1,63}$/, 'lower-case letters, digits and _, starting with a letter'),
            labelZh: z.string().trim().min(1).max(50),
            labelEn: z.string().trim().min(1).max(100).optional(),
          }),
        ),
      },
      responses: {
        201: jsonResponse('Added', ActivityType),
        409: problemDoc('The code exists'),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const k = countyCtx(c);
      const out = await addActivityType(k, c.req.valid('json'));
      sealLater(c, k.d1);
      return c.json(out, 201);
    },
  );
