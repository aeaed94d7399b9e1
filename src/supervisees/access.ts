/**
 * Who may see which supervisees, and how much of each (DESIGN.md §1, issue #4):
 * - the bureau sees everyone in full;
 * - a township office sees the supervisees of its townships in full;
 * - a provider's staff see the supervisees their provider serves (an assignment or an
 *   enrolment in one of its contracts), without the ID number;
 * - an evaluator sees minimised records only: no name, birth date, ID number, phone or address.
 * A user with several roles in the county sees each supervisee at the detail of the roles that
 * grant access to *that* supervisee (`detailOf`), not the widest of all their roles (issue #11).
 */
import { and, eq, or, type SQL, sql } from 'drizzle-orm';
import type { Membership } from '../auth/roles';
import { contracts, enrolments } from '../contracts/schema';
import { inJsonList } from '../db/chunks';
import { forbidden } from '../lib/problem';
import { assignments, supervisees } from './schema';

export type Detail = 'full' | 'provider' | 'minimal';

/**
 * `detail` is the widest the caller has anywhere (what a list's columns offer); one supervisee's
 * own detail is `detailOf`. An all-seeing scope sees everyone at `everyone` (default `detail`),
 * and the supervisees of `townshipIds` / served by `providerIds` at those roles' detail.
 */
export type SuperviseeScope =
  | { all: true; detail: Detail; everyone?: Detail; townshipIds?: string[]; providerIds?: string[] }
  | { all: false; townshipIds: string[]; providerIds: string[]; detail: Detail };

const RANK: Record<Detail, number> = { minimal: 0, provider: 1, full: 2 };

/** The caller's scope, or 403 for a role that works with no supervisee (finance, auditors…). */
export function requireSuperviseeScope(memberships: readonly Membership[]): SuperviseeScope {
  const scope = superviseeScope(memberships);
  if (!scope) throw forbidden('Your role does not see supervisees.');
  return scope;
}

export function superviseeScope(memberships: readonly Membership[]): SuperviseeScope | null {
  let detail: Detail | null = null;
  const widen = (d: Detail) => {
    if (!detail || RANK[d] > RANK[detail]) detail = d;
  };
  const townshipIds: string[] = [];
  const providerIds: string[] = [];
  let everyone: Detail | null = null;
  const seeAll = (d: Detail) => {
    if (!everyone || RANK[d] > RANK[everyone]) everyone = d;
    widen(d);
  };
  for (const m of memberships) {
    switch (m.role) {
      case 'bureau_admin':
      case 'bureau_officer':
        seeAll('full');
        break;
      case 'evaluator':
        seeAll('minimal');
        break;
      case 'office_officer':
        townshipIds.push(...(m.townshipIds ?? []));
        widen('full');
        break;
      case 'provider_admin':
      case 'provider_worker':
        if (m.providerId) providerIds.push(m.providerId);
        widen('provider');
        break;
      default:
        break;
    }
  }
  if (!detail) return null;
  return everyone
    ? { all: true, detail, everyone, townshipIds, providerIds }
    : { all: false, townshipIds, providerIds, detail };
}

const everyoneOf = (scope: SuperviseeScope & { all: true }) => scope.everyone ?? scope.detail;

/**
 * Whether `detailOf` needs to know if one of the scope's providers serves the supervisee: only
 * when a minimised view of everyone (an evaluator) meets a provider role.
 */
export const needsServed = (scope: SuperviseeScope) =>
  scope.all && everyoneOf(scope) !== 'full' && (scope.providerIds?.length ?? 0) > 0;

/**
 * The detail at which the scope shows one supervisee it may see: the widest of the roles that
 * grant access to that supervisee. `served`: one of the scope's providers serves them (only
 * read when `needsServed`; otherwise a visible supervisee outside the townships is served).
 */
export function detailOf(scope: SuperviseeScope, s: { townshipId: string }, served = false): Detail {
  if (!scope.all) return scope.townshipIds.includes(s.townshipId) ? 'full' : 'provider';
  const everyone = everyoneOf(scope);
  if (everyone === 'full' || scope.townshipIds?.includes(s.townshipId)) return 'full';
  return served && needsServed(scope) ? 'provider' : everyone;
}

/**
 * The part of a scope that sees supervisees at `at` detail or more (null: none): who may be
 * looked up by ID number (`full`), or found and listed by name (`provider`).
 */
export function scopeAtLeast(scope: SuperviseeScope, at: Detail): SuperviseeScope | null {
  const whole = scope.all
    ? RANK[everyoneOf(scope)] >= RANK[at]
    : RANK.provider >= RANK[at] || !scope.providerIds.length;
  if (whole) return scope;
  const townshipIds = scope.townshipIds ?? [];
  const providerIds = RANK.provider >= RANK[at] ? (scope.providerIds ?? []) : [];
  if (!townshipIds.length && !providerIds.length) return null;
  return { all: false, townshipIds, providerIds, detail: townshipIds.length ? 'full' : 'provider' };
}

/**
 * Supervisee ids a provider serves, as a subquery. The scope's lists go in as one JSON parameter
 * each (src/db/chunks.ts inJsonList): a membership carries up to 100 townships and a user may work
 * for many providers, and these conditions sit inside paged queries with filters of their own.
 */
export const servedByProviders = (providerIds: string[]) =>
  sql`(SELECT ${assignments.superviseeId} FROM ${assignments} WHERE ${inJsonList(assignments.providerId, providerIds)}
       UNION SELECT ${enrolments.superviseeId} FROM ${enrolments} JOIN ${contracts} ON ${contracts.id} = ${enrolments.contractId}
       WHERE ${inJsonList(contracts.providerId, providerIds)})`;

/** The SQL condition selecting the supervisees a scope may see (undefined: all). */
export function scopeCondition(scope: SuperviseeScope): SQL | undefined {
  if (scope.all) return undefined;
  const parts: SQL[] = [];
  if (scope.townshipIds.length) parts.push(inJsonList(supervisees.townshipId, scope.townshipIds));
  if (scope.providerIds.length) parts.push(sql`${supervisees.id} IN ${servedByProviders(scope.providerIds)}`);
  return parts.length ? or(...parts) : sql`0`;
}

export const visibleById = (scope: SuperviseeScope, id: string) =>
  and(eq(supervisees.id, id), scopeCondition(scope));
