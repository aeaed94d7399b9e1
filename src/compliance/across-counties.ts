/**
 * One worklist and one dashboard over every county a user works in (API.md "Across counties";
 * issue 5 item 5). The counties are: those of the user's memberships, and for a provider's staff
 * every county their provider serves (control DB provider_counties), where they act in the same
 * role for that provider. Each county's database is asked in parallel; one that fails is reported
 * `unavailable` and the others still answer.
 */
import { inArray, or } from 'drizzle-orm';
import type { Membership } from '../auth/roles';
import { controlDb, countyDatabase, countyDrizzle, inJsonList } from '../db';
import { type CountyRow, counties, providerCounties } from '../db/control-schema';
import type { Bindings, Principal } from '../env';
import type { CountyCtx } from '../lib/context';
import { todayIn } from '../lib/time';
import { responsibility } from './scope';

export type CountyStatus = 'ok' | 'unavailable';

export interface WorkCounty {
  county: CountyRow;
  memberships: Membership[];
}

const PROVIDER_ROLES = new Set(['provider_admin', 'provider_worker']);

/** The counties the user works in, with their memberships there (provider reach included). */
export async function workCounties(env: Bindings, principal: Principal): Promise<WorkCounty[]> {
  const own = principal.memberships.filter((m) => m.county !== null);
  const providerRoles = own.filter((m) => PROVIDER_ROLES.has(m.role) && m.providerId);
  const providerIds = [...new Set(providerRoles.map((m) => m.providerId!))];
  const slugs = [...new Set(own.map((m) => m.county!))];
  if (!slugs.length && !providerIds.length) return [];
  const db = controlDb(env);
  // Both lists grow with the user's memberships (a worker of many providers, a user of many
  // counties) and the second statement carries both: one JSON parameter each (inJsonList).
  const [served, rows] = await db.batch([
    db.select().from(providerCounties).where(inJsonList(providerCounties.providerId, providerIds)),
    db
      .select()
      .from(counties)
      .where(
        or(
          inJsonList(counties.slug, slugs),
          inArray(
            counties.slug,
            db
              .select({ county: providerCounties.county })
              .from(providerCounties)
              .where(inJsonList(providerCounties.providerId, providerIds)),
          ),
        ),
      ),
  ]);
  const byCounty = new Map<string, Membership[]>();
  for (const m of own) byCounty.set(m.county!, [...(byCounty.get(m.county!) ?? []), m]);
  for (const link of served) {
    // The provider serves this county: its staff work there in the role they hold for it.
    for (const m of providerRoles) {
      if (m.providerId !== link.providerId) continue;
      const list = byCounty.get(link.county) ?? [];
      if (!list.some((x) => x.role === m.role && x.providerId === m.providerId)) {
        list.push({
          id: `${m.id}@${link.county}`,
          county: link.county,
          role: m.role,
          providerId: m.providerId!,
        });
      }
      byCounty.set(link.county, list);
    }
  }
  return rows
    .filter((county) => byCounty.has(county.slug))
    .sort((a, b) => (a.slug < b.slug ? -1 : 1))
    .map((county) => ({ county, memberships: byCounty.get(county.slug)! }));
}

export interface CountyAnswer<T> {
  county: string;
  status: CountyStatus;
  value?: T;
}

/**
 * Runs `work` against every county at once. A county is `unavailable` when its database is not
 * served here or any statement fails; the failure is logged by kind only (messages can carry SQL).
 */
export async function fanOut<T>(
  env: Bindings,
  principal: Principal,
  requestId: string,
  work: (k: CountyCtx, responsible: ReturnType<typeof responsibility>) => Promise<T>,
  range: (today: string) => { from: string; to: string },
): Promise<CountyAnswer<T>[]> {
  const targets = await workCounties(env, principal);
  const settled = await Promise.allSettled(
    targets.map(async ({ county, memberships }) => {
      const d1 = countyDatabase(env, county);
      const today = todayIn(county.timezone);
      const k: CountyCtx = {
        db: countyDrizzle(d1),
        d1,
        county,
        actorUserId: principal.user.id,
        requestId,
        dataKeySecret: env.DATA_KEY_SECRET,
        today,
      };
      return work(k, responsibility(memberships, principal.user.id, range(today)));
    }),
  );
  return settled.map((result, i) => {
    const county = targets[i]!.county.slug;
    if (result.status === 'fulfilled') return { county, status: 'ok' as const, value: result.value };
    console.error(
      JSON.stringify({
        requestId,
        county,
        at: 'across-counties',
        error: result.reason instanceof Error ? result.reason.name : 'unknown',
      }),
    );
    return { county, status: 'unavailable' as const };
  });
}
