/** The platform operator's API: counties (tenants), providers and their county links. */
import { createRoute, z } from '@hono/zod-openapi';
import { asc, eq } from 'drizzle-orm';
import { auditValues, verifyPlatformLog } from '../audit/audit';
import { ChainReportSchema } from '../audit/routes';
import { bindingForSlug, controlDb, hasCountyBinding } from '../db';
import { counties, platformAuditLog, providerCounties, providers } from '../db/control-schema';
import { auditBy, type Ctx, sealLater } from '../lib/context';
import { newId } from '../lib/ids';
import { conflict, invalid, notFound } from '../lib/problem';
import { createRouter } from '../lib/router';
import { CivilDate, jsonBody, jsonResponse, problemDoc, STANDARD_ERRORS } from '../lib/schemas';
import { nowInstant, todayIn } from '../lib/time';
import { isValidCreditCode } from '../lib/validators';

const Slug = z.string().regex(/^[a-z][a-z0-9-]{1,38}$/, 'lower-case letters, digits and dashes');

export const CountySchema = z
  .object({
    slug: z.string(),
    name: z.string(),
    nameEn: z.string().nullable(),
    regionCode: z.string(),
    binding: z.string(),
    timezone: z.string(),
    status: z.enum(['active', 'suspended']),
    schemaVersion: z.string().nullable(),
  })
  .openapi('County');

const NewCounty = z.strictObject({
  slug: Slug,
  name: z.string().trim().min(1).max(50),
  nameEn: z.string().trim().min(1).max(100).optional(),
  regionCode: z.string().regex(/^\d{6}$/, 'expected the six-digit 行政区划代码'),
  binding: z
    .string()
    .regex(/^COUNTY_[A-Z0-9_]+$/)
    .optional(),
  timezone: z.string().min(1).max(64).optional(),
});

export const CountyPatch = z.strictObject({
  name: z.string().trim().min(1).max(50).optional(),
  nameEn: z.string().trim().min(1).max(100).optional(),
  status: z.enum(['active', 'suspended']).optional(),
  timezone: z.string().min(1).max(64).optional(),
});

const CreditCode = z
  .string()
  .trim()
  .toUpperCase()
  .refine(isValidCreditCode, 'not a valid 统一社会信用代码 (18 characters with a correct check character)');

export const ProviderSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    nameEn: z.string().nullable(),
    creditCode: z.string(),
    status: z.enum(['active', 'inactive']),
    counties: z.array(z.string()).optional(),
  })
  .openapi('Provider');

export const NewProvider = z.strictObject({
  name: z.string().trim().min(1).max(100),
  nameEn: z.string().trim().min(1).max(200).optional(),
  creditCode: CreditCode,
  contactName: z.string().trim().max(50).optional(),
  contactPhone: z.string().trim().max(30).optional(),
  address: z.string().trim().max(200).optional(),
});

const ProviderPatch = NewProvider.omit({ creditCode: true })
  .partial()
  .extend({ status: z.enum(['active', 'inactive']).optional() });

const SlugParam = z.object({ slug: z.string().openapi({ param: { name: 'slug', in: 'path' } }) });
const IdParam = z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' } }) });

const isValidTimezone = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

const toCounty = (r: typeof counties.$inferSelect) => ({
  slug: r.slug,
  name: r.name,
  nameEn: r.nameEn,
  regionCode: r.regionCode,
  binding: r.binding,
  timezone: r.timezone,
  status: r.status,
  schemaVersion: r.schemaVersion,
});

const toProvider = (r: typeof providers.$inferSelect, countyList?: string[]) => ({
  id: r.id,
  name: r.name,
  nameEn: r.nameEn,
  creditCode: r.creditCode,
  status: r.status,
  ...(countyList ? { counties: countyList } : {}),
});

const isUnique = (e: unknown) => String(e).includes('UNIQUE');

export async function listCounties(c: Ctx) {
  const rows = await controlDb(c.env).select().from(counties).orderBy(asc(counties.slug));
  return rows.map(toCounty);
}

export async function patchCounty(c: Ctx, slug: string, patch: z.infer<typeof CountyPatch>) {
  if (patch.timezone && !isValidTimezone(patch.timezone)) {
    throw invalid([{ path: 'timezone', message: 'not an IANA timezone' }]);
  }
  const db = controlDb(c.env);
  const existing = await db
    .select({ slug: counties.slug })
    .from(counties)
    .where(eq(counties.slug, slug))
    .limit(1);
  if (!existing[0]) throw notFound('county');
  const [updated] = await db.batch([
    db
      .update(counties)
      .set({ ...patch, updatedAt: nowInstant() })
      .where(eq(counties.slug, slug))
      .returning(),
    db.insert(platformAuditLog).values(
      auditValues(
        auditBy(c, {
          action: 'county.update',
          targetType: 'county',
          targetId: slug,
          detail: { fields: Object.keys(patch) },
        }),
      ),
    ),
  ]);
  sealLater(c, c.env.CONTROL_DB);
  return toCounty(updated[0]!);
}

export async function listProviders(c: Ctx) {
  const db = controlDb(c.env);
  const [rows, links] = await db.batch([
    db.select().from(providers).orderBy(asc(providers.name)),
    db.select().from(providerCounties),
  ]);
  return rows.map((p) =>
    toProvider(
      p,
      links.filter((l) => l.providerId === p.id).map((l) => l.county),
    ),
  );
}

export async function createProvider(c: Ctx, body: z.infer<typeof NewProvider>) {
  const row = {
    id: newId(),
    name: body.name,
    nameEn: body.nameEn ?? null,
    creditCode: body.creditCode,
    contactName: body.contactName ?? null,
    contactPhone: body.contactPhone ?? null,
    address: body.address ?? null,
    status: 'active' as const,
  };
  const db = controlDb(c.env);
  try {
    await db.batch([
      db.insert(providers).values(row),
      db
        .insert(platformAuditLog)
        .values(
          auditValues(auditBy(c, { action: 'provider.create', targetType: 'provider', targetId: row.id })),
        ),
    ]);
  } catch (e) {
    if (isUnique(e)) throw conflict('A provider with that credit code exists.');
    throw e;
  }
  sealLater(c, c.env.CONTROL_DB);
  return toProvider({ ...row, createdAt: '', updatedAt: null }, []);
}

export async function linkProviderCounty(c: Ctx, id: string, slug: string, sinceDay?: string) {
  const db = controlDb(c.env);
  const [p, k] = await db.batch([
    db.select({ id: providers.id }).from(providers).where(eq(providers.id, id)).limit(1),
    db.select().from(counties).where(eq(counties.slug, slug)).limit(1),
  ]);
  if (!p[0]) throw notFound('provider');
  if (!k[0]) throw notFound('county');
  const since = sinceDay ?? todayIn(k[0].timezone);
  await db.batch([
    db
      .insert(providerCounties)
      .values({ providerId: id, county: slug, since })
      .onConflictDoUpdate({
        target: [providerCounties.providerId, providerCounties.county],
        set: { since },
      }),
    db.insert(platformAuditLog).values(
      auditValues(
        auditBy(c, {
          action: 'provider.link_county',
          targetType: 'provider',
          targetId: id,
          detail: { county: slug },
        }),
      ),
    ),
  ]);
  sealLater(c, c.env.CONTROL_DB);
  return { providerId: id, county: slug, since };
}

export const platformRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/platform/counties',
      tags: ['Platform'],
      summary: 'Every county on the platform',
      responses: {
        200: jsonResponse('Counties', z.object({ items: z.array(CountySchema) })),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => c.json({ items: await listCounties(c) }, 200),
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/platform/counties',
      tags: ['Platform'],
      summary: 'Register a county whose database binding is deployed (see `npm run county:add`)',
      request: { body: jsonBody(NewCounty) },
      responses: {
        201: jsonResponse('Registered', CountySchema),
        409: problemDoc('Slug or region code taken'),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const binding = body.binding ?? bindingForSlug(body.slug);
      if (!hasCountyBinding(c.env, binding)) {
        throw invalid([
          {
            path: 'binding',
            message: `this Worker has no D1 binding ${binding}; run npm run county:add and deploy first`,
          },
        ]);
      }
      if (body.timezone && !isValidTimezone(body.timezone)) {
        throw invalid([{ path: 'timezone', message: 'not an IANA timezone' }]);
      }
      const row = {
        slug: body.slug,
        name: body.name,
        nameEn: body.nameEn ?? null,
        regionCode: body.regionCode,
        binding,
        timezone: body.timezone ?? 'Asia/Shanghai',
        status: 'active' as const,
        schemaVersion: null,
      };
      const db = controlDb(c.env);
      try {
        await db.batch([
          db.insert(counties).values(row),
          db
            .insert(platformAuditLog)
            .values(
              auditValues(
                auditBy(c, { action: 'county.register', targetType: 'county', targetId: row.slug }),
              ),
            ),
        ]);
      } catch (e) {
        if (isUnique(e)) throw conflict('A county with that slug, region code or binding exists.');
        throw e;
      }
      sealLater(c, c.env.CONTROL_DB);
      return c.json(row, 201);
    },
  )
  .openapi(
    createRoute({
      method: 'patch',
      path: '/api/v1/platform/counties/{slug}',
      tags: ['Platform'],
      summary: 'Rename, suspend or reactivate a county',
      request: { params: SlugParam, body: jsonBody(CountyPatch) },
      responses: { 200: jsonResponse('Updated', CountySchema), ...STANDARD_ERRORS },
    }),
    async (c) => c.json(await patchCounty(c, c.req.valid('param').slug, c.req.valid('json')), 200),
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/platform/providers',
      tags: ['Platform'],
      summary: 'The provider registry, with the counties each serves',
      responses: {
        200: jsonResponse('Providers', z.object({ items: z.array(ProviderSchema) })),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => c.json({ items: await listProviders(c) }, 200),
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/platform/providers',
      tags: ['Platform'],
      summary: 'Register a provider (社工组织)',
      request: { body: jsonBody(NewProvider) },
      responses: {
        201: jsonResponse('Registered', ProviderSchema),
        409: problemDoc('Credit code taken'),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => c.json(await createProvider(c, c.req.valid('json')), 201),
  )
  .openapi(
    createRoute({
      method: 'patch',
      path: '/api/v1/platform/providers/{id}',
      tags: ['Platform'],
      summary: 'Update a provider',
      request: { params: IdParam, body: jsonBody(ProviderPatch) },
      responses: { 200: jsonResponse('Updated', ProviderSchema), ...STANDARD_ERRORS },
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const patch = c.req.valid('json');
      const db = controlDb(c.env);
      const existing = await db
        .select({ id: providers.id })
        .from(providers)
        .where(eq(providers.id, id))
        .limit(1);
      if (!existing[0]) throw notFound('provider');
      const [updated] = await db.batch([
        db
          .update(providers)
          .set({ ...patch, updatedAt: nowInstant() })
          .where(eq(providers.id, id))
          .returning(),
        db.insert(platformAuditLog).values(
          auditValues(
            auditBy(c, {
              action: 'provider.update',
              targetType: 'provider',
              targetId: id,
              detail: { fields: Object.keys(patch) },
            }),
          ),
        ),
      ]);
      sealLater(c, c.env.CONTROL_DB);
      return c.json(toProvider(updated[0]!), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'put',
      path: '/api/v1/platform/providers/{id}/counties/{slug}',
      tags: ['Platform'],
      summary: 'Record that a provider serves a county',
      request: {
        params: IdParam.merge(SlugParam),
        body: {
          required: false,
          content: { 'application/json': { schema: z.strictObject({ since: CivilDate.optional() }) } },
        },
      },
      responses: {
        200: jsonResponse(
          'Linked',
          z.object({ providerId: z.string(), county: z.string(), since: z.string() }),
        ),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const { id, slug } = c.req.valid('param');
      return c.json(await linkProviderCounty(c, id, slug, c.req.valid('json').since), 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/platform/audit/verify',
      tags: ['Platform'],
      summary: "Recompute the platform audit log's hash chain and compare it with its anchors (reads only)",
      responses: {
        200: jsonResponse('Chain report', ChainReportSchema),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => c.json(await verifyPlatformLog(c.env), 200),
  );
