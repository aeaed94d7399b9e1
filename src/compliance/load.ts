/**
 * Everything the rules engine needs for a set of supervisees over a range, in one round trip of
 * a fixed number of statements whatever the number of supervisees: the supervisees, their level
 * and flag histories, and their activities within the reach of the range (src/compliance/reach.ts).
 * No statement lists supervisee ids: each one selects them with the same subquery, so the
 * 100-parameter cap of D1 is never approached however large the county.
 */
import { and, asc, gte, inArray, lte, ne, or, type SQL, type SQLWrapper, sql } from 'drizzle-orm';
import { activities, activityParticipants } from '../activities/schema';
import type { CountyDb } from '../env';
import type {
  ActivityFact,
  CivilDate,
  EffectiveFlag,
  EffectiveLevel,
  PublishedRuleSet,
  SuperviseeFacts,
} from '../rules';
import { superviseeFlags, superviseeLevels, supervisees } from '../supervisees/schema';
import { complianceReach, type RollingLookBack, type TypeRange } from './reach';

export interface SuperviseeSummary {
  id: string;
  caseNumber: string;
  name: string;
  townshipId: string;
  termStart: string;
  termEnd: string;
}

export interface EngineInput {
  supervisee: SuperviseeFacts;
  activities: ActivityFact[];
}

export interface LoadedFacts {
  /** In case-number order. */
  supervisees: SuperviseeSummary[];
  /** Parallel to `supervisees`. */
  inputs: EngineInput[];
}

export interface LoadRequest {
  from: CivilDate;
  to: CivilDate;
  /** The histories the answer will be computed under (the preview compares two). */
  histories: readonly (readonly PublishedRuleSet[])[];
  /** Which supervisees: a condition on `supervisees` (scope, township, provider, worker…). */
  filter?: SQL | undefined;
}

/** Bound parameters kept free for the supervisee filter and dates of each statement. */
const TYPE_PARAMS_PER_STATEMENT = 60;

/** Type ranges packed into statements of at most TYPE_PARAMS_PER_STATEMENT types each. */
function packRanges(ranges: readonly TypeRange[]): TypeRange[][] {
  const packs: TypeRange[][] = [];
  let current: TypeRange[] = [];
  let size = 0;
  for (const range of ranges) {
    for (let i = 0; i < range.types.length; i += TYPE_PARAMS_PER_STATEMENT) {
      const part = { ...range, types: range.types.slice(i, i + TYPE_PARAMS_PER_STATEMENT) };
      if (size + part.types.length > TYPE_PARAMS_PER_STATEMENT && current.length) {
        packs.push(current);
        current = [];
        size = 0;
      }
      current.push(part);
      size += part.types.length;
    }
  }
  if (current.length) packs.push(current);
  return packs;
}

const notVoided = ne(activities.status, 'voided');

function activityQuery(db: CountyDb, ids: SQL, pack: readonly TypeRange[]) {
  return db
    .select({
      activityId: activities.id,
      superviseeId: activityParticipants.superviseeId,
      type: activities.type,
      occurredOn: activities.occurredOn,
      minutes: activityParticipants.minutes,
    })
    .from(activityParticipants)
    .innerJoin(activities, sql`${activities.id} = ${activityParticipants.activityId}`)
    .where(
      and(
        notVoided,
        sql`${activityParticipants.superviseeId} IN (${ids})`,
        or(
          ...pack.map((r) =>
            and(
              inArray(activities.type, r.types),
              gte(activities.occurredOn, r.lo),
              lte(activities.occurredOn, r.hi),
            ),
          ),
        ),
      ),
    );
}

/** Per supervisee, the most recent qualifying activities before `before`, as many as the anchor can need. */
function lookBackQuery(db: CountyDb, ids: SQL, need: RollingLookBack) {
  const newestFirst = sql`PARTITION BY ${activityParticipants.superviseeId} ORDER BY ${activities.occurredOn} DESC, ${activities.id}`;
  const recent = db
    .select({
      activityId: sql<string>`${activities.id}`.as('activity_id'),
      superviseeId: sql<string>`${activityParticipants.superviseeId}`.as('supervisee_id'),
      type: sql<string>`${activities.type}`.as('type'),
      occurredOn: sql<string>`${activities.occurredOn}`.as('occurred_on'),
      minutes: sql<number>`${activityParticipants.minutes}`.as('minutes'),
      rank: sql<number>`row_number() OVER (${newestFirst})`.as('rank'),
      minutesBefore: sql<number>`coalesce(sum(${activityParticipants.minutes}) OVER (${newestFirst}
        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)`.as('minutes_before'),
    })
    .from(activityParticipants)
    .innerJoin(activities, sql`${activities.id} = ${activityParticipants.activityId}`)
    .where(
      and(
        notVoided,
        sql`${activities.occurredOn} < ${need.before}`,
        inArray(activities.type, need.types),
        sql`${activityParticipants.superviseeId} IN (${ids})`,
      ),
    )
    .as('recent');
  return db
    .select({
      activityId: recent.activityId,
      superviseeId: recent.superviseeId,
      type: recent.type,
      occurredOn: recent.occurredOn,
      minutes: recent.minutes,
    })
    .from(recent)
    .where(
      need.measure === 'count'
        ? sql`${recent.rank} <= ${need.min}`
        : sql`${recent.minutesBefore} < ${Math.ceil(need.min * 60)}`,
    );
}

type ActivityRow = {
  activityId: string;
  superviseeId: string;
  type: string;
  occurredOn: string;
  minutes: number;
};

export async function loadFacts(db: CountyDb, request: LoadRequest): Promise<LoadedFacts> {
  const reach = complianceReach(request.histories, request.from, request.to);
  // A supervisee whose term misses the whole reach can have no item in the range.
  const selection = and(
    lte(supervisees.termStart, reach.hi),
    gte(supervisees.termEnd, reach.lo),
    request.filter,
  );
  const ids = sql`SELECT ${supervisees.id} FROM ${supervisees} WHERE ${selection}`;
  const inSelection = (column: SQLWrapper) => sql`${column} IN (${ids})`;

  const statements = [
    db
      .select({
        id: supervisees.id,
        caseNumber: supervisees.caseNumber,
        name: supervisees.name,
        townshipId: supervisees.townshipId,
        termStart: supervisees.termStart,
        termEnd: supervisees.termEnd,
        sentenceType: supervisees.sentenceType,
        level: supervisees.level,
        keyPerson: supervisees.keyPerson,
        ableToWork: supervisees.ableToWork,
      })
      .from(supervisees)
      .where(selection)
      .orderBy(asc(supervisees.caseNumber), asc(supervisees.id)),
    db
      .select({
        superviseeId: superviseeLevels.superviseeId,
        level: superviseeLevels.level,
        effectiveFrom: superviseeLevels.effectiveFrom,
      })
      .from(superviseeLevels)
      .where(inSelection(superviseeLevels.superviseeId))
      // Changes recorded on the same day apply in the order they were made: the last one wins.
      .orderBy(asc(superviseeLevels.effectiveFrom), asc(superviseeLevels.createdAt), sql`rowid`),
    db
      .select({
        superviseeId: superviseeFlags.superviseeId,
        flag: superviseeFlags.flag,
        value: superviseeFlags.value,
        effectiveFrom: superviseeFlags.effectiveFrom,
      })
      .from(superviseeFlags)
      .where(inSelection(superviseeFlags.superviseeId))
      .orderBy(asc(superviseeFlags.effectiveFrom), asc(superviseeFlags.createdAt), sql`rowid`),
    ...packRanges(reach.ranges).map((pack) => activityQuery(db, ids, pack)),
    ...reach.rolling.map((need) => lookBackQuery(db, ids, need)),
  ] as const;
  const results = (await db.batch(
    statements as unknown as Parameters<typeof db.batch>[0],
  )) as unknown as unknown[];
  const [svRows, levelRows, flagRows, ...activityResults] = results as [
    Awaited<(typeof statements)[0]>,
    Awaited<(typeof statements)[1]>,
    Awaited<(typeof statements)[2]>,
    ...ActivityRow[][],
  ];

  type Building = {
    levels: EffectiveLevel[];
    keyPerson: EffectiveFlag[];
    ableToWork: EffectiveFlag[];
    activities: ActivityFact[];
    seen: Set<string>;
  };
  const building = new Map<string, Building>();
  for (const s of svRows)
    building.set(s.id, { levels: [], keyPerson: [], ableToWork: [], activities: [], seen: new Set() });
  for (const l of levelRows)
    building.get(l.superviseeId)?.levels.push({ level: l.level, effectiveFrom: l.effectiveFrom });
  for (const f of flagRows) {
    const b = building.get(f.superviseeId);
    (f.flag === 'key_person' ? b?.keyPerson : b?.ableToWork)?.push({
      value: Boolean(f.value),
      effectiveFrom: f.effectiveFrom,
    });
  }
  for (const rows of activityResults) {
    for (const a of rows) {
      const b = building.get(a.superviseeId);
      // A rolling look-back can return an activity the range query already has.
      if (!b || b.seen.has(a.activityId)) continue;
      b.seen.add(a.activityId);
      b.activities.push({ id: a.activityId, type: a.type, occurredOn: a.occurredOn, minutes: a.minutes });
    }
  }
  const summaries: SuperviseeSummary[] = [];
  const inputs: EngineInput[] = [];
  for (const s of svRows) {
    const b = building.get(s.id)!;
    summaries.push({
      id: s.id,
      caseNumber: s.caseNumber,
      name: s.name,
      townshipId: s.townshipId,
      termStart: s.termStart,
      termEnd: s.termEnd,
    });
    // A record without history (imported, or written before histories were kept) holds its
    // current values over the whole term.
    inputs.push({
      supervisee: {
        id: s.id,
        termStart: s.termStart,
        termEnd: s.termEnd,
        sentenceType: s.sentenceType,
        levels: b.levels.length ? b.levels : [{ level: s.level, effectiveFrom: s.termStart }],
        keyPerson: b.keyPerson.length ? b.keyPerson : [{ value: s.keyPerson, effectiveFrom: s.termStart }],
        ableToWork: b.ableToWork.length
          ? b.ableToWork
          : [{ value: s.ableToWork, effectiveFrom: s.termStart }],
      },
      activities: b.activities,
    });
  }
  return { supervisees: summaries, inputs };
}
