/**
 * Assignments (issue #4 §2): which provider, and which of its workers, serves a supervisee, from
 * when to when. The bureau assigns any provider serving the county; a provider admin assigns its
 * own workers to the supervisees its provider already serves. A supervisee has at most one
 * assignment per provider on any day, so "who is responsible today" has one answer.
 */
import { and, asc, eq, gte, isNull, lte, or, type SQL, sql } from 'drizzle-orm';
import { type ActorScope, actorScope } from '../activities/access';
import type { Membership } from '../auth/roles';
import type { ControlDb } from '../db';
import { batchAssert, isGuardFailure } from '../db/guard';
import { type CountyCtx, countyAudit } from '../lib/context';
import { newId } from '../lib/ids';
import { conflict, forbidden, invalid, notFound } from '../lib/problem';
import { nowInstant } from '../lib/time';
import { isProviderStaff, providerServesCounty } from '../providers/staff';
import { servedByProviders } from '../supervisees/access';
import { assignments, type SuperviseeRow, supervisees } from '../supervisees/schema';

export type AssignmentCtx = CountyCtx & { control: ControlDb; scope: ActorScope };

export const assignmentCtx = (
  k: CountyCtx,
  control: ControlDb,
  memberships: readonly Membership[],
): AssignmentCtx => ({ ...k, control, scope: actorScope(k.actorUserId, memberships) });

type AssignmentRow = typeof assignments.$inferSelect;

export const presentAssignment = (r: AssignmentRow) => ({
  id: r.id,
  superviseeId: r.superviseeId,
  providerId: r.providerId,
  workerUserId: r.workerUserId,
  from: r.fromDate,
  to: r.toDate,
  createdBy: r.createdBy,
  createdAt: r.createdAt,
});

const FOREVER = '9999-12-31';

/** No other assignment of the supervisee to the provider overlaps [from, to]. */
const noOverlap = (
  k: CountyCtx,
  r: { superviseeId: string; providerId: string; from: string; to: string | null; id: string },
) =>
  batchAssert(
    k.db,
    sql`NOT EXISTS (SELECT 1 FROM assignments WHERE supervisee_id = ${r.superviseeId} AND provider_id = ${r.providerId}
      AND id <> ${r.id} AND from_date <= ${r.to ?? FOREVER} AND coalesce(to_date, ${FOREVER}) >= ${r.from})`,
    'overlap',
  );

function checkRange(s: SuperviseeRow, from: string, to: string | null) {
  if (to !== null && to < from) throw invalid([{ path: 'to', message: 'must not be before from' }]);
  if (from > s.termEnd || (to ?? FOREVER) < s.termStart) {
    throw invalid([
      { path: 'from', message: `must overlap the correction term ${s.termStart} … ${s.termEnd}` },
    ]);
  }
}

async function checkWorker(a: AssignmentCtx, providerId: string, workerUserId: string | null) {
  if (workerUserId === null) return;
  if (!(await isProviderStaff(a.control, a.county.slug, workerUserId, providerId, ['provider_worker']))) {
    throw invalid([{ path: 'workerUserId', message: 'not a social worker of this provider in this county' }]);
  }
}

export async function createAssignment(
  a: AssignmentCtx,
  s: SuperviseeRow,
  input: { providerId: string; workerUserId?: string | undefined; from: string; to?: string | undefined },
) {
  if (!a.scope.bureau) {
    if (!a.scope.adminOf.includes(input.providerId)) {
      throw forbidden("You assign your own provider's workers only.");
    }
    const served = await a.db
      .select({ id: supervisees.id })
      .from(supervisees)
      .where(
        and(eq(supervisees.id, s.id), sql`${supervisees.id} IN ${servedByProviders([input.providerId])}`),
      );
    if (!served[0]) throw notFound('supervisee');
  } else if (!(await providerServesCounty(a.control, input.providerId, a.county.slug))) {
    throw invalid([{ path: 'providerId', message: 'this provider does not serve the county' }]);
  }
  const to = input.to ?? null;
  checkRange(s, input.from, to);
  await checkWorker(a, input.providerId, input.workerUserId ?? null);
  const row: AssignmentRow = {
    id: newId(),
    superviseeId: s.id,
    providerId: input.providerId,
    workerUserId: input.workerUserId ?? null,
    fromDate: input.from,
    toDate: to,
    createdBy: a.actorUserId,
    createdAt: nowInstant(),
  };
  try {
    await a.db.batch([
      noOverlap(a, { ...row, from: row.fromDate, to }),
      a.db.insert(assignments).values(row),
      countyAudit(a, {
        action: 'assignment.create',
        targetType: 'assignment',
        targetId: row.id,
        detail: { superviseeId: s.id, providerId: row.providerId, workerUserId: row.workerUserId },
      }),
    ]);
  } catch (e) {
    if (isGuardFailure(e)) {
      throw conflict(
        'The supervisee is already assigned to this provider for part of that period; end or change that assignment.',
      );
    }
    throw e;
  }
  return presentAssignment(row);
}

/** The assignments the caller may see, as an SQL condition (undefined: all). */
function visible(scope: ActorScope): SQL | undefined {
  if (scope.bureau) return undefined;
  const parts: SQL[] = [];
  if (scope.providerIds.length) {
    parts.push(sql`${assignments.providerId} IN ${scope.providerIds}`);
  }
  if (scope.townshipIds.length) {
    parts.push(
      sql`${assignments.superviseeId} IN (SELECT id FROM supervisees WHERE township_id IN ${scope.townshipIds})`,
    );
  }
  return parts.length ? or(...parts) : sql`0`;
}

export async function findAssignment(a: AssignmentCtx, id: string) {
  const row = (
    await a.db
      .select()
      .from(assignments)
      .where(and(eq(assignments.id, id), visible(a.scope)))
      .limit(1)
  )[0];
  if (!row) throw notFound('assignment');
  return row;
}

export async function patchAssignment(
  a: AssignmentCtx,
  row: AssignmentRow,
  patch: {
    from?: string | undefined;
    to?: string | null | undefined;
    workerUserId?: string | null | undefined;
  },
) {
  if (!a.scope.bureau && !a.scope.adminOf.includes(row.providerId)) {
    throw forbidden("You change your own provider's assignments only.");
  }
  const s = (await a.db.select().from(supervisees).where(eq(supervisees.id, row.superviseeId)))[0]!;
  const from = patch.from ?? row.fromDate;
  const to = patch.to !== undefined ? patch.to : row.toDate;
  checkRange(s, from, to);
  const workerUserId = patch.workerUserId !== undefined ? patch.workerUserId : row.workerUserId;
  if (workerUserId !== row.workerUserId) await checkWorker(a, row.providerId, workerUserId);
  try {
    const [, updated] = await a.db.batch([
      noOverlap(a, { id: row.id, superviseeId: row.superviseeId, providerId: row.providerId, from, to }),
      a.db
        .update(assignments)
        .set({ fromDate: from, toDate: to, workerUserId })
        .where(eq(assignments.id, row.id))
        .returning(),
      countyAudit(a, {
        action: 'assignment.update',
        targetType: 'assignment',
        targetId: row.id,
        detail: { fields: Object.keys(patch) },
      }),
    ]);
    return presentAssignment(updated[0]!);
  } catch (e) {
    if (isGuardFailure(e)) {
      throw conflict('That period overlaps another assignment of the supervisee to this provider.');
    }
    throw e;
  }
}

export type AssignmentFilter = {
  superviseeId?: string | undefined;
  providerId?: string | undefined;
  workerUserId?: string | undefined;
  activeOn?: string | undefined;
  limit: number;
};

export async function listAssignments(a: AssignmentCtx, f: AssignmentFilter) {
  const rows = await a.db
    .select()
    .from(assignments)
    .where(
      and(
        visible(a.scope),
        f.superviseeId ? eq(assignments.superviseeId, f.superviseeId) : undefined,
        f.providerId ? eq(assignments.providerId, f.providerId) : undefined,
        f.workerUserId ? eq(assignments.workerUserId, f.workerUserId) : undefined,
        f.activeOn
          ? and(
              lte(assignments.fromDate, f.activeOn),
              or(isNull(assignments.toDate), gte(assignments.toDate, f.activeOn)),
            )
          : undefined,
      ),
    )
    .orderBy(asc(assignments.superviseeId), asc(assignments.fromDate))
    .limit(f.limit);
  return rows.map(presentAssignment);
}
