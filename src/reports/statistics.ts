/**
 * Service statistics per activity type (API.md "Statistics"): sessions (场次) = activities,
 * person-times (人次) = participants, hours = the participants' minutes / 60, over [from, to],
 * voided activities and amended originals left out. Two aggregate queries, whatever the volume:
 * one over activities (sessions, service time, aid), one over participants (person-times).
 * Besides API.md's fields each item carries what the case study's 三(一) table needs:
 * key-person person-times (重点对象, as flagged on the activity's day) and distinct persons.
 */
import { and, eq, gte, lte, or, type SQL, sql } from 'drizzle-orm';
import { activities, activityParticipants, customActivityTypes } from '../activities/schema';
import { inJsonList } from '../db/chunks';
import type { CountyDb } from '../env';
import { ACTIVITY_TYPE_LABELS, BASE_ACTIVITY_TYPES, isBaseActivityType } from '../rules';
import type { ReportScope } from './scope';

export const GROUP_BY = ['provider', 'township', 'month'] as const;
export type GroupBy = (typeof GROUP_BY)[number];

/** The field each item carries its group in. */
export const GROUP_FIELD = { provider: 'providerId', township: 'townshipId', month: 'month' } as const;

export type StatisticsItem = {
  type: string;
  label: string;
  providerId?: string | null;
  townshipId?: string;
  month?: string;
  sessions: number;
  personTimes: number;
  hours: number;
  minutes: number;
  persons: number;
  keyPersonTimes: number;
  serviceHours: number;
  aidAmountFen: number;
};

function scopeCondition(scope: ReportScope): SQL | undefined {
  if (scope.all) return undefined;
  const parts: SQL[] = [];
  // One JSON parameter a list (src/db/chunks.ts inJsonList): a membership carries up to 100
  // townships, beside the report's dates and types.
  if (scope.townshipIds.length) parts.push(inJsonList(activities.townshipId, scope.townshipIds));
  if (scope.providerIds.length) parts.push(inJsonList(activities.providerId, scope.providerIds));
  return parts.length ? or(...parts) : sql`0`;
}

const groupExpression = (groupBy: GroupBy | undefined): SQL | undefined => {
  switch (groupBy) {
    case 'provider':
      return sql`${activities.providerId}`;
    case 'township':
      return sql`${activities.townshipId}`;
    case 'month':
      return sql`substr(${activities.occurredOn}, 1, 7)`;
    default:
      return undefined;
  }
};

/** Whether the participant was a key person on the activity's day (effective-dated flag). */
const keyPersonOnTheDay = sql<number>`coalesce((
  SELECT f.value FROM supervisee_flags f
  WHERE f.supervisee_id = ${activityParticipants.superviseeId} AND f.flag = 'key_person'
    AND f.effective_from <= ${activities.occurredOn}
  ORDER BY f.effective_from DESC, f.created_at DESC LIMIT 1), 0)`;

const TYPE_ORDER = new Map<string, number>(BASE_ACTIVITY_TYPES.map((t, i) => [t, i]));

export async function statistics(
  db: CountyDb,
  scope: ReportScope,
  q: { from: string; to: string; groupBy?: GroupBy | undefined },
): Promise<StatisticsItem[]> {
  const group = groupExpression(q.groupBy);
  const where = and(
    eq(activities.status, 'active'),
    gte(activities.occurredOn, q.from),
    lte(activities.occurredOn, q.to),
    // An amendment replaces the confirmed activity it corrects (which is kept, not voided):
    // count the correction, not both. NOT IN over a non-correlated subquery is evaluated once.
    sql`${activities.id} NOT IN (SELECT amends FROM activities WHERE amends IS NOT NULL AND status = 'active')`,
    scopeCondition(scope),
  );
  const groupKey = group ?? sql`NULL`;
  const groupCols = group ? [activities.type, group] : [activities.type];

  const [sessions, participants, custom] = await db.batch([
    db
      .select({
        type: activities.type,
        group: sql<string | null>`${groupKey}`,
        sessions: sql<number>`count(*)`,
        serviceMinutes: sql<number>`coalesce(sum(${activities.durationMinutes}), 0)`,
        aidAmountFen: sql<number>`coalesce(sum(${activities.aidAmountFen}), 0)`,
      })
      .from(activities)
      .where(where)
      .groupBy(...groupCols),
    db
      .select({
        type: activities.type,
        group: sql<string | null>`${groupKey}`,
        personTimes: sql<number>`count(*)`,
        minutes: sql<number>`coalesce(sum(${activityParticipants.minutes}), 0)`,
        persons: sql<number>`count(DISTINCT ${activityParticipants.superviseeId})`,
        keyPersonTimes: sql<number>`coalesce(sum(${keyPersonOnTheDay}), 0)`,
      })
      .from(activityParticipants)
      .innerJoin(activities, eq(activities.id, activityParticipants.activityId))
      .where(where)
      .groupBy(...groupCols),
    db
      .select({ code: customActivityTypes.code, labelZh: customActivityTypes.labelZh })
      .from(customActivityTypes),
  ]);

  const labels = new Map(custom.map((c) => [c.code, c.labelZh]));
  const labelOf = (type: string) =>
    isBaseActivityType(type) ? ACTIVITY_TYPE_LABELS[type].zh : (labels.get(type) ?? type);
  const keyOf = (type: string, g: string | null) => `${g ?? ''}\u0000${type}`;
  const byKey = new Map(participants.map((p) => [keyOf(p.type, p.group), p]));

  const items = sessions.map((s): StatisticsItem => {
    const p = byKey.get(keyOf(s.type, s.group));
    const minutes = Number(p?.minutes ?? 0);
    return {
      type: s.type,
      label: labelOf(s.type),
      ...(q.groupBy ? { [GROUP_FIELD[q.groupBy]]: s.group } : {}),
      sessions: Number(s.sessions),
      personTimes: Number(p?.personTimes ?? 0),
      hours: minutes / 60,
      minutes,
      persons: Number(p?.persons ?? 0),
      keyPersonTimes: Number(p?.keyPersonTimes ?? 0),
      serviceHours: Number(s.serviceMinutes) / 60,
      aidAmountFen: Number(s.aidAmountFen),
    };
  });
  const rank = (t: string) => TYPE_ORDER.get(t) ?? TYPE_ORDER.size;
  return items.sort((a, b) => {
    if (q.groupBy) {
      const ga = String(a[GROUP_FIELD[q.groupBy]] ?? '');
      const gb = String(b[GROUP_FIELD[q.groupBy]] ?? '');
      if (ga !== gb) return ga < gb ? -1 : 1;
    }
    return rank(a.type) - rank(b.type) || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0);
  });
}
