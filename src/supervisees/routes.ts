import { createRoute, z } from '@hono/zod-openapi';
import { fieldCrypto } from '../crypto/fields';
import { type Ctx, countyCtx, sealLater } from '../lib/context';
import { etag, parseIfMatch } from '../lib/etag';
import { forbidden, Problem } from '../lib/problem';
import { createRouter } from '../lib/router';
import { CivilDate, CountyParam, jsonBody, jsonResponse, problemDoc, STANDARD_ERRORS } from '../lib/schemas';
import { isValidIdNumber } from '../lib/validators';
import { ExportQuery, exportTable, langOf, listOrExport, wantsExport } from '../transfer/export';
import { requireSuperviseeScope, scopeAtLeast } from './access';
import { superviseeExport } from './export';
import {
  addLevel,
  createSupervisee,
  findVisible,
  ID_NUMBER_PURPOSE,
  listSupervisees,
  patchSupervisee,
  presentSupervisee,
  superviseeDetail,
  superviseeDetails,
} from './service';

const SENTENCE_TYPES = ['control', 'probation', 'parole', 'temporary_release'] as const;
const IdNumber = z
  .string()
  .trim()
  .toUpperCase()
  .refine(isValidIdNumber, '居民身份证号 must be 18 characters with a valid GB 11643 check digit');
const Phone = z
  .string()
  .trim()
  .regex(/^[0-9+\-() ]{5,20}$/, 'expected a phone number');
const Text = (max: number) => z.string().trim().min(1).max(max);

export const NewSupervisee = z
  .strictObject({
    caseNumber: Text(40),
    name: Text(50),
    gender: z.enum(['male', 'female']),
    birthDate: CivilDate,
    idNumber: IdNumber,
    townshipId: Text(64),
    sentenceType: z.enum(SENTENCE_TYPES),
    termStart: CivilDate,
    termEnd: CivilDate,
    level: Text(64),
    keyPerson: z.boolean(),
    ableToWork: z.boolean(),
    phone: Phone.optional(),
    address: Text(200).optional(),
    crimeType: Text(50).optional(),
  })
  .openapi('NewSupervisee');

export const SuperviseePatch = z
  .strictObject({
    caseNumber: Text(40),
    name: Text(50),
    gender: z.enum(['male', 'female']),
    birthDate: CivilDate,
    townshipId: Text(64),
    sentenceType: z.enum(SENTENCE_TYPES),
    crimeType: Text(50).nullable(),
    termStart: CivilDate,
    termEnd: CivilDate,
    status: z.enum(['active', 'released', 'transferred', 'revoked']),
    keyPerson: z.boolean(),
    ableToWork: z.boolean(),
    phone: Phone.nullable(),
    address: Text(200).nullable(),
  })
  .partial()
  .openapi('SuperviseePatch');

export const LevelChange = z.strictObject({ level: Text(64), effectiveFrom: CivilDate, reason: Text(200) });

const Supervisee = z
  .object({ id: z.string(), caseNumber: z.string(), level: z.string(), version: z.number() })
  .catchall(z.unknown())
  .openapi('Supervisee', { description: 'Personal fields appear only for roles that may see them.' });

const IdParam = CountyParam.extend({ id: z.string().openapi({ param: { name: 'id', in: 'path' } }) });

const scopeOf = (c: Ctx) => requireSuperviseeScope(c.var.countyMemberships);

const isBureauAdmin = (c: Ctx) => c.var.countyMemberships.some((m) => m.role === 'bureau_admin');

export const superviseeRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/counties/{county}/supervisees',
      tags: ['Supervisees'],
      summary: 'Register a supervisee (社区矫正对象)',
      request: { params: CountyParam, body: jsonBody(NewSupervisee) },
      responses: {
        201: jsonResponse('Registered', Supervisee),
        409: problemDoc('ID number or case number already registered'),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      if (body.keyPerson && !isBureauAdmin(c))
        throw forbidden('Only the bureau admin designates key persons (重点对象).');
      const k = countyCtx(c);
      const row = await createSupervisee(k, body);
      const out = await presentSupervisee(k, row, 'full');
      sealLater(c, k.d1);
      c.header('etag', etag(row.version));
      return c.json(out, 201);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/counties/{county}/supervisees',
      tags: ['Supervisees'],
      summary: 'Supervisees the caller may see; search by name or case number, or look up by ID number',
      request: {
        params: CountyParam,
        query: z.object({
          township: z.string().optional(),
          q: z.string().max(50).optional(),
          level: z.string().optional(),
          keyPerson: z.enum(['true', 'false']).optional(),
          status: z.enum(['active', 'released', 'transferred', 'revoked']).optional(),
          idNumber: IdNumber.optional(),
          cursor: z.string().optional(),
          limit: z.coerce.number().int().min(1).max(500).default(100),
          ...ExportQuery,
        }),
      },
      responses: {
        200: listOrExport(
          'A page (or, with `format`, every page as a download)',
          z.object({ items: z.array(Supervisee), nextCursor: z.string().nullable() }),
        ),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const scope = scopeOf(c);
      const k = countyCtx(c);
      // Look-up by ID number is for full-detail roles, among the supervisees they see in full.
      const full = q.idNumber ? scopeAtLeast(scope, 'full') : scope;
      if (!full) throw forbidden('Your role may not look up by ID number.');
      const idNumberHash = q.idNumber
        ? await (await fieldCrypto(k.dataKeySecret, k.county.slug)).lookupHash(q.idNumber, ID_NUMBER_PURPOSE)
        : undefined;
      const filter = {
        townshipId: q.township,
        q: q.q,
        level: q.level,
        keyPerson: q.keyPerson === undefined ? undefined : q.keyPerson === 'true',
        status: q.status,
        idNumberHash,
      };
      if (wantsExport(q.format)) {
        const table = await superviseeExport(k, full, filter, langOf(c));
        sealLater(c, k.d1);
        return exportTable(c, table, q.format);
      }
      const { rows, nextCursor } = await listSupervisees(k, full, {
        ...filter,
        cursor: q.cursor,
        limit: q.limit,
      });
      const detail = await superviseeDetails(k, full, rows);
      return c.json(
        {
          items: rows.map((r) => ({
            id: r.id,
            caseNumber: r.caseNumber,
            ...(detail(r) === 'minimal' ? {} : { name: r.name }),
            gender: r.gender,
            townshipId: r.townshipId,
            sentenceType: r.sentenceType,
            termStart: r.termStart,
            termEnd: r.termEnd,
            status: r.status,
            level: r.level,
            keyPerson: r.keyPerson,
            ableToWork: r.ableToWork,
            version: r.version,
          })),
          nextCursor,
        },
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/counties/{county}/supervisees/{id}',
      tags: ['Supervisees'],
      summary: 'One supervisee, with level and flag history',
      request: { params: IdParam },
      responses: { 200: jsonResponse('The record', Supervisee), ...STANDARD_ERRORS },
    }),
    async (c) => {
      const scope = scopeOf(c);
      const k = countyCtx(c);
      const row = await findVisible(k, scope, c.req.valid('param').id);
      const out = await presentSupervisee(k, row, await superviseeDetail(k, scope, row));
      sealLater(c, k.d1);
      c.header('etag', etag(row.version));
      return c.json(out, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'patch',
      path: '/api/v1/counties/{county}/supervisees/{id}',
      tags: ['Supervisees'],
      summary:
        'Update fields; If-Match with the ETag you read is required (428 without it), and a stale one is refused (412)',
      request: {
        params: IdParam,
        body: jsonBody(SuperviseePatch),
        headers: z.object({ 'if-match': z.string().optional() }),
      },
      responses: {
        200: jsonResponse('Updated', Supervisee),
        412: problemDoc('Stale: changed since read'),
        428: problemDoc('If-Match missing: read the record and send its ETag'),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const patch = c.req.valid('json');
      if (patch.keyPerson !== undefined && !isBureauAdmin(c)) {
        throw forbidden('Only the bureau admin designates key persons (重点对象).');
      }
      const scope = scopeOf(c);
      const k = countyCtx(c);
      const row = await findVisible(k, scope, c.req.valid('param').id);
      // ADR 0008: a supervisee is changed only against the version its writer read.
      const expected = parseIfMatch(c.req.header('if-match'));
      if (expected === null) {
        throw new Problem(
          428,
          'Send If-Match with the ETag of the record you read (GET it first), so that no one else’s change is lost.',
          { errors: [{ path: 'If-Match', message: 'required' }] },
        );
      }
      const updated = await patchSupervisee(k, row, patch, expected);
      const out = await presentSupervisee(k, updated, await superviseeDetail(k, scope, updated));
      sealLater(c, k.d1);
      c.header('etag', etag(updated.version));
      return c.json(out, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/counties/{county}/supervisees/{id}/levels',
      tags: ['Supervisees'],
      summary: 'Change the supervision level from a day on (the history is kept)',
      request: { params: IdParam, body: jsonBody(LevelChange) },
      responses: {
        201: jsonResponse(
          'Recorded',
          z.object({ id: z.string(), level: z.string(), effectiveFrom: z.string(), reason: z.string() }),
        ),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const scope = scopeOf(c);
      const k = countyCtx(c);
      const row = await findVisible(k, scope, c.req.valid('param').id);
      const entry = await addLevel(k, row, c.req.valid('json'));
      sealLater(c, k.d1);
      return c.json(
        { id: entry.id, level: entry.level, effectiveFrom: entry.effectiveFrom, reason: entry.reason },
        201,
      );
    },
  );
