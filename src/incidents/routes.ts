import { createRoute, z } from '@hono/zod-openapi';
import { type Ctx, countyCtx, sealLater } from '../lib/context';
import { createRouter } from '../lib/router';
import { CountyParam, jsonBody, jsonResponse, problemDoc, STANDARD_ERRORS } from '../lib/schemas';
import { nowInstant } from '../lib/time';
import { INCIDENT_KINDS, INCIDENT_STATUSES } from './schema';
import {
  acknowledgeIncident,
  findIncident,
  listIncidents,
  presentIncident,
  presentIncidentDetail,
  reportIncident,
  reportingProvider,
  requireIncidentScope,
  resolveIncident,
} from './service';

const Text = (max: number) => z.string().trim().min(1).max(max);
const Instant = z.iso.datetime({ offset: true }).openapi({ example: '2026-03-01T08:30:00Z' });

const NewIncident = z
  .strictObject({
    superviseeId: Text(64),
    kind: z.enum(INCIDENT_KINDS),
    description: Text(4000),
    occurredAt: Instant.optional(),
    providerId: Text(64).optional(),
  })
  .openapi('NewIncident');

const Acknowledge = z.strictObject({ note: Text(2000).optional() }).openapi('IncidentAcknowledgement');
const Resolve = z.strictObject({ resolution: Text(4000) }).openapi('IncidentResolution');

const Incident = z
  .object({
    id: z.string(),
    superviseeId: z.string(),
    townshipId: z.string(),
    providerId: z.string(),
    kind: z.enum(INCIDENT_KINDS),
    status: z.enum(INCIDENT_STATUSES),
    reportedAt: z.string(),
    acknowledgeBy: z.string(),
    escalateAt: z.string(),
    overdue: z.boolean(),
    escalated: z.boolean(),
  })
  .catchall(z.unknown())
  .openapi('Incident', {
    description:
      '`overdue`: open past `acknowledgeBy`; `escalated`: open at or past `escalateAt` (shown to the bureau). ' +
      'The narratives (`description`, `acknowledgeNote`, `resolution`) appear on the single incident only.',
  });

const IdParam = CountyParam.extend({ id: z.string().openapi({ param: { name: 'id', in: 'path' } }) });

const scopeOf = (c: Ctx) => requireIncidentScope(c.var.countyMemberships);

export const incidentRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/counties/{county}/incidents',
      tags: ['Incidents'],
      summary: 'Report an incident (重大事项) about a supervisee your provider serves',
      request: { params: CountyParam, body: jsonBody(NewIncident) },
      responses: { 201: jsonResponse('Reported', Incident), ...STANDARD_ERRORS },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const providerIds = c.var.countyMemberships.flatMap((m) => (m.providerId ? [m.providerId] : []));
      const providerId = reportingProvider(providerIds, body.providerId);
      const k = countyCtx(c);
      const now = nowInstant();
      const row = await reportIncident(k, providerId, body, now);
      sealLater(c, k.d1);
      return c.json(
        {
          ...presentIncident(row, now),
          description: body.description,
          acknowledgeNote: null,
          resolution: null,
        },
        201,
      );
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/counties/{county}/incidents',
      tags: ['Incidents'],
      summary: 'Incidents the caller handles or reported, newest first',
      request: {
        params: CountyParam,
        query: z.object({
          status: z.enum(INCIDENT_STATUSES).optional(),
          township: z.string().max(64).optional(),
          supervisee: z.string().max(64).optional(),
          provider: z.string().max(64).optional(),
          kind: z.enum(INCIDENT_KINDS).optional(),
          escalated: z.enum(['true', 'false']).optional(),
          cursor: z.string().max(200).optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
      },
      responses: {
        200: jsonResponse(
          'A page',
          z.object({ items: z.array(Incident), nextCursor: z.string().nullable() }),
        ),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const scope = scopeOf(c);
      const k = countyCtx(c);
      const now = nowInstant();
      const { rows, nextCursor } = await listIncidents(
        k,
        scope,
        {
          status: q.status,
          townshipId: q.township,
          superviseeId: q.supervisee,
          providerId: q.provider,
          kind: q.kind,
          escalated: q.escalated === undefined ? undefined : q.escalated === 'true',
          cursor: q.cursor,
          limit: q.limit,
        },
        now,
      );
      return c.json({ items: rows.map((r) => presentIncident(r, now)), nextCursor }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/counties/{county}/incidents/{id}',
      tags: ['Incidents'],
      summary: 'One incident with its narratives (the read is audited)',
      request: { params: IdParam },
      responses: { 200: jsonResponse('The incident', Incident), ...STANDARD_ERRORS },
    }),
    async (c) => {
      const scope = scopeOf(c);
      const k = countyCtx(c);
      const row = await findIncident(k, scope, c.req.valid('param').id);
      const out = await presentIncidentDetail(k, row, nowInstant());
      sealLater(c, k.d1);
      return c.json(out, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/counties/{county}/incidents/{id}/acknowledge',
      tags: ['Incidents'],
      summary: 'Acknowledge an open incident (township office of its township, or the bureau)',
      request: {
        params: IdParam,
        body: { required: false, content: { 'application/json': { schema: Acknowledge } } },
      },
      responses: {
        200: jsonResponse('Acknowledged', Incident),
        409: problemDoc('Not open (already acknowledged or resolved)'),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const body = (c.req.valid('json') ?? {}) as z.infer<typeof Acknowledge>;
      const scope = scopeOf(c);
      const k = countyCtx(c);
      const row = await findIncident(k, scope, c.req.valid('param').id);
      const now = nowInstant();
      const updated = await acknowledgeIncident(k, row, body.note, now);
      sealLater(c, k.d1);
      return c.json(presentIncident(updated, now), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/counties/{county}/incidents/{id}/resolve',
      tags: ['Incidents'],
      summary: 'Resolve an acknowledged incident, saying how',
      request: { params: IdParam, body: jsonBody(Resolve) },
      responses: {
        200: jsonResponse('Resolved', Incident),
        409: problemDoc('Not acknowledged yet, or already resolved'),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const { resolution } = c.req.valid('json');
      const scope = scopeOf(c);
      const k = countyCtx(c);
      const row = await findIncident(k, scope, c.req.valid('param').id);
      const now = nowInstant();
      const updated = await resolveIncident(k, row, resolution, now);
      sealLater(c, k.d1);
      return c.json(presentIncident(updated, now), 200);
    },
  );
