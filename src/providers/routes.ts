import { createRoute, z } from '@hono/zod-openapi';
import { asc, eq } from 'drizzle-orm';
import { controlDb } from '../db';
import { providerCounties, providers } from '../db/control-schema';
import { createRouter } from '../lib/router';
import { CountyParam, jsonResponse, STANDARD_ERRORS } from '../lib/schemas';

const CountyProvider = z
  .object({
    id: z.string(),
    name: z.string(),
    nameEn: z.string().nullable(),
    creditCode: z.string(),
    status: z.string(),
    since: z.string(),
  })
  .openapi('CountyProvider');

export const countyProviderRoutes = createRouter().openapi(
  createRoute({
    method: 'get',
    path: '/api/v1/counties/{county}/providers',
    tags: ['County'],
    summary: 'The providers serving this county',
    request: { params: CountyParam },
    responses: {
      200: jsonResponse('Providers', z.object({ items: z.array(CountyProvider) })),
      ...STANDARD_ERRORS,
    },
  }),
  async (c) => {
    const rows = await controlDb(c.env)
      .select({ p: providers, since: providerCounties.since })
      .from(providerCounties)
      .innerJoin(providers, eq(providers.id, providerCounties.providerId))
      .where(eq(providerCounties.county, c.var.county.slug))
      .orderBy(asc(providers.name));
    return c.json(
      {
        items: rows.map(({ p, since }) => ({
          id: p.id,
          name: p.name,
          nameEn: p.nameEn,
          creditCode: p.creditCode,
          status: p.status,
          since,
        })),
      },
      200,
    );
  },
);
