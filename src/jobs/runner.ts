/**
 * Runs one county's job: hourly tasks every time, daily tasks once per county day, each task
 * isolated so one failure does not stop the others, and the run logged in the control database.
 */
import { and, eq } from 'drizzle-orm';
import { controlDb, countyDatabase, countyDrizzle } from '../db';
import { counties } from '../db/control-schema';
import type { Bindings } from '../env';
import { newId } from '../lib/ids';
import { civilDate, nowInstant } from '../lib/time';
import { countyMemberships, notify } from '../notifications/service';
import { jobRuns } from './control-schema';
import { TASKS } from './registry';
import type { JobCtx, Task } from './tasks';

export type RunResult = {
  county: string;
  status: 'ok' | 'failed' | 'skipped';
  ran: string[];
  failed: string[];
};

export async function runCountyJob(
  env: Bindings,
  slug: string,
  trigger: 'scheduled' | 'manual',
  opts: { now?: string; tasks?: readonly Task[] } = {},
): Promise<RunResult> {
  const control = controlDb(env);
  const county = (await control.select().from(counties).where(eq(counties.slug, slug)).limit(1))[0];
  if (!county || county.status !== 'active') return { county: slug, status: 'skipped', ran: [], failed: [] };
  const now = opts.now ?? nowInstant();
  const today = civilDate(now, county.timezone);
  const d1 = countyDatabase(env, county);
  const db = countyDrizzle(d1);

  const dailyDone = await control
    .select({ id: jobRuns.id })
    .from(jobRuns)
    .where(and(eq(jobRuns.county, slug), eq(jobRuns.day, today), eq(jobRuns.status, 'ok')))
    .limit(1);
  const due = (opts.tasks ?? TASKS).filter((t) => t.cadence === 'hourly' || dailyDone.length === 0);

  const runId = newId();
  const started = Date.now();
  await control
    .insert(jobRuns)
    .values({ id: runId, county: slug, trigger, day: today, status: 'running', startedAt: now });

  let members: Awaited<ReturnType<typeof countyMemberships>> | undefined;
  const k: JobCtx = {
    env,
    county,
    db,
    d1,
    today,
    now,
    notify: async (items) => {
      members ??= await countyMemberships(env, slug);
      return notify(env, county, db, items, members);
    },
  };
  const summary: Record<string, unknown> = {};
  const failed: string[] = [];
  for (const task of due) {
    try {
      summary[task.name] = await task.run(k);
    } catch (e) {
      failed.push(task.name);
      summary[task.name] = { error: e instanceof Error ? e.name : 'error' };
      if (env.ENVIRONMENT === 'test') console.error(task.name, e);
    }
  }
  const status = failed.length ? 'failed' : 'ok';
  await control
    .update(jobRuns)
    .set({
      status,
      finishedAt: nowInstant(),
      durationMs: Date.now() - started,
      summary: JSON.stringify(summary),
      error: failed.length ? `failed tasks: ${failed.join(', ')}` : null,
    })
    .where(eq(jobRuns.id, runId));
  return { county: slug, status, ran: due.map((t) => t.name), failed };
}
