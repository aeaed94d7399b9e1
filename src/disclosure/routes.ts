/**
 * 信息公开: the bureau previews and publishes the county's disclosure; anyone reads the last
 * published one, without signing in.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { desc, eq } from 'drizzle-orm';
import { controlDb, countyDatabase, countyDrizzle } from '../db';
import { counties } from '../db/control-schema';
import { type Ctx, countyCtx, sealLater } from '../lib/context';
import { notFound } from '../lib/problem';
import { createRouter } from '../lib/router';
import { CountyParam, jsonResponse, STANDARD_ERRORS } from '../lib/schemas';
import { disclosures } from './schema';
import { buildDisclosure, DisclosureDocument, publishDisclosure } from './service';

const Published = DisclosureDocument.extend({ id: z.string(), publishedAt: z.string() }).openapi(
  'PublishedDisclosure',
);

const build = (c: Ctx) => {
  const k = countyCtx(c);
  return buildDisclosure(k, controlDb(c.env));
};

export const disclosureRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/counties/{county}/disclosure/preview',
      tags: ['Disclosure'],
      summary: 'What publishing now would show the public',
      request: { params: CountyParam },
      responses: { 200: jsonResponse('The document', DisclosureDocument), ...STANDARD_ERRORS },
    }),
    async (c) => c.json(await build(c), 200),
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/counties/{county}/disclosure/publish',
      tags: ['Disclosure'],
      summary: 'Publish the disclosure as it stands now (a snapshot the public endpoint serves)',
      request: {
        params: CountyParam,
        body: { required: false, content: { 'application/json': { schema: z.strictObject({}) } } },
      },
      responses: { 201: jsonResponse('Published', Published), ...STANDARD_ERRORS },
    }),
    async (c) => {
      const k = countyCtx(c);
      const published = await publishDisclosure(k, controlDb(c.env));
      sealLater(c, k.d1);
      return c.json(published, 201);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/public/counties/{county}/disclosure',
      tags: ['Disclosure'],
      summary: "The county's last published disclosure (信息公开); public, no personal data",
      request: { params: CountyParam },
      responses: { 200: jsonResponse('The document', Published), 404: STANDARD_ERRORS[404] },
    }),
    async (c) => {
      const { county: slug } = c.req.valid('param');
      const county = (
        await controlDb(c.env).select().from(counties).where(eq(counties.slug, slug)).limit(1)
      )[0];
      // countyDatabase answers a suspended county as unknown, too.
      if (!county) throw notFound('county');
      const db = countyDrizzle(countyDatabase(c.env, county));
      const row = (await db.select().from(disclosures).orderBy(desc(disclosures.seq)).limit(1))[0];
      if (!row) throw notFound('disclosure');
      // Served as published, re-checked against the allowlist on the way out all the same.
      const document = DisclosureDocument.parse(row.body);
      c.header('cache-control', 'public, max-age=300');
      return c.json({ ...document, id: row.id, publishedAt: row.publishedAt }, 200);
    },
  );
