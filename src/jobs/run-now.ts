/** The operator's "run now" (API and console): audited in the platform log, then queued. */
import { eq } from 'drizzle-orm';
import { auditValues } from '../audit/audit';
import { controlDb } from '../db';
import { counties, platformAuditLog } from '../db/control-schema';
import { auditBy, type Ctx, sealLater } from '../lib/context';
import { notFound } from '../lib/problem';

export async function queueCountyJob(c: Ctx, slug: string): Promise<void> {
  const db = controlDb(c.env);
  const found = await db
    .select({ slug: counties.slug })
    .from(counties)
    .where(eq(counties.slug, slug))
    .limit(1);
  if (!found[0]) throw notFound('county');
  // The entry first: a queue refusing the message leaves a request on record that did not run
  // (its absence from job_runs says so), never a run that no one is on record for.
  await db.insert(platformAuditLog).values(
    auditValues(
      auditBy(c, {
        action: 'job.run',
        targetType: 'county',
        targetId: slug,
        detail: { trigger: 'manual' },
      }),
    ),
  );
  sealLater(c, c.env.CONTROL_DB);
  await c.env.JOBS.send({ type: 'county-tick', county: slug, trigger: 'manual' });
}
