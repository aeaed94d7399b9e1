/**
 * 绩效评价 (API.md "POST /contracts/{id}/evaluations" and "…/accept") and the evaluator's
 * workspace: the indicator system to score, reproducible spot-check samples with findings, and
 * the evaluation group's remarks (民政局 takes part in the evaluation, per the case study).
 */
import { createRoute, z } from '@hono/zod-openapi';
import { contractScope } from '../contracts/access';
import { findContract } from '../contracts/service';
import { type Ctx, countyCtx, sealLater } from '../lib/context';
import { createRouter } from '../lib/router';
import { CivilDate, CountyParam, jsonBody, jsonResponse, problemDoc, STANDARD_ERRORS } from '../lib/schemas';
import {
  acceptEvaluation,
  addRemark,
  createEvaluation,
  drawContractSample,
  evaluationRulesFor,
  findEvaluation,
  findSample,
  listEvaluations,
  listSamples,
  presentEvaluation,
  presentRemark,
  presentSample,
  recordFinding,
  remarksOf,
} from './service';

const Text = (max: number) => z.string().trim().min(1).max(max);
const IdParam = CountyParam.extend({ id: z.string().openapi({ param: { name: 'id', in: 'path' } }) });
const EvaluationParam = IdParam.extend({
  evaluationId: z.string().openapi({ param: { name: 'evaluationId', in: 'path' } }),
});
const SampleParam = IdParam.extend({
  sampleId: z.string().openapi({ param: { name: 'sampleId', in: 'path' } }),
});
const ItemParam = SampleParam.extend({
  activityId: z.string().openapi({ param: { name: 'activityId', in: 'path' } }),
});

const NewEvaluation = z
  .strictObject({
    scores: z
      .record(z.string().max(64), z.number().finite())
      .openapi({ example: { business: 62, financial: 26 } }),
    report: Text(20_000).optional(),
    agency: Text(200).optional(),
    evaluatedOn: CivilDate.optional(),
    sampleId: Text(64).optional(),
  })
  .openapi('NewEvaluation');

const Evaluation = z
  .object({
    id: z.string(),
    totalScore: z.number(),
    releaseRatio: z.number(),
    status: z.enum(['submitted', 'accepted']),
  })
  .catchall(z.unknown())
  .openapi('Evaluation');

const NewSample = z
  .strictObject({
    share: z.number().gt(0, 'must be more than 0').max(1, 'must be at most 1'),
    seed: Text(100).optional(),
    from: CivilDate.optional(),
    to: CivilDate.optional(),
  })
  .openapi('NewSample');
const Sample = z
  .object({
    id: z.string(),
    seed: z.string(),
    share: z.number(),
    sampleSize: z.number(),
    items: z.array(z.unknown()),
  })
  .catchall(z.unknown())
  .openapi('Sample');
const Finding = z
  .strictObject({
    finding: z.enum(['consistent', 'inconsistent', 'not_verifiable']),
    note: Text(2000).optional(),
  })
  .openapi('Finding');

/** The role a remark is made in: the caller's role allowed on the route (the first, if several). */
const remarkRole = (c: Ctx) => c.var.countyMemberships[0]?.role ?? 'unknown';

export const evaluationRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/counties/{county}/contracts/{id}/evaluations',
      tags: ['Evaluations'],
      summary: 'Score a contract on the indicators of the rule set in force on its periodEnd',
      request: { params: IdParam, body: jsonBody(NewEvaluation) },
      responses: {
        201: jsonResponse('Submitted', Evaluation),
        409: problemDoc('No rule set in force on periodEnd'),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const k = countyCtx(c);
      const contract = await findContract(k, await contractScope(c), c.req.valid('param').id);
      const row = await createEvaluation(k, contract, c.req.valid('json'));
      sealLater(c, k.d1);
      return c.json(presentEvaluation(row), 201);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/counties/{county}/contracts/{id}/evaluations',
      tags: ['Evaluations'],
      summary: "A contract's evaluations with remarks, and the indicator system that applies",
      request: { params: IdParam },
      responses: {
        200: jsonResponse(
          'Evaluations',
          z
            .object({ items: z.array(Evaluation), indicators: z.unknown(), releaseBands: z.unknown() })
            .catchall(z.unknown()),
        ),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const k = countyCtx(c);
      const contract = await findContract(k, await contractScope(c), c.req.valid('param').id);
      const [rows, rules] = await Promise.all([
        listEvaluations(k, contract),
        evaluationRulesFor(k, contract).catch(() => null),
      ]);
      const remarks = await remarksOf(
        k,
        rows.map((r) => r.id),
      );
      return c.json(
        {
          items: rows.map((r) => presentEvaluation(r, remarks)),
          ruleSetId: rules?.ruleSetId ?? null,
          indicators: rules?.indicators ?? null,
          releaseBands: rules?.releaseBands ?? null,
        },
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/counties/{county}/contracts/{id}/evaluations/{evaluationId}',
      tags: ['Evaluations'],
      summary: 'One evaluation with its report and remarks',
      request: { params: EvaluationParam },
      responses: { 200: jsonResponse('The evaluation', Evaluation), ...STANDARD_ERRORS },
    }),
    async (c) => {
      const k = countyCtx(c);
      const { id, evaluationId } = c.req.valid('param');
      const contract = await findContract(k, await contractScope(c), id);
      const row = await findEvaluation(k, contract, evaluationId);
      return c.json(presentEvaluation(row, await remarksOf(k, [row.id])), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/counties/{county}/contracts/{id}/evaluations/{evaluationId}/accept',
      tags: ['Evaluations'],
      summary: "Accept an evaluation: its release ratio becomes the contract's",
      request: {
        params: EvaluationParam,
        body: { required: false, content: { 'application/json': { schema: z.strictObject({}) } } },
      },
      responses: {
        200: jsonResponse('Accepted', Evaluation),
        409: problemDoc('Already accepted'),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const k = countyCtx(c);
      const { id, evaluationId } = c.req.valid('param');
      const contract = await findContract(k, await contractScope(c), id);
      const row = await acceptEvaluation(k, await findEvaluation(k, contract, evaluationId));
      sealLater(c, k.d1);
      return c.json(presentEvaluation(row, await remarksOf(k, [row.id])), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/counties/{county}/contracts/{id}/evaluations/{evaluationId}/remarks',
      tags: ['Evaluations'],
      summary: 'A remark of the evaluation group (civil affairs, finance, bureau, evaluator)',
      request: { params: EvaluationParam, body: jsonBody(z.strictObject({ text: Text(5000) })) },
      responses: {
        201: jsonResponse(
          'Added',
          z.object({ id: z.string(), role: z.string(), text: z.string() }).catchall(z.unknown()),
        ),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const k = countyCtx(c);
      const { id, evaluationId } = c.req.valid('param');
      const contract = await findContract(k, await contractScope(c), id);
      const evaluation = await findEvaluation(k, contract, evaluationId);
      const row = await addRemark(k, evaluation, remarkRole(c), c.req.valid('json').text);
      sealLater(c, k.d1);
      return c.json(presentRemark(row), 201);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/counties/{county}/contracts/{id}/samples',
      tags: ['Evaluations'],
      summary: 'Draw a reproducible random sample of confirmed-ledger activities for spot checks',
      request: { params: IdParam, body: jsonBody(NewSample) },
      responses: { 201: jsonResponse('Drawn', Sample), ...STANDARD_ERRORS },
    }),
    async (c) => {
      const k = countyCtx(c);
      const contract = await findContract(k, await contractScope(c), c.req.valid('param').id);
      const sample = await drawContractSample(k, contract, c.req.valid('json'));
      sealLater(c, k.d1);
      return c.json(await presentSample(k, sample), 201);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/counties/{county}/contracts/{id}/samples',
      tags: ['Evaluations'],
      summary: "A contract's spot-check samples (without items)",
      request: { params: IdParam },
      responses: {
        200: jsonResponse(
          'Samples',
          z.object({ items: z.array(z.object({ id: z.string() }).catchall(z.unknown())) }),
        ),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const k = countyCtx(c);
      const contract = await findContract(k, await contractScope(c), c.req.valid('param').id);
      const rows = await listSamples(k, contract);
      return c.json(
        {
          items: rows.map((s) => ({
            id: s.id,
            seed: s.seed,
            share: s.share,
            from: s.fromDate,
            to: s.toDate,
            populationSize: s.populationSize,
            sampleSize: s.sampleSize,
            drawnBy: s.drawnBy,
            drawnAt: s.createdAt,
          })),
        },
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/counties/{county}/contracts/{id}/samples/{sampleId}',
      tags: ['Evaluations'],
      summary: 'A sample: each activity (minimised) with its finding',
      request: { params: SampleParam },
      responses: { 200: jsonResponse('The sample', Sample), ...STANDARD_ERRORS },
    }),
    async (c) => {
      const k = countyCtx(c);
      const { id, sampleId } = c.req.valid('param');
      const contract = await findContract(k, await contractScope(c), id);
      return c.json(await presentSample(k, await findSample(k, contract, sampleId)), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'put',
      path: '/api/v1/counties/{county}/contracts/{id}/samples/{sampleId}/items/{activityId}',
      tags: ['Evaluations'],
      summary: 'Record the spot-check finding for one sampled activity',
      request: { params: ItemParam, body: jsonBody(Finding) },
      responses: {
        200: jsonResponse(
          'Recorded',
          z.object({ activityId: z.string(), finding: z.string() }).catchall(z.unknown()),
        ),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const k = countyCtx(c);
      const { id, sampleId, activityId } = c.req.valid('param');
      const contract = await findContract(k, await contractScope(c), id);
      const sample = await findSample(k, contract, sampleId);
      const row = await recordFinding(k, sample, activityId, c.req.valid('json'));
      sealLater(c, k.d1);
      return c.json(
        {
          activityId: row.activityId,
          finding: row.finding!,
          note: row.note,
          checkedBy: row.checkedBy,
          checkedAt: row.checkedAt,
        },
        200,
      );
    },
  );
