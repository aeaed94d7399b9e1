/** Assignments: which provider, and which of its workers, serves a supervisee, from when to when. */
import { createRoute, z } from '@hono/zod-openapi';
import { controlDb } from '../db';
import { type Ctx, countyCtx, sealLater } from '../lib/context';
import { forbidden } from '../lib/problem';
import { createRouter } from '../lib/router';
import { CivilDate, CountyParam, jsonBody, jsonResponse, problemDoc, STANDARD_ERRORS } from '../lib/schemas';
import { superviseeScope } from '../supervisees/access';
import { findVisible } from '../supervisees/service';
import { assignmentCtx, createAssignment, findAssignment, listAssignments, patchAssignment } from './service';

const Id = z.string().trim().min(1).max(64);
const Assignment = z
  .object({
    id: z.string(),
    superviseeId: z.string(),
    providerId: z.string(),
    workerUserId: z.string().nullable(),
    from: z.string(),
    to: z.string().nullable(),
    createdBy: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('Assignment');
const IdParam = CountyParam.extend({ id: z.string().openapi({ param: { name: 'id', in: 'path' } }) });

const ctxOf = (c: Ctx) => assignmentCtx(countyCtx(c), controlDb(c.env), c.var.countyMemberships);

async function visibleSupervisee(c: Ctx, id: string) {
  const scope = superviseeScope(c.var.countyMemberships);
  if (!scope) throw forbidden('Your role does not see supervisees.');
  return findVisible(countyCtx(c), scope, id);
}

export const assignmentRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/counties/{county}/supervisees/{id}/assignments',
      tags: ['Assignments'],
      summary: "A supervisee's assignments, earliest first",
      request: { params: IdParam },
      responses: {
        200: jsonResponse('Assignments', z.object({ items: z.array(Assignment) })),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const s = await visibleSupervisee(c, c.req.valid('param').id);
      return c.json({ items: await listAssignments(ctxOf(c), { superviseeId: s.id, limit: 500 }) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/counties/{county}/supervisees/{id}/assignments',
      tags: ['Assignments'],
      summary: 'Assign a provider (and one of its social workers) to a supervisee',
      request: {
        params: IdParam,
        body: jsonBody(
          z
            .strictObject({
              providerId: Id,
              workerUserId: Id.optional(),
              from: CivilDate,
              to: CivilDate.optional(),
            })
            .openapi('NewAssignment'),
        ),
      },
      responses: {
        201: jsonResponse('Assigned', Assignment),
        409: problemDoc('Overlaps another assignment of the supervisee to this provider'),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const s = await visibleSupervisee(c, c.req.valid('param').id);
      const a = ctxOf(c);
      const out = await createAssignment(a, s, c.req.valid('json'));
      sealLater(c, a.d1);
      return c.json(out, 201);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/counties/{county}/assignments',
      tags: ['Assignments'],
      summary: 'Assignments the caller may see (a provider: its own; an office: its townships’ supervisees)',
      request: {
        params: CountyParam,
        query: z.object({
          superviseeId: Id.optional(),
          providerId: Id.optional(),
          workerUserId: Id.optional(),
          activeOn: CivilDate.optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(500),
        }),
      },
      responses: {
        200: jsonResponse('Assignments', z.object({ items: z.array(Assignment) })),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => c.json({ items: await listAssignments(ctxOf(c), c.req.valid('query')) }, 200),
  )
  .openapi(
    createRoute({
      method: 'patch',
      path: '/api/v1/counties/{county}/assignments/{id}',
      tags: ['Assignments'],
      summary: 'End an assignment, correct its dates, or change the worker',
      request: {
        params: IdParam,
        body: jsonBody(
          z
            .strictObject({ from: CivilDate, to: CivilDate.nullable(), workerUserId: Id.nullable() })
            .partial()
            .openapi('AssignmentPatch'),
        ),
      },
      responses: {
        200: jsonResponse('Updated', Assignment),
        409: problemDoc('The new period overlaps another assignment'),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const a = ctxOf(c);
      const row = await findAssignment(a, c.req.valid('param').id);
      const out = await patchAssignment(a, row, c.req.valid('json'));
      sealLater(c, a.d1);
      return c.json(out, 200);
    },
  );
