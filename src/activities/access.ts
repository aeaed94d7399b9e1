/**
 * Who may see and change which activities and ledgers (issue #4):
 * - the bureau: everything in the county;
 * - a township office: what happened in its townships (any provider's, and its own call-backs);
 * - a provider's staff: their provider's records only; a worker changes only what they recorded
 *   or did, the provider admin any of the provider's.
 * Anything outside the caller's scope answers like a record that does not exist.
 */
import { type Column, or, type SQL, sql } from 'drizzle-orm';
import type { Membership } from '../auth/roles';
import { inJsonList } from '../db/chunks';
import type { ActivityRow } from './schema';

export type ActorScope = {
  userId: string;
  bureau: boolean;
  /** office_officer townships. */
  townshipIds: string[];
  /** Providers the caller works for (admin or worker). */
  providerIds: string[];
  /** Providers the caller administers. */
  adminOf: string[];
};

/** The caller's scope from their memberships in the county (already filtered by the route's roles). */
export function actorScope(userId: string, memberships: readonly Membership[]): ActorScope {
  const scope: ActorScope = { userId, bureau: false, townshipIds: [], providerIds: [], adminOf: [] };
  for (const m of memberships) {
    if (m.role === 'bureau_admin' || m.role === 'bureau_officer') scope.bureau = true;
    if (m.role === 'office_officer') scope.townshipIds.push(...(m.townshipIds ?? []));
    if ((m.role === 'provider_admin' || m.role === 'provider_worker') && m.providerId) {
      scope.providerIds.push(m.providerId);
      if (m.role === 'provider_admin') scope.adminOf.push(m.providerId);
    }
  }
  return scope;
}

/** Rows (with a provider and a township) the scope may see, as an SQL condition; undefined: all. */
export function visibleCondition(
  scope: ActorScope,
  cols: { providerId: Column; townshipId: Column },
): SQL | undefined {
  if (scope.bureau) return undefined;
  const parts: SQL[] = [];
  // One JSON parameter a list (src/db/chunks.ts inJsonList): a membership carries up to 100
  // townships, and this condition sits inside paged, filtered queries.
  if (scope.townshipIds.length) parts.push(inJsonList(cols.townshipId, scope.townshipIds));
  if (scope.providerIds.length) parts.push(inJsonList(cols.providerId, scope.providerIds));
  return parts.length ? or(...parts) : sql`0`;
}

export const canSee = (scope: ActorScope, row: { providerId: string | null; townshipId: string }) =>
  scope.bureau ||
  scope.townshipIds.includes(row.townshipId) ||
  (row.providerId !== null && scope.providerIds.includes(row.providerId));

/**
 * Whether the caller may change (edit, void, amend) an activity they can see: the bureau any;
 * a provider admin its provider's; a worker what they recorded or did; an office the activities
 * without provider in its townships (its own call-backs and visits).
 */
export function canChange(scope: ActorScope, row: ActivityRow): boolean {
  if (scope.bureau) return true;
  if (row.providerId !== null) {
    if (scope.adminOf.includes(row.providerId)) return true;
    return (
      scope.providerIds.includes(row.providerId) &&
      (row.staffUserId === scope.userId || row.createdBy === scope.userId)
    );
  }
  return scope.townshipIds.includes(row.townshipId);
}
