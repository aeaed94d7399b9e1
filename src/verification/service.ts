/**
 * 回访核查 (issue #4 §6): the township office calls a supervisee back and records whether a
 * provider's service happened and how satisfied they were. The call is itself an activity
 * (`verification_callback`, without provider), written in the same batch as the finding.
 */
import { and, asc, avg, count, desc, eq, gte, lte, type SQL, sql, sum } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import { visibleCondition } from '../activities/access';
import { activityParticipants } from '../activities/schema';
import { type ActivityCtx, buildOfficeActivity, findActivity } from '../activities/service';
import { countyAudit } from '../lib/context';
import { newId } from '../lib/ids';
import { conflict, invalid, Problem } from '../lib/problem';
import { nowInstant } from '../lib/time';
import { type VerificationRow, verificationCallbacks } from './schema';

export type NewCallback = {
  activityId: string;
  superviseeId?: string | undefined;
  calledOn?: string | undefined;
  startTime?: string | undefined;
  durationMinutes?: number | undefined;
  happened: boolean;
  satisfaction?: number | undefined;
  note?: string | undefined;
};

/** A call-back takes a few minutes; the office may say how long it took. */
const DEFAULT_CALL_MINUTES = 10;

export const presentCallback = (r: VerificationRow) => ({
  id: r.id,
  activityId: r.activityId,
  callbackActivityId: r.callbackActivityId,
  superviseeId: r.superviseeId,
  providerId: r.providerId,
  townshipId: r.townshipId,
  serviceOn: r.serviceOn,
  calledOn: r.calledOn,
  happened: r.happened,
  satisfaction: r.satisfaction,
  note: r.note,
  byUserId: r.byUserId,
  createdAt: r.createdAt,
});

export async function recordCallback(a: ActivityCtx, input: NewCallback) {
  let checked: Awaited<ReturnType<typeof findActivity>>;
  try {
    checked = await findActivity(a, input.activityId);
  } catch (e) {
    if (e instanceof Problem && e.status === 404) {
      throw invalid([{ path: 'activityId', message: 'no such activity in your townships' }]);
    }
    throw e;
  }
  if (!checked.providerId) {
    throw invalid([{ path: 'activityId', message: "only a provider's recorded service is verified" }]);
  }
  if (checked.status !== 'active') throw conflict('The activity was voided; there is nothing to verify.');
  const calledOn = input.calledOn ?? a.today;
  if (calledOn > a.today) {
    throw invalid([
      { path: 'calledOn', message: `must not be in the future (today is ${a.today} in the county)` },
    ]);
  }
  if (calledOn < checked.occurredOn) {
    throw invalid([{ path: 'calledOn', message: `must not be before the service (${checked.occurredOn})` }]);
  }
  const participants = await a.db
    .select({ superviseeId: activityParticipants.superviseeId })
    .from(activityParticipants)
    .where(eq(activityParticipants.activityId, checked.id));
  let superviseeId = input.superviseeId ?? null;
  if (superviseeId && !participants.some((p) => p.superviseeId === superviseeId)) {
    throw invalid([{ path: 'superviseeId', message: 'not a participant of the activity checked' }]);
  }
  if (!superviseeId && participants.length > 1) {
    throw invalid([{ path: 'superviseeId', message: 'required: the activity had several participants' }]);
  }
  superviseeId ??= participants[0]?.superviseeId ?? null;

  const built = await buildOfficeActivity(a, {
    type: 'verification_callback',
    occurredOn: calledOn,
    startTime: input.startTime ?? null,
    durationMinutes: input.durationMinutes ?? DEFAULT_CALL_MINUTES,
    townshipId: checked.townshipId,
    participants: superviseeId ? [{ superviseeId }] : [],
  });
  const row: VerificationRow = {
    id: newId(),
    activityId: checked.id,
    callbackActivityId: built.id,
    superviseeId,
    providerId: checked.providerId,
    townshipId: checked.townshipId,
    serviceOn: checked.occurredOn,
    calledOn,
    happened: input.happened,
    satisfaction: input.satisfaction ?? null,
    note: input.note ?? null,
    byUserId: a.actorUserId,
    createdAt: nowInstant(),
  };
  type Stmt = BatchItem<'sqlite'>;
  const stmts: Stmt[] = [
    ...built.stmts,
    a.db.insert(verificationCallbacks).values(row),
    countyAudit(a, {
      action: 'verification.record',
      targetType: 'activity',
      targetId: checked.id,
      detail: { callbackActivityId: built.id, happened: input.happened },
    }),
  ];
  await a.db.batch(stmts as [Stmt, ...Stmt[]]);
  return presentCallback(row);
}

export type CallbackFilter = {
  activityId?: string | undefined;
  providerId?: string | undefined;
  townshipId?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  limit: number;
};

const filters = (a: ActivityCtx, f: Omit<CallbackFilter, 'limit'>, all: boolean): (SQL | undefined)[] => [
  all ? undefined : visibleCondition(a.scope, verificationCallbacks),
  f.activityId ? eq(verificationCallbacks.activityId, f.activityId) : undefined,
  f.providerId ? eq(verificationCallbacks.providerId, f.providerId) : undefined,
  f.townshipId ? eq(verificationCallbacks.townshipId, f.townshipId) : undefined,
  f.from ? gte(verificationCallbacks.serviceOn, f.from) : undefined,
  f.to ? lte(verificationCallbacks.serviceOn, f.to) : undefined,
];

export async function listCallbacks(a: ActivityCtx, f: CallbackFilter) {
  const rows = await a.db
    .select()
    .from(verificationCallbacks)
    .where(and(...filters(a, f, false)))
    .orderBy(desc(verificationCallbacks.serviceOn), asc(verificationCallbacks.id))
    .limit(f.limit);
  return rows.map(presentCallback);
}

/**
 * Per provider, over the services of [from, to]: how many call-backs, how many confirmed the
 * service happened, and the mean satisfaction of those who gave one. `all` is for roles that see
 * the whole county's aggregates (bureau, evaluator).
 */
export async function callbackReport(
  a: ActivityCtx,
  f: { from: string; to: string; providerId?: string | undefined; townshipId?: string | undefined },
  all: boolean,
) {
  const rows = await a.db
    .select({
      providerId: verificationCallbacks.providerId,
      checked: count(),
      activitiesChecked: sql<number>`count(DISTINCT ${verificationCallbacks.activityId})`,
      confirmed: sum(sql`CASE WHEN ${verificationCallbacks.happened} THEN 1 ELSE 0 END`).mapWith(Number),
      rated: count(verificationCallbacks.satisfaction),
      meanSatisfaction: avg(verificationCallbacks.satisfaction).mapWith(Number),
    })
    .from(verificationCallbacks)
    .where(and(...filters(a, f, all)))
    .groupBy(verificationCallbacks.providerId)
    .orderBy(asc(verificationCallbacks.providerId));
  return {
    from: f.from,
    to: f.to,
    items: rows.map((r) => ({
      providerId: r.providerId,
      checked: r.checked,
      activitiesChecked: r.activitiesChecked,
      confirmed: r.confirmed,
      notConfirmed: r.checked - r.confirmed,
      rated: r.rated,
      meanSatisfaction: r.rated ? Math.round(r.meanSatisfaction * 100) / 100 : null,
    })),
  };
}
