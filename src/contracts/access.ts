/**
 * Who sees which contracts: county staff (bureau, finance, civil affairs, evaluator, auditor) see
 * every contract of the county; a provider's staff see only their provider's, and only while the
 * provider still serves the county (the platform's provider_counties link).
 */
import { and, eq, inArray } from 'drizzle-orm';
import { PROVIDER_ROLES } from '../auth/roles';
import { controlDb, queryInChunks } from '../db';
import { providerCounties } from '../db/control-schema';
import type { Ctx } from '../lib/context';

export type ContractScope = { all: true } | { all: false; providerIds: string[] };

export async function contractScope(c: Ctx): Promise<ContractScope> {
  const mine = c.var.countyMemberships;
  if (mine.some((m) => !PROVIDER_ROLES.includes(m.role as never))) return { all: true };
  const claimed = [...new Set(mine.map((m) => m.providerId).filter((p): p is string => !!p))];
  if (claimed.length === 0) return { all: false, providerIds: [] };
  return { all: false, providerIds: [...(await providersServing(c, claimed))] };
}

export const seesProvider = (scope: ContractScope, providerId: string) =>
  scope.all || scope.providerIds.includes(providerId);

/** Whether a provider serves this county (a contract or a chosen bidder must). */
export async function providersServing(c: Ctx, providerIds: readonly string[]): Promise<Set<string>> {
  if (providerIds.length === 0) return new Set();
  const rows = await queryInChunks(providerIds, 1, (chunk) =>
    controlDb(c.env)
      .select({ providerId: providerCounties.providerId })
      .from(providerCounties)
      .where(
        and(eq(providerCounties.county, c.var.county.slug), inArray(providerCounties.providerId, chunk)),
      ),
  );
  return new Set(rows.map((r) => r.providerId));
}
