/**
 * The county's rule sets (API.md "Rule sets"): drafts, validation, publication, history and
 * the diff an admin reads before publishing. Only the bureau admin writes; every role reads,
 * since providers and offices work to these rules.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { countyCtx, sealLater } from '../lib/context';
import { notFound } from '../lib/problem';
import { createRouter } from '../lib/router';
import { CivilDate, CountyParam, jsonBody, jsonResponse, problemDoc, STANDARD_ERRORS } from '../lib/schemas';
import { todayIn } from '../lib/time';
import { PRESETS } from '../rules';
import {
  createDraft,
  diffAgainst,
  discardDraft,
  getRuleSetRow,
  listRuleSets,
  presentRuleSet,
  publishDraft,
  ruleSetOn,
  saveDraft,
  validatedRuleSet,
} from './service';

const RuleSetDoc = z.record(z.string(), z.unknown()).openapi('RuleSet', {
  description: 'A rule set as API.md "Rule sets" defines it; validated field by field.',
});
const RuleSetVersion = z
  .object({
    id: z.string(),
    version: z.number(),
    status: z.enum(['draft', 'published', 'discarded']),
    publishedAt: z.string().nullable(),
  })
  .catchall(z.unknown())
  .openapi('RuleSetVersion');
const IdParam = CountyParam.extend({ id: z.string().openapi({ param: { name: 'id', in: 'path' } }) });

export const ruleSetRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/counties/{county}/rule-sets',
      tags: ['Rule sets'],
      summary: 'Every version, newest first',
      request: { params: CountyParam },
      responses: {
        200: jsonResponse(
          'History',
          z.object({
            items: z.array(
              z.object({
                id: z.string(),
                version: z.number(),
                status: z.string(),
                name: z.string(),
                effectiveFrom: z.string(),
                basedOn: z.string().nullable(),
                createdAt: z.string(),
                publishedAt: z.string().nullable(),
              }),
            ),
          }),
        ),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const rows = await listRuleSets(c.var.countyDb);
      return c.json(
        {
          items: rows.map((r) => ({
            id: r.id,
            version: r.version,
            status: r.status,
            name: r.name,
            effectiveFrom: r.effectiveFrom,
            basedOn: r.basedOn,
            createdAt: r.createdAt,
            publishedAt: r.publishedAt,
          })),
        },
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/counties/{county}/rule-sets/presets',
      tags: ['Rule sets'],
      summary: 'Ready-made rule sets to start a draft from',
      request: { params: CountyParam },
      responses: {
        200: jsonResponse(
          'Presets',
          z.object({
            items: z.array(
              z.object({
                id: z.string(),
                name: z.object({ zh: z.string(), en: z.string() }),
                ruleSet: RuleSetDoc,
              }),
            ),
          }),
        ),
        ...STANDARD_ERRORS,
      },
    }),
    (c) =>
      c.json(
        {
          items: Object.values(PRESETS).map((p) => ({
            id: p.id,
            name: p.name,
            ruleSet: structuredClone(p.ruleSet) as Record<string, unknown>,
          })),
        },
        200,
      ),
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/counties/{county}/rule-sets/validate',
      tags: ['Rule sets'],
      summary: 'Check a rule set without saving it (live validation in the editor)',
      request: { params: CountyParam, body: jsonBody(RuleSetDoc) },
      responses: { 200: jsonResponse('Valid', z.object({ valid: z.literal(true) })), ...STANDARD_ERRORS },
    }),
    async (c) => {
      await validatedRuleSet(c.var.countyDb, c.req.valid('json'));
      return c.json({ valid: true as const }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/counties/{county}/rule-sets',
      tags: ['Rule sets'],
      summary: 'Create a draft version',
      request: { params: CountyParam, body: jsonBody(RuleSetDoc) },
      responses: { 201: jsonResponse('Draft created', RuleSetVersion), ...STANDARD_ERRORS },
    }),
    async (c) => {
      const k = countyCtx(c);
      const row = await createDraft(k, c.req.valid('json'));
      sealLater(c, k.d1);
      return c.json(presentRuleSet(row), 201);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/counties/{county}/rule-sets/current',
      tags: ['Rule sets'],
      summary: 'The rule set in force on a day (default: today in the county)',
      request: { params: CountyParam, query: z.object({ on: CivilDate.optional() }) },
      responses: { 200: jsonResponse('In force', RuleSetVersion), ...STANDARD_ERRORS },
    }),
    async (c) => {
      const on = c.req.valid('query').on ?? todayIn(c.var.county.timezone);
      const found = await ruleSetOn(c.var.countyDb, on);
      if (!found) throw notFound('rule set in force on that day');
      return c.json(presentRuleSet(await getRuleSetRow(c.var.countyDb, found.id)), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/counties/{county}/rule-sets/{id}',
      tags: ['Rule sets'],
      summary: 'One version',
      request: { params: IdParam },
      responses: { 200: jsonResponse('The version', RuleSetVersion), ...STANDARD_ERRORS },
    }),
    async (c) => c.json(presentRuleSet(await getRuleSetRow(c.var.countyDb, c.req.valid('param').id)), 200),
  )
  .openapi(
    createRoute({
      method: 'put',
      path: '/api/v1/counties/{county}/rule-sets/{id}',
      tags: ['Rule sets'],
      summary: 'Replace a draft (published versions never change)',
      request: { params: IdParam, body: jsonBody(RuleSetDoc) },
      responses: {
        200: jsonResponse('Saved', RuleSetVersion),
        409: problemDoc('Not a draft'),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const k = countyCtx(c);
      const row = await saveDraft(k, c.req.valid('param').id, c.req.valid('json'));
      sealLater(c, k.d1);
      return c.json(presentRuleSet(row), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'delete',
      path: '/api/v1/counties/{county}/rule-sets/{id}',
      tags: ['Rule sets'],
      summary: 'Discard a draft (kept in the history as discarded)',
      request: { params: IdParam },
      responses: { 204: { description: 'Discarded' }, ...STANDARD_ERRORS },
    }),
    async (c) => {
      const k = countyCtx(c);
      await discardDraft(k, c.req.valid('param').id);
      sealLater(c, k.d1);
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/counties/{county}/rule-sets/{id}/publish',
      tags: ['Rule sets'],
      summary: 'Publish a draft; optionally set its effective date',
      request: {
        params: IdParam,
        body: {
          required: false,
          content: {
            'application/json': { schema: z.strictObject({ effectiveFrom: CivilDate.optional() }) },
          },
        },
      },
      responses: {
        200: jsonResponse('Published', RuleSetVersion),
        409: problemDoc('Not a draft'),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const k = countyCtx(c);
      const row = await publishDraft(k, c.req.valid('param').id, c.req.valid('json').effectiveFrom);
      sealLater(c, k.d1);
      return c.json(presentRuleSet(row), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/counties/{county}/rule-sets/{id}/diff',
      tags: ['Rule sets'],
      summary: 'What changes between a version and another (default: the one in force today)',
      request: { params: IdParam, query: z.object({ against: z.string().optional() }) },
      responses: {
        200: jsonResponse(
          'Changes',
          z.object({
            from: z.object({ id: z.string(), version: z.number() }).nullable(),
            to: z.object({ id: z.string(), version: z.number() }),
            changes: z.array(
              z.object({
                path: z.string(),
                kind: z.enum(['added', 'removed', 'changed']),
                before: z.unknown().optional(),
                after: z.unknown().optional(),
              }),
            ),
          }),
        ),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const { against } = c.req.valid('query');
      const today = todayIn(c.var.county.timezone);
      return c.json(await diffAgainst(c.var.countyDb, c.req.valid('param').id, today, against), 200);
    },
  );
