/**
 * Whose compliance a caller works on. Seeing a supervisee (src/supervisees/access.ts) decides
 * the compliance reads; a worklist is narrower: the supervisees one is *responsible* for
 * (docs/adr/0201-worklist-responsibility.md):
 * - the bureau: the whole county;
 * - a township office: its townships;
 * - a provider's admin: the supervisees the provider serves;
 * - a provider's worker: the supervisees assigned to them (assignments.worker_user_id) over the
 *   range; a worker with no assignment at all over the range gets the provider's supervisees,
 *   since small providers do not assign cases person by person;
 * - anyone else (finance, evaluator, auditor…): nobody.
 * Several roles in one county add up.
 */
import { and, eq, or, type SQL, sql } from 'drizzle-orm';
import type { Membership } from '../auth/roles';
import { inJsonList } from '../db/chunks';
import type { CivilDate } from '../rules';
import { servedByProviders } from '../supervisees/access';
import { assignments, supervisees } from '../supervisees/schema';

/** `undefined`: everyone in the county; `null`: nobody. */
export type Responsibility = SQL | undefined | null;

/** Supervisee ids assigned to a worker of these providers at some day of [from, to]. */
export const assignedToWorker = (
  workerId: string,
  providerIds: string[] | null,
  from: CivilDate,
  to: CivilDate,
) =>
  sql`(SELECT ${assignments.superviseeId} FROM ${assignments} WHERE ${and(
    eq(assignments.workerUserId, workerId),
    providerIds ? inJsonList(assignments.providerId, providerIds) : undefined,
    sql`${assignments.fromDate} <= ${to}`,
    sql`(${assignments.toDate} IS NULL OR ${assignments.toDate} >= ${from})`,
  )})`;

export function responsibility(
  memberships: readonly Membership[],
  userId: string,
  range: { from: CivilDate; to: CivilDate },
): Responsibility {
  const parts: SQL[] = [];
  const townshipIds: string[] = [];
  const adminOf: string[] = [];
  const workerFor: string[] = [];
  for (const m of memberships) {
    switch (m.role) {
      case 'bureau_admin':
      case 'bureau_officer':
        return undefined;
      case 'office_officer':
        townshipIds.push(...(m.townshipIds ?? []));
        break;
      case 'provider_admin':
        if (m.providerId) adminOf.push(m.providerId);
        break;
      case 'provider_worker':
        if (m.providerId) workerFor.push(m.providerId);
        break;
      default:
        break;
    }
  }
  // Lists as one JSON parameter each (src/db/chunks.ts inJsonList): a membership carries up to
  // 100 townships, a worker's list of providers appears three times, and all of it sits beside
  // the loader's own filters in each statement.
  if (townshipIds.length) parts.push(inJsonList(supervisees.townshipId, [...new Set(townshipIds)]));
  if (adminOf.length) parts.push(sql`${supervisees.id} IN ${servedByProviders([...new Set(adminOf)])}`);
  if (workerFor.length) {
    const providers = [...new Set(workerFor)];
    const mine = assignedToWorker(userId, providers, range.from, range.to);
    parts.push(
      sql`(${supervisees.id} IN ${mine} OR (NOT EXISTS ${mine} AND ${supervisees.id} IN ${servedByProviders(providers)}))`,
    );
  }
  return parts.length ? or(...parts)! : null;
}

/** The optional filters of the county worklist, narrowing what the caller is responsible for. */
export function worklistFilter(
  f: { township?: string | undefined; providerId?: string | undefined; workerId?: string | undefined },
  range: { from: CivilDate; to: CivilDate },
): SQL | undefined {
  return and(
    f.township ? eq(supervisees.townshipId, f.township) : undefined,
    f.providerId ? sql`${supervisees.id} IN ${servedByProviders([f.providerId])}` : undefined,
    f.workerId
      ? sql`${supervisees.id} IN ${assignedToWorker(f.workerId, null, range.from, range.to)}`
      : undefined,
  );
}
