/**
 * 义工: supervisees who joined volunteer service by a day (the case study counts 52). Every
 * reporting role gets the count within its scope; names only go to roles that see supervisees
 * by name (bureau, office, provider), and only for the supervisees they may see.
 */
import { and, asc, eq, isNotNull, lte, or, type SQL, sql } from 'drizzle-orm';
import type { Membership } from '../auth/roles';
import { inJsonList } from '../db/chunks';
import type { CountyDb } from '../env';
import {
  servedByProviders,
  scopeCondition as superviseeCondition,
  superviseeScope,
} from '../supervisees/access';
import { superviseeProfiles, supervisees } from '../supervisees/schema';
import type { ReportScope } from './scope';

function countCondition(scope: ReportScope): SQL | undefined {
  if (scope.all) return undefined;
  const parts: SQL[] = [];
  // One JSON parameter (src/db/chunks.ts inJsonList): the statement carries the scope twice.
  if (scope.townshipIds.length) parts.push(inJsonList(supervisees.townshipId, scope.townshipIds));
  if (scope.providerIds.length) parts.push(sql`${supervisees.id} IN ${servedByProviders(scope.providerIds)}`);
  return parts.length ? or(...parts) : sql`0`;
}

export async function volunteers(
  db: CountyDb,
  scope: ReportScope,
  memberships: readonly Membership[],
  q: { on: string; townshipId?: string | undefined },
) {
  // Evaluators see minimised records: they count, but get no list.
  const names = superviseeScope(memberships.filter((m) => m.role !== 'evaluator'));
  const nameCondition = names ? (superviseeCondition(names) ?? sql`1`) : sql`0`;
  const rows = await db
    .select({
      superviseeId: supervisees.id,
      caseNumber: supervisees.caseNumber,
      name: supervisees.name,
      townshipId: supervisees.townshipId,
      status: supervisees.status,
      volunteerSince: superviseeProfiles.volunteerSince,
      named: sql<number>`CASE WHEN ${nameCondition} THEN 1 ELSE 0 END`,
    })
    .from(superviseeProfiles)
    .innerJoin(supervisees, eq(supervisees.id, superviseeProfiles.superviseeId))
    .where(
      and(
        isNotNull(superviseeProfiles.volunteerSince),
        lte(superviseeProfiles.volunteerSince, q.on),
        q.townshipId ? eq(supervisees.townshipId, q.townshipId) : undefined,
        countCondition(scope),
      ),
    )
    .orderBy(asc(superviseeProfiles.volunteerSince), asc(supervisees.caseNumber));
  const out = { on: q.on, count: rows.length };
  if (!names) return out;
  return {
    ...out,
    items: rows
      .filter((r) => Number(r.named) === 1)
      .map(({ named: _, volunteerSince, ...r }) => ({ ...r, volunteerSince: volunteerSince! })),
  };
}
