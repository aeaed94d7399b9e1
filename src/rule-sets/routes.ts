/**
 * The county's rule sets (API.md "Rule sets"): drafts, validation, publication, history and
 * the diff an admin reads before publishing. Only the bureau admin writes; every role reads,
 * since providers and offices work to these rules.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { eq, sql } from 'drizzle-orm';
import { auditValues } from '../audit/audit';
import { auditLog } from '../audit/schema';
import { auditBy, type Ctx, sealLater } from '../lib/context';
import { newId } from '../lib/ids';
import { conflict, invalid, notFound } from '../lib/problem';
import { createRouter } from '../lib/router';
import { CivilDate, CountyParam, jsonBody, jsonResponse, problemDoc, STANDARD_ERRORS } from '../lib/schemas';
import { nowInstant, todayIn } from '../lib/time';
import { PRESETS, validateRuleSet } from '../rules';
import { diffRuleSets } from './diff';
import { ruleSets } from './schema';
import {
  countyActivityTypes,
  getRuleSetRow,
  latestPublished,
  listRuleSets,
  presentRuleSet,
  ruleSetOn,
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

async function validated(c: Ctx, body: unknown) {
  const result = validateRuleSet(body, { extraActivityTypes: await countyActivityTypes(c.var.countyDb) });
  if (!result.ok) throw invalid(result.errors, 'The rule set is not valid.');
  return result.value;
}

const audit = (c: Ctx, action: string, id: string, detail?: Record<string, unknown>) =>
  c.var.countyDb
    .insert(auditLog)
    .values(auditValues(auditBy(c, { action, targetType: 'rule_set', targetId: id, detail })));

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
      await validated(c, c.req.valid('json'));
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
      const ruleSet = await validated(c, c.req.valid('json'));
      const db = c.var.countyDb;
      const base = await latestPublished(db);
      const id = newId();
      const [inserted] = await db.batch([
        db
          .insert(ruleSets)
          .values({
            id,
            version: sql`(SELECT coalesce(max(version), 0) + 1 FROM rule_sets)`,
            status: 'draft',
            name: ruleSet.name,
            effectiveFrom: ruleSet.effectiveFrom,
            body: ruleSet as unknown as Record<string, unknown>,
            basedOn: base?.id ?? null,
            createdBy: c.var.principal!.user.id,
          })
          .returning(),
        audit(c, 'rule_set.create', id),
      ]);
      sealLater(c, c.var.countyD1);
      return c.json(presentRuleSet(inserted[0]!), 201);
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
      const { id } = c.req.valid('param');
      const row = await getRuleSetRow(c.var.countyDb, id);
      if (row.status !== 'draft')
        throw conflict(`Version ${row.version} is ${row.status}; create a new draft instead.`);
      const ruleSet = await validated(c, c.req.valid('json'));
      const db = c.var.countyDb;
      const [updated] = await db.batch([
        db
          .update(ruleSets)
          .set({
            name: ruleSet.name,
            effectiveFrom: ruleSet.effectiveFrom,
            body: ruleSet as unknown as Record<string, unknown>,
            updatedAt: nowInstant(),
          })
          .where(eq(ruleSets.id, id))
          .returning(),
        audit(c, 'rule_set.update', id),
      ]);
      sealLater(c, c.var.countyD1);
      return c.json(presentRuleSet(updated[0]!), 200);
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
      const { id } = c.req.valid('param');
      const row = await getRuleSetRow(c.var.countyDb, id);
      if (row.status !== 'draft')
        throw conflict(`Version ${row.version} is ${row.status}; only drafts can be discarded.`);
      const db = c.var.countyDb;
      await db.batch([
        db.update(ruleSets).set({ status: 'discarded', updatedAt: nowInstant() }).where(eq(ruleSets.id, id)),
        audit(c, 'rule_set.discard', id),
      ]);
      sealLater(c, c.var.countyD1);
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
      const { id } = c.req.valid('param');
      const { effectiveFrom } = c.req.valid('json');
      const db = c.var.countyDb;
      const row = await getRuleSetRow(db, id);
      if (row.status !== 'draft') throw conflict(`Version ${row.version} is already ${row.status}.`);
      const body = { ...(row.body as Record<string, unknown>), ...(effectiveFrom ? { effectiveFrom } : {}) };
      // Validated again: the county's activity types may have changed since the draft was saved.
      const ruleSet = await validated(c, body);
      const now = nowInstant();
      const [updated] = await db.batch([
        db
          .update(ruleSets)
          .set({
            status: 'published',
            effectiveFrom: ruleSet.effectiveFrom,
            body: ruleSet as unknown as Record<string, unknown>,
            publishedAt: now,
            publishedBy: c.var.principal!.user.id,
            updatedAt: now,
          })
          // Guarded, so two concurrent publishes of one draft cannot both succeed.
          .where(sql`${ruleSets.id} = ${id} AND ${ruleSets.status} = 'draft'`)
          .returning(),
        audit(c, 'rule_set.publish', id, { version: row.version, effectiveFrom: ruleSet.effectiveFrom }),
      ]);
      if (!updated[0]) throw conflict('The draft was published or discarded meanwhile.');
      sealLater(c, c.var.countyD1);
      return c.json(presentRuleSet(updated[0]), 200);
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
      const { id } = c.req.valid('param');
      const { against } = c.req.valid('query');
      const db = c.var.countyDb;
      const target = await getRuleSetRow(db, id);
      let base = against ? await getRuleSetRow(db, against) : null;
      if (!against) {
        const inForce = await ruleSetOn(db, todayIn(c.var.county.timezone));
        base = inForce ? await getRuleSetRow(db, inForce.id) : null;
      }
      return c.json(
        {
          from: base ? { id: base.id, version: base.version } : null,
          to: { id: target.id, version: target.version },
          changes: diffRuleSets(base?.body ?? {}, target.body),
        },
        200,
      );
    },
  );
