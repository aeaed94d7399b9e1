/**
 * Providers' qualification documents (登记证书, 资质证明…) and their verification by the county's
 * civil-affairs officer (民政局 核实承接主体资质, case study 二(七)). The document is the
 * provider's, one across counties (CONTROL_DB); each county verifies it for itself (ADR 0305).
 */
import { createRoute, z } from '@hono/zod-openapi';
import { and, asc, eq, inArray } from 'drizzle-orm';
import { auditValues } from '../audit/audit';
import { controlDb, queryInChunks } from '../db';
import { platformAuditLog, providerCounties, providerQualifications, providers } from '../db/control-schema';
import { auditBy, type Ctx, countyAudit, countyCtx, sealLater } from '../lib/context';
import { newId } from '../lib/ids';
import { conflict, notFound } from '../lib/problem';
import { createRouter } from '../lib/router';
import { CivilDate, CountyParam, jsonBody, jsonResponse, problemDoc, STANDARD_ERRORS } from '../lib/schemas';
import { nowInstant } from '../lib/time';
import { qualificationVerifications } from './schema';

export const QUALIFICATION_KINDS = [
  'registration_certificate', // 登记证书 (民办非企业单位/社会服务机构)
  'qualification_certificate', // 资质证书, e.g. 社会工作服务机构等级
  'annual_inspection', // 年检/年报
  'staff_certificates', // 社会工作者职业资格证书 of the staff
  'other',
] as const;

const Text = (max: number) => z.string().trim().min(1).max(max);
const ProviderParam = CountyParam.extend({
  providerId: z.string().openapi({ param: { name: 'providerId', in: 'path' } }),
});
const QualificationParam = ProviderParam.extend({
  qualificationId: z.string().openapi({ param: { name: 'qualificationId', in: 'path' } }),
});

const NewQualification = z
  .strictObject({
    kind: z.enum(QUALIFICATION_KINDS),
    title: Text(200),
    documentNumber: Text(100).optional(),
    issuedOn: CivilDate.optional(),
    expiresOn: CivilDate.optional(),
  })
  .openapi('NewQualification');

const Qualification = z
  .object({
    id: z.string(),
    providerId: z.string(),
    kind: z.string(),
    title: z.string(),
    verified: z.boolean(),
  })
  .catchall(z.unknown())
  .openapi('Qualification');

type QualificationRow = typeof providerQualifications.$inferSelect;
type VerificationRow = typeof qualificationVerifications.$inferSelect;

const present = (q: QualificationRow, v: VerificationRow | undefined, today: string) => ({
  id: q.id,
  providerId: q.providerId,
  kind: q.kind,
  title: q.title,
  documentNumber: q.documentNumber,
  issuedOn: q.issuedOn,
  expiresOn: q.expiresOn,
  expired: q.expiresOn !== null && q.expiresOn < today,
  // This county's verification only: another county's is that county's business.
  verified: v !== undefined,
  verifiedBy: v?.verifiedBy ?? null,
  verifiedAt: v?.verifiedAt ?? null,
  verificationNote: v?.note ?? null,
  createdAt: q.createdAt,
});

/** The provider, if it serves this county; otherwise it answers as one that does not exist. */
async function servingProvider(c: Ctx, providerId: string) {
  const rows = await controlDb(c.env)
    .select({ id: providers.id, name: providers.name })
    .from(providerCounties)
    .innerJoin(providers, eq(providers.id, providerCounties.providerId))
    .where(and(eq(providerCounties.providerId, providerId), eq(providerCounties.county, c.var.county.slug)))
    .limit(1);
  if (!rows[0]) throw notFound('provider');
  return rows[0];
}

/** A provider's staff act for their own provider only. */
function checkOwnProvider(c: Ctx, providerId: string) {
  const own = c.var.countyMemberships.some((m) => m.providerId === providerId);
  if (!own) throw notFound('provider');
}

export async function verificationsOf(c: Ctx, qualificationIds: string[]) {
  if (qualificationIds.length === 0) return new Map<string, VerificationRow>();
  // A provider may hold any number of documents: one look-up per chunk of ids.
  const rows = await queryInChunks(qualificationIds, 0, (chunk) =>
    c.var.countyDb
      .select()
      .from(qualificationVerifications)
      .where(inArray(qualificationVerifications.qualificationId, chunk)),
  );
  return new Map(rows.map((r) => [r.qualificationId, r]));
}

export const qualificationRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/counties/{county}/providers/{providerId}/qualifications',
      tags: ['County'],
      summary: "A provider's qualification documents and this county's verification of each",
      request: { params: ProviderParam },
      responses: {
        200: jsonResponse('Qualifications', z.object({ items: z.array(Qualification) })),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const { providerId } = c.req.valid('param');
      await servingProvider(c, providerId);
      const rows = await controlDb(c.env)
        .select()
        .from(providerQualifications)
        .where(eq(providerQualifications.providerId, providerId))
        .orderBy(asc(providerQualifications.createdAt), asc(providerQualifications.id));
      const verified = await verificationsOf(
        c,
        rows.map((r) => r.id),
      );
      const today = countyCtx(c).today;
      return c.json({ items: rows.map((r) => present(r, verified.get(r.id), today)) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/counties/{county}/providers/{providerId}/qualifications',
      tags: ['County'],
      summary: "Add a qualification document of one's own provider",
      request: { params: ProviderParam, body: jsonBody(NewQualification) },
      responses: { 201: jsonResponse('Added', Qualification), ...STANDARD_ERRORS },
    }),
    async (c) => {
      const { providerId } = c.req.valid('param');
      checkOwnProvider(c, providerId);
      await servingProvider(c, providerId);
      const body = c.req.valid('json');
      const row = {
        id: newId(),
        providerId,
        kind: body.kind,
        title: body.title,
        documentNumber: body.documentNumber ?? null,
        issuedOn: body.issuedOn ?? null,
        expiresOn: body.expiresOn ?? null,
      };
      const db = controlDb(c.env);
      const [inserted] = await db.batch([
        db.insert(providerQualifications).values(row).returning(),
        db.insert(platformAuditLog).values(
          auditValues(
            auditBy(c, {
              action: 'provider.qualification_add',
              targetType: 'provider_qualification',
              targetId: row.id,
              detail: { providerId, kind: body.kind, county: c.var.county.slug },
            }),
          ),
        ),
      ]);
      sealLater(c, c.env.CONTROL_DB);
      return c.json(present(inserted[0]!, undefined, countyCtx(c).today), 201);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/counties/{county}/providers/{providerId}/qualifications/{qualificationId}/verify',
      tags: ['County'],
      summary: "The county's civil-affairs officer verifies a qualification document",
      request: {
        params: QualificationParam,
        body: {
          required: false,
          content: { 'application/json': { schema: z.strictObject({ note: Text(1000).optional() }) } },
        },
      },
      responses: {
        200: jsonResponse('Verified', Qualification),
        409: problemDoc('The document has expired'),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const { providerId, qualificationId } = c.req.valid('param');
      const { note } = c.req.valid('json');
      await servingProvider(c, providerId);
      const db = controlDb(c.env);
      const found = (
        await db
          .select()
          .from(providerQualifications)
          .where(
            and(
              eq(providerQualifications.id, qualificationId),
              eq(providerQualifications.providerId, providerId),
            ),
          )
          .limit(1)
      )[0];
      if (!found) throw notFound('qualification');
      const k = countyCtx(c);
      if (found.expiresOn && found.expiresOn < k.today) {
        throw conflict(`The document expired on ${found.expiresOn}; ask the provider for a current one.`);
      }
      const at = nowInstant();
      // The platform's record first (its log is the one of record); the county's own copy is an
      // idempotent upsert, so a retry after a failure in between completes it.
      const [updated] = await db.batch([
        db
          .update(providerQualifications)
          .set({ verifiedCounty: k.county.slug, verifiedBy: k.actorUserId, verifiedAt: at })
          .where(eq(providerQualifications.id, found.id))
          .returning(),
        db.insert(platformAuditLog).values(
          auditValues(
            auditBy(c, {
              action: 'provider.qualification_verify',
              targetType: 'provider_qualification',
              targetId: found.id,
              detail: { providerId, county: k.county.slug },
            }),
          ),
        ),
      ]);
      const verification = { providerId, verifiedBy: k.actorUserId, verifiedAt: at, note: note ?? null };
      const [saved] = await k.db.batch([
        k.db
          .insert(qualificationVerifications)
          .values({ qualificationId: found.id, ...verification })
          .onConflictDoUpdate({ target: qualificationVerifications.qualificationId, set: verification })
          .returning(),
        countyAudit(k, {
          action: 'provider.qualification_verify',
          targetType: 'provider_qualification',
          targetId: found.id,
          detail: { providerId },
        }),
      ]);
      sealLater(c, c.env.CONTROL_DB);
      sealLater(c, k.d1);
      return c.json(present(updated[0]!, saved[0], k.today), 200);
    },
  );
