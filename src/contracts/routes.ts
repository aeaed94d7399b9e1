/**
 * Programmes, procurement, contracts, enrolments and settlement (API.md "POST /contracts",
 * "Settlement of a contract"; issue #5). The bureau admin signs contracts; the bureau enrols
 * supervisees; everyone concerned reads, a provider's staff only their provider's contracts.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { type Ctx, countyCtx, sealLater } from '../lib/context';
import { createRouter } from '../lib/router';
import { CivilDate, CountyParam, jsonBody, jsonResponse, problemDoc, STANDARD_ERRORS } from '../lib/schemas';
import { isValidCreditCode } from '../lib/validators';
import { pricingSchema } from '../rules';
import { contractScope, providersServing } from './access';
import type { ProcurementRow, ProgrammeRow } from './schema';
import {
  addProcurement,
  changeEnrolmentEnd,
  createContract,
  createProgramme,
  enrol,
  findContract,
  getProgramme,
  listContracts,
  listEnrolments,
  listProgrammes,
  patchProgramme,
  presentContract,
  presentEnrolment,
  procurementsOf,
  programmeIdsByYear,
  programmeTotals,
} from './service';
import { settlementOf } from './settlement';

const Text = (max: number) => z.string().trim().min(1).max(max);
const Fen = z.number().int('must be a whole number of fen').nonnegative().max(Number.MAX_SAFE_INTEGER);
const Year = z.number().int().min(2000).max(2100);

const IdParam = CountyParam.extend({ id: z.string().openapi({ param: { name: 'id', in: 'path' } }) });
const EnrolmentParam = IdParam.extend({
  enrolmentId: z.string().openapi({ param: { name: 'enrolmentId', in: 'path' } }),
});

const Loose = (name: string, shape: z.ZodRawShape) => z.object(shape).catchall(z.unknown()).openapi(name);

// ---------------------------------------------------------------------------------------------
// Schemas

const NewProgramme = z
  .strictObject({ year: Year, name: Text(200), budgetFen: Fen, serviceContent: Text(5000).optional() })
  .openapi('NewProgramme');
const ProgrammePatch = z
  .strictObject({ name: Text(200), budgetFen: Fen, serviceContent: Text(5000).nullable() })
  .partial()
  .openapi('ProgrammePatch');
const Programme = Loose('Programme', {
  id: z.string(),
  year: z.number(),
  budgetFen: z.number(),
  committedFen: z.number(),
  approvedFen: z.number(),
  paidFen: z.number(),
  leftFen: z.number(),
});

const CreditCode = z
  .string()
  .trim()
  .toUpperCase()
  .refine(isValidCreditCode, 'not a valid 统一社会信用代码 (18 characters with a correct check character)');
const NewProcurement = z
  .strictObject({
    method: Text(50).openapi({ example: '竞争性磋商' }),
    reference: Text(100).optional(),
    announcedOn: CivilDate,
    openedOn: CivilDate.optional(),
    awardedOn: CivilDate.optional(),
    bidders: z
      .array(
        z.strictObject({
          name: Text(200),
          creditCode: CreditCode.optional(),
          providerId: Text(64).optional(),
        }),
      )
      .max(100),
    chosenProviderIds: z.array(Text(64)).min(1).max(20),
    notes: Text(5000).optional(),
  })
  .openapi('NewProcurement');

const NewContract = z
  .strictObject({
    providerId: Text(64),
    programmeYear: Year,
    periodStart: CivilDate,
    periodEnd: CivilDate,
    pricing: pricingSchema,
    procurementMethod: Text(50).openapi({ example: '竞争性磋商' }),
    programmeId: Text(64).optional(),
    procurementId: Text(64).optional(),
    title: Text(200).optional(),
    signedOn: CivilDate.optional(),
    scope: z
      .strictObject({
        townshipIds: z.array(Text(64)).max(200).optional(),
        levels: z.array(Text(64)).max(50).optional(),
      })
      .optional(),
    targets: z
      .array(
        z.strictObject({
          description: Text(500),
          value: z.number().finite().optional(),
          unit: Text(20).optional(),
        }),
      )
      .max(50)
      .optional(),
    breachTerms: Text(5000).optional(),
    serviceContent: Text(5000).optional(),
    ceilingFen: Fen.optional(),
  })
  .openapi('NewContract');
const Contract = Loose('Contract', {
  id: z.string(),
  providerId: z.string(),
  programmeYear: z.number(),
  periodStart: z.string(),
  periodEnd: z.string(),
  pricing: z.record(z.string(), z.unknown()),
  procurementMethod: z.string(),
});

const NewEnrolment = z
  .strictObject({ superviseeId: Text(64), from: CivilDate, to: CivilDate.optional() })
  .openapi('NewEnrolment');
const EnrolmentPatch = z.strictObject({ to: CivilDate.nullable() }).openapi('EnrolmentPatch');
const Enrolment = z
  .object({
    id: z.string(),
    contractId: z.string(),
    superviseeId: z.string(),
    from: z.string(),
    to: z.string().nullable(),
  })
  .catchall(z.unknown())
  .openapi('Enrolment');

const Settlement = Loose('Settlement', {
  model: z.enum(['per_supervisee_year', 'per_service_hour', 'fixed']),
  entitlementFen: z.number(),
  workFundsFen: z.number(),
  activityFundsFen: z.number(),
  releaseRatio: z.number(),
  activityFundsPayableFen: z.number(),
  payableFen: z.number(),
  serviceHours: z.number().optional(),
});

// ---------------------------------------------------------------------------------------------
// Helpers

const parseIfMatch = (header: string | undefined) => {
  if (!header) return null;
  const m = /^(?:W\/)?"v(\d+)"$/.exec(header.trim());
  return m ? Number(m[1]) : -1; // an If-Match we did not issue never matches
};

const presentProcurement = (r: ProcurementRow) => ({
  id: r.id,
  programmeId: r.programmeId,
  method: r.method,
  reference: r.reference,
  announcedOn: r.announcedOn,
  openedOn: r.openedOn,
  awardedOn: r.awardedOn,
  bidders: r.bidders,
  chosenProviderIds: r.chosenProviderIds,
  notes: r.notes,
  createdAt: r.createdAt,
});

async function presentProgrammes(c: Ctx, rows: ProgrammeRow[]) {
  const k = countyCtx(c);
  const [totals, procs] = await Promise.all([
    programmeTotals(k, rows),
    procurementsOf(
      k,
      rows.map((r) => r.id),
    ),
  ]);
  return rows.map((r) => ({
    id: r.id,
    year: r.year,
    name: r.name,
    serviceContent: r.serviceContent,
    ...totals.get(r.id)!,
    procurements: procs.filter((p) => p.programmeId === r.id).map(presentProcurement),
    version: r.version,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  }));
}

// ---------------------------------------------------------------------------------------------
// Routes

export const contractRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/counties/{county}/programmes',
      tags: ['Contracts'],
      summary: 'Yearly programmes (年度项目) with budget, committed, approved, paid and left',
      request: { params: CountyParam },
      responses: {
        200: jsonResponse('Programmes', z.object({ items: z.array(Programme) })),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const rows = await listProgrammes(countyCtx(c));
      return c.json({ items: await presentProgrammes(c, rows) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/counties/{county}/programmes',
      tags: ['Contracts'],
      summary: 'Create the programme of a year with its budget (one per year)',
      request: { params: CountyParam, body: jsonBody(NewProgramme) },
      responses: {
        201: jsonResponse('Created', Programme),
        409: problemDoc('The year already has a programme'),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const k = countyCtx(c);
      const row = await createProgramme(k, c.req.valid('json'));
      sealLater(c, k.d1);
      c.header('etag', `"v${row.version}"`);
      return c.json((await presentProgrammes(c, [row]))[0]!, 201);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/counties/{county}/programmes/{id}',
      tags: ['Contracts'],
      summary: 'One programme with its totals and procurement record',
      request: { params: IdParam },
      responses: { 200: jsonResponse('The programme', Programme), ...STANDARD_ERRORS },
    }),
    async (c) => {
      const row = await getProgramme(countyCtx(c), c.req.valid('param').id);
      c.header('etag', `"v${row.version}"`);
      return c.json((await presentProgrammes(c, [row]))[0]!, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'patch',
      path: '/api/v1/counties/{county}/programmes/{id}',
      tags: ['Contracts'],
      summary:
        'Rename a programme or change its budget (never cut below what is approved or committed); If-Match',
      request: {
        params: IdParam,
        body: jsonBody(ProgrammePatch),
        headers: z.object({ 'if-match': z.string().optional() }),
      },
      responses: {
        200: jsonResponse('Updated', Programme),
        409: problemDoc('Budget cut below what is approved, or below what its contracts commit'),
        412: problemDoc('Stale'),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const k = countyCtx(c);
      const row = await getProgramme(k, c.req.valid('param').id);
      const updated = await patchProgramme(
        k,
        row,
        c.req.valid('json'),
        parseIfMatch(c.req.header('if-match')),
      );
      sealLater(c, k.d1);
      c.header('etag', `"v${updated.version}"`);
      return c.json((await presentProgrammes(c, [updated]))[0]!, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/counties/{county}/programmes/{id}/procurements',
      tags: ['Contracts'],
      summary: 'Record the procurement of a programme: method, dates, bidders, chosen providers',
      request: { params: IdParam, body: jsonBody(NewProcurement) },
      responses: {
        201: jsonResponse('Recorded', Loose('Procurement', { id: z.string(), method: z.string() })),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const k = countyCtx(c);
      const programme = await getProgramme(k, c.req.valid('param').id);
      const body = c.req.valid('json');
      const served = await providersServing(c, body.chosenProviderIds);
      const row = await addProcurement(k, programme, body, served);
      sealLater(c, k.d1);
      return c.json(presentProcurement(row), 201);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/counties/{county}/contracts',
      tags: ['Contracts'],
      summary: "The county's contracts (a provider's staff: their provider's)",
      request: {
        params: CountyParam,
        query: z.object({
          programmeYear: z.coerce.number().int().min(2000).max(2100).optional(),
          providerId: z.string().max(64).optional(),
        }),
      },
      responses: {
        200: jsonResponse('Contracts', z.object({ items: z.array(Contract) })),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const k = countyCtx(c);
      const rows = await listContracts(k, await contractScope(c), c.req.valid('query'));
      const byYear = await programmeIdsByYear(
        k,
        rows.map((r) => r.programmeYear),
      );
      return c.json({ items: rows.map((r) => presentContract(r, byYear.get(r.programmeYear) ?? null)) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/counties/{county}/contracts',
      tags: ['Contracts'],
      summary: 'Sign a contract (购买服务协议) with a provider serving the county',
      request: { params: CountyParam, body: jsonBody(NewContract) },
      responses: { 201: jsonResponse('Signed', Contract), ...STANDARD_ERRORS },
    }),
    async (c) => {
      const k = countyCtx(c);
      const body = c.req.valid('json');
      const served = await providersServing(c, [body.providerId]);
      const row = await createContract(k, body, served.has(body.providerId));
      const byYear = await programmeIdsByYear(k, [row.programmeYear]);
      sealLater(c, k.d1);
      return c.json(presentContract(row, byYear.get(row.programmeYear) ?? null), 201);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/counties/{county}/contracts/{id}',
      tags: ['Contracts'],
      summary: 'One contract',
      request: { params: IdParam },
      responses: { 200: jsonResponse('The contract', Contract), ...STANDARD_ERRORS },
    }),
    async (c) => {
      const k = countyCtx(c);
      const row = await findContract(k, await contractScope(c), c.req.valid('param').id);
      const byYear = await programmeIdsByYear(k, [row.programmeYear]);
      return c.json(presentContract(row, byYear.get(row.programmeYear) ?? null), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/counties/{county}/contracts/{id}/enrolments',
      tags: ['Contracts'],
      summary: 'Enrol a supervisee in a contract from a day (to the period end when `to` is absent)',
      request: { params: IdParam, body: jsonBody(NewEnrolment) },
      responses: {
        201: jsonResponse('Enrolled', Enrolment),
        409: problemDoc('Overlaps another enrolment of the supervisee in this contract'),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const k = countyCtx(c);
      const contract = await findContract(k, await contractScope(c), c.req.valid('param').id);
      const row = await enrol(k, contract, c.req.valid('json'));
      sealLater(c, k.d1);
      return c.json(presentEnrolment(row), 201);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/counties/{county}/contracts/{id}/enrolments',
      tags: ['Contracts'],
      summary: "A contract's enrolments (`on`: only those covering that day)",
      request: {
        params: IdParam,
        query: z.object({
          on: CivilDate.optional(),
          cursor: z.string().max(64).optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
      },
      responses: {
        200: jsonResponse(
          'A page',
          z.object({ items: z.array(Enrolment), nextCursor: z.string().nullable() }),
        ),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const k = countyCtx(c);
      const contract = await findContract(k, await contractScope(c), c.req.valid('param').id);
      const { rows, nextCursor } = await listEnrolments(k, contract, c.req.valid('query'));
      return c.json({ items: rows.map(presentEnrolment), nextCursor }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'patch',
      path: '/api/v1/counties/{county}/contracts/{id}/enrolments/{enrolmentId}',
      tags: ['Contracts'],
      summary: 'End an enrolment on a day (or reopen it to the period end with `to: null`)',
      request: { params: EnrolmentParam, body: jsonBody(EnrolmentPatch) },
      responses: {
        200: jsonResponse('Updated', Enrolment),
        409: problemDoc('Would overlap another enrolment'),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const k = countyCtx(c);
      const { id, enrolmentId } = c.req.valid('param');
      const contract = await findContract(k, await contractScope(c), id);
      const row = await changeEnrolmentEnd(k, contract, enrolmentId, c.req.valid('json').to);
      sealLater(c, k.d1);
      return c.json(presentEnrolment(row), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/counties/{county}/contracts/{id}/settlement',
      tags: ['Contracts'],
      summary: 'What the contract earns and what is payable (API.md "Settlement of a contract")',
      request: {
        params: IdParam,
        query: z.object({ basis: z.enum(['recorded', 'confirmed']).default('confirmed') }),
      },
      responses: { 200: jsonResponse('Settlement', Settlement), ...STANDARD_ERRORS },
    }),
    async (c) => {
      const k = countyCtx(c);
      const contract = await findContract(k, await contractScope(c), c.req.valid('param').id);
      return c.json(await settlementOf(k.db, contract, c.req.valid('query').basis), 200);
    },
  );
