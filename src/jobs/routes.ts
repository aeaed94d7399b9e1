/** The platform operator's view of background work: last runs per county, and "run now". */
import { createRoute, z } from '@hono/zod-openapi';
import { and, desc, eq } from 'drizzle-orm';
import { controlDb } from '../db';
import { createRouter } from '../lib/router';
import { jsonResponse, STANDARD_ERRORS } from '../lib/schemas';
import { jobRuns } from './control-schema';
import { queueCountyJob } from './run-now';

const Run = z
  .object({
    id: z.string(),
    county: z.string(),
    trigger: z.string(),
    day: z.string(),
    status: z.string(),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
    durationMs: z.number().nullable(),
    summary: z.unknown(),
    error: z.string().nullable(),
  })
  .openapi('JobRun');

export const jobRoutes = createRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/v1/platform/jobs',
      tags: ['Platform'],
      summary: 'Recent job runs, newest first (optionally for one county)',
      request: {
        query: z.object({
          county: z.string().optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
        }),
      },
      responses: { 200: jsonResponse('Runs', z.object({ items: z.array(Run) })), ...STANDARD_ERRORS },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const rows = await controlDb(c.env)
        .select()
        .from(jobRuns)
        .where(and(q.county ? eq(jobRuns.county, q.county) : undefined))
        .orderBy(desc(jobRuns.startedAt))
        .limit(q.limit);
      return c.json(
        {
          items: rows.map((r) => ({ ...r, summary: r.summary ? (JSON.parse(r.summary) as unknown) : null })),
        },
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/api/v1/platform/jobs/{slug}/run',
      tags: ['Platform'],
      summary: "Queue a county's job now (recorded in the platform audit log as `job.run`)",
      request: { params: z.object({ slug: z.string().openapi({ param: { name: 'slug', in: 'path' } }) }) },
      responses: {
        202: jsonResponse('Queued', z.object({ county: z.string(), queued: z.literal(true) })),
        ...STANDARD_ERRORS,
      },
    }),
    async (c) => {
      const { slug } = c.req.valid('param');
      await queueCountyJob(c, slug);
      return c.json({ county: slug, queued: true as const }, 202);
    },
  );
