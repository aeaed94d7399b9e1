import { createRoute, z } from '@hono/zod-openapi';
import { type Ctx, countyCtx, sealLater } from '../lib/context';
import { etag, parseIfMatch } from '../lib/etag';
import { createRouter } from '../lib/router';
import { CivilDate, CountyParam, jsonBody, jsonResponse, problemDoc, STANDARD_ERRORS } from '../lib/schemas';
import { requireSuperviseeScope } from '../supervisees/access';
import { findVisible, superviseeDetail } from '../supervisees/service';
import { ASSESSMENT_KINDS, addAssessment, listAssessments } from './assessments';
import { readProfile, writeProfile } from './profile';

const Note = (max: number) => z.string().trim().min(1).max(max).nullable().default(null);

const ProfileBody = z
  .strictObject({
    employment: Note(500),
    family: Note(1000),
    interests: Note(500),
    health: Note(2000),
    difficulties: Note(1000),
    volunteerSince: CivilDate.nullable().default(null),
  })
  .openapi('SuperviseeProfileInput', {
    description: 'The whole archive: a field left out is cleared (PUT replaces).',
  });

const Profile = z
  .object({
    superviseeId: z.string(),
    employment: z.string().nullable(),
    family: z.string().nullable(),
    interests: z.string().nullable(),
    health: z.string().nullable().optional(),
    difficulties: z.string().nullable(),
    volunteerSince: z.string().nullable(),
    version: z.number(),
    updatedAt: z.string().nullable(),
    updatedBy: z.string().nullable(),
  })
  .openapi('SuperviseeProfile', { description: '`health` is absent for evaluators.' });

const NewAssessment = z
  .strictObject({
    kind: z.enum(ASSESSMENT_KINDS),
    assessedOn: CivilDate,
    result: z.string().trim().min(1).max(200),
    notes: z.string().trim().min(1).max(4000).optional(),
  })
  .openapi('NewAssessment');

const Assessment = z
  .object({
    id: z.string(),
    superviseeId: z.string(),
    kind: z.enum(ASSESSMENT_KINDS),
    assessedOn: z.string(),
    result: z.string().nullable().optional(),
    notes: z.string().nullable().optional(),
    assessedBy: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('Assessment', {
    description: '`result` and `notes` are absent for evaluators (minimised data, ADR 0007).',
  });

const IdParam = CountyParam.extend({ id: z.string().openapi({ param: { name: 'id', in: 'path' } }) });

/** Profiles carry their own ETag letter, so a supervisee's tag never passes for a profile's. */
const PROFILE = 'p';

const scopeOf = (c: Ctx) => requireSuperviseeScope(c.var.countyMemberships);

export const profileRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/counties/{county}/supervisees/{id}/profile',
      tags: ['Supervisees'],
      summary: 'The information archive (信息档案); empty fields before anything was recorded',
      request: { params: IdParam },
      responses: { 200: jsonResponse('The archive', Profile), ...STANDARD_ERRORS },
    }),
    async (c) => {
      const scope = scopeOf(c);
      const k = countyCtx(c);
      const supervisee = await findVisible(k, scope, c.req.valid('param').id);
      const out = await readProfile(k, supervisee, await superviseeDetail(k, scope, supervisee));
      sealLater(c, k.d1);
      c.header('etag', etag(out.version, PROFILE));
      return c.json(out, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'put',
      path: '/api/v1/counties/{county}/supervisees/{id}/profile',
      tags: ['Supervisees'],
      summary:
        'Replace the information archive; send If-Match with the ETag you read to be refused (412) when stale',
      request: {
        params: IdParam,
        body: jsonBody(ProfileBody),
        headers: z.object({ 'if-match': z.string().optional() }),
      },
      responses: {
        200: jsonResponse('Saved', Profile),
        412: problemDoc('Stale: changed since read'),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const scope = scopeOf(c);
      const k = countyCtx(c);
      const supervisee = await findVisible(k, scope, c.req.valid('param').id);
      const out = await writeProfile(k, supervisee, body, parseIfMatch(c.req.header('if-match'), PROFILE));
      sealLater(c, k.d1);
      c.header('etag', etag(out.version, PROFILE));
      return c.json(out, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/counties/{county}/supervisees/{id}/assessments',
      tags: ['Supervisees'],
      summary: 'Risk and psychological assessments, newest first',
      request: {
        params: IdParam,
        query: z.object({
          kind: z.enum(ASSESSMENT_KINDS).optional(),
          cursor: z.string().max(200).optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
      },
      responses: {
        200: jsonResponse(
          'A page',
          z.object({ items: z.array(Assessment), nextCursor: z.string().nullable() }),
        ),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const scope = scopeOf(c);
      const k = countyCtx(c);
      const supervisee = await findVisible(k, scope, c.req.valid('param').id);
      const detail = await superviseeDetail(k, scope, supervisee);
      const out = await listAssessments(k, supervisee, detail, c.req.valid('query'));
      sealLater(c, k.d1);
      return c.json(out, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/counties/{county}/supervisees/{id}/assessments',
      tags: ['Supervisees'],
      summary: 'Record a risk or psychological assessment (notes are encrypted)',
      request: { params: IdParam, body: jsonBody(NewAssessment) },
      responses: { 201: jsonResponse('Recorded', Assessment), ...STANDARD_ERRORS },
    }),
    async (c) => {
      const scope = scopeOf(c);
      const k = countyCtx(c);
      const supervisee = await findVisible(k, scope, c.req.valid('param').id);
      const out = await addAssessment(k, supervisee, c.req.valid('json'));
      sealLater(c, k.d1);
      return c.json(out, 201);
    },
  );
