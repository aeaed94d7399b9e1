/**
 * Flags for reviewers (issue #4): the same supervisee in two activities that overlap in time, the
 * same worker in two places at once, and — when start times are missing — the same supervisee
 * given the same service twice on one day. Flags never block a record: the township office
 * judges them when it reviews the ledger.
 */
import { and, between, eq, inArray, isNotNull } from 'drizzle-orm';
import { chunkForParams } from '../db/chunks';
import type { CountyDb } from '../env';
import { addDays, toDayNumber } from '../rules';
import { type ActorScope, canSee } from './access';
import { activities, activityParticipants } from './schema';

export type FlagKind = 'supervisee_overlap' | 'staff_overlap' | 'possible_duplicate';

export type Flag = {
  kind: FlagKind;
  /** The other activity; null when it is outside the caller's scope (another provider's). */
  otherActivityId: string | null;
  superviseeId?: string;
  staffUserId?: string;
};

export type Subject = {
  id: string;
  type: string;
  occurredOn: string;
  startTime: string | null;
  durationMinutes: number;
  staffUserId: string | null;
  superviseeIds: readonly string[];
};

type Other = Subject & { providerId: string | null; townshipId: string };

/** Minutes since an epoch, so that activities across midnight compare correctly. */
const startMinute = (a: { occurredOn: string; startTime: string | null }) => {
  if (!a.startTime) return null;
  const [h, m] = a.startTime.split(':').map(Number) as [number, number];
  return toDayNumber(a.occurredOn) * 1440 + h * 60 + m;
};

const overlaps = (a: Subject, b: Subject) => {
  const sa = startMinute(a);
  const sb = startMinute(b);
  if (sa === null || sb === null) return false;
  return sa < sb + b.durationMinutes && sb < sa + a.durationMinutes;
};

/** Flags of each subject against the county's active activities (bounded queries, no query per row). */
export async function flagsFor(
  db: CountyDb,
  scope: ActorScope,
  subjects: readonly Subject[],
): Promise<Map<string, Flag[]>> {
  const out = new Map<string, Flag[]>();
  if (subjects.length === 0) return out;
  const days = subjects.map((s) => s.occurredOn).sort();
  // An activity may run past midnight into the next day.
  const from = addDays(days[0]!, -1);
  const to = addDays(days.at(-1)!, 1);
  const superviseeIds = [...new Set(subjects.flatMap((s) => s.superviseeIds))];
  const staffIds = [...new Set(subjects.map((s) => s.staffUserId).filter((x): x is string => !!x))];

  const others = new Map<string, Other>();
  const bySupervisee = new Map<string, Other[]>();
  const byStaff = new Map<string, Other[]>();
  const fields = {
    id: activities.id,
    type: activities.type,
    occurredOn: activities.occurredOn,
    startTime: activities.startTime,
    durationMinutes: activities.durationMinutes,
    staffUserId: activities.staffUserId,
    providerId: activities.providerId,
    townshipId: activities.townshipId,
  };
  const remember = (r: Omit<Other, 'superviseeIds'>) => {
    let o = others.get(r.id);
    if (!o) {
      o = { ...r, superviseeIds: [] };
      others.set(r.id, o);
    }
    return o;
  };

  // Beside the ids, each statement binds the status and the two days.
  for (const chunk of chunkForParams(superviseeIds, 1, 3)) {
    const rows = await db
      .select({ ...fields, superviseeId: activityParticipants.superviseeId })
      .from(activityParticipants)
      .innerJoin(activities, eq(activities.id, activityParticipants.activityId))
      .where(
        and(
          inArray(activityParticipants.superviseeId, chunk),
          eq(activities.status, 'active'),
          between(activities.occurredOn, from, to),
        ),
      );
    for (const { superviseeId, ...r } of rows) {
      const o = remember(r);
      (o.superviseeIds as string[]).push(superviseeId);
      const list = bySupervisee.get(superviseeId) ?? [];
      list.push(o);
      bySupervisee.set(superviseeId, list);
    }
  }
  for (const chunk of chunkForParams(staffIds, 1, 3)) {
    const rows = await db
      .select(fields)
      .from(activities)
      .where(
        and(
          inArray(activities.staffUserId, chunk),
          eq(activities.status, 'active'),
          isNotNull(activities.startTime),
          between(activities.occurredOn, from, to),
        ),
      );
    for (const r of rows) {
      const o = remember(r);
      const list = byStaff.get(r.staffUserId!) ?? [];
      list.push(o);
      byStaff.set(r.staffUserId!, list);
    }
  }

  const visibleId = (o: Other) => (canSee(scope, o) ? o.id : null);
  for (const s of subjects) {
    const flags: Flag[] = [];
    const seen = new Set<string>();
    const add = (f: Flag, key: string) => {
      if (seen.has(key)) return;
      seen.add(key);
      flags.push(f);
    };
    for (const superviseeId of s.superviseeIds) {
      for (const o of bySupervisee.get(superviseeId) ?? []) {
        if (o.id === s.id) continue;
        if (overlaps(s, o)) {
          add(
            { kind: 'supervisee_overlap', otherActivityId: visibleId(o), superviseeId },
            `s|${o.id}|${superviseeId}`,
          );
        } else if (
          o.type === s.type &&
          o.occurredOn === s.occurredOn &&
          (s.startTime === null || o.startTime === null)
        ) {
          add(
            { kind: 'possible_duplicate', otherActivityId: visibleId(o), superviseeId },
            `d|${o.id}|${superviseeId}`,
          );
        }
      }
    }
    if (s.staffUserId) {
      for (const o of byStaff.get(s.staffUserId) ?? []) {
        if (o.id !== s.id && overlaps(s, o)) {
          add(
            { kind: 'staff_overlap', otherActivityId: visibleId(o), staffUserId: s.staffUserId },
            `w|${o.id}`,
          );
        }
      }
    }
    out.set(s.id, flags);
  }
  return out;
}
