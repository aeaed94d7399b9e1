/**
 * Everything the rules engine needs for a set of supervisees over a range, in one round trip of
 * a fixed number of statements whatever the number of supervisees: the supervisees, their level
 * and flag histories, and their activities within the reach of the range (src/compliance/reach.ts).
 *
 * No statement lists supervisee ids, so D1's 100-parameter cap is never approached however large
 * the county: histories join `supervisees` under the selection, activities are kept when
 * `supervisee_id IN (SELECT …)`. Which index drives the activity statements is chosen with a
 * unary plus (`+column` hides a column's index from SQLite's planner):
 * - a county or a scope: the (type, occurred_on) index, one statement per group of types, each
 *   activity kept when `+supervisee_id IN (…)`. Left to itself, SQLite instead probes the
 *   participants' key with every selected id for every activity: a minute for 3,000 supervisees.
 * - one supervisee: the participants' supervisee index, with `+type` and `+occurred_on`;
 *   otherwise SQLite reads the whole county's month to find one person's activities.
 */
import { and, asc, gte, lte, ne, type SQL, type SQLWrapper, sql } from 'drizzle-orm';
import { activities, activityParticipants } from '../activities/schema';
import { chunkForParams } from '../db/chunks';
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
  /** The filter selects one supervisee: read their activities through their own index. */
  one?: boolean;
}

/** How activity statements select and which index they leave to SQLite (see the top). */
interface Steering {
  /** `supervisee_id IN (selected ids)`, with or without the plus. */
  selected: SQL;
  type: SQL;
  day: SQL;
}

const list = (values: readonly string[]) =>
  sql`(${sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  )})`;

/**
 * Parameters a statement binds besides its types: the supervisee filter (whose lists are one JSON
 * parameter each, src/compliance/scope.ts) and the dates, well under this.
 */
const OTHER_PARAMS = 40;

/** Splits each group's types so that no statement carries more than 100 − OTHER_PARAMS of them. */
function split<T extends { types: string[] }>(groups: readonly T[]): T[] {
  return groups.flatMap((g) => chunkForParams(g.types, 1, OTHER_PARAMS).map((types) => ({ ...g, types })));
}

const notVoided = ne(activities.status, 'voided');

/**
 * One row per supervisee with their activities as a JSON array of [day, type, minutes]: a county
 * month is tens of thousands of activities, which D1 answers faster as a few thousand rows.
 */
const asJson = (day: SQLWrapper, type: SQLWrapper, minutes: SQLWrapper) =>
  sql<string>`json_group_array(json_array(${day}, ${type}, ${minutes}))`;

function activityQuery(db: CountyDb, steer: Steering, range: TypeRange) {
  return db
    .select({
      superviseeId: activityParticipants.superviseeId,
      activities: asJson(activities.occurredOn, activities.type, activityParticipants.minutes),
    })
    .from(activities)
    .innerJoin(activityParticipants, sql`${activityParticipants.activityId} = ${activities.id}`)
    .where(
      and(
        sql`${steer.type} IN ${list(range.types)}`,
        sql`${steer.day} >= ${range.lo}`,
        sql`${steer.day} <= ${range.hi}`,
        notVoided,
        steer.selected,
      ),
    )
    .groupBy(activityParticipants.superviseeId);
}

/**
 * Per supervisee, the most recent of the qualifying activities the ranges leave out, as many as
 * a rolling anchor can need. Read part by part it stays exact: whatever is among the most recent
 * overall is among the most recent of its own part.
 */
function lookBackQuery(
  db: CountyDb,
  steer: Steering,
  need: RollingLookBack,
  part: RollingLookBack['parts'][number],
) {
  const newestFirst = sql`PARTITION BY ${activityParticipants.superviseeId} ORDER BY ${activities.occurredOn} DESC, ${activities.id}`;
  const recent = db
    .select({
      superviseeId: sql<string>`${activityParticipants.superviseeId}`.as('supervisee_id'),
      type: sql<string>`${activities.type}`.as('type'),
      occurredOn: sql<string>`${activities.occurredOn}`.as('occurred_on'),
      minutes: sql<number>`${activityParticipants.minutes}`.as('minutes'),
      rank: sql<number>`row_number() OVER (${newestFirst})`.as('rank'),
      minutesBefore: sql<number>`coalesce(sum(${activityParticipants.minutes}) OVER (${newestFirst}
        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)`.as('minutes_before'),
    })
    .from(activities)
    .innerJoin(activityParticipants, sql`${activityParticipants.activityId} = ${activities.id}`)
    .where(
      and(
        sql`${steer.type} IN ${list(part.types)}`,
        sql`${steer.day} < ${part.before}`,
        notVoided,
        steer.selected,
      ),
    )
    .as('recent');
  return db
    .select({
      superviseeId: recent.superviseeId,
      activities: asJson(recent.occurredOn, recent.type, recent.minutes),
    })
    .from(recent)
    .where(
      need.measure === 'count'
        ? sql`${recent.rank} <= ${need.min}`
        : sql`${recent.minutesBefore} < ${Math.ceil(need.min * 60)}`,
    )
    .groupBy(sql`${recent.superviseeId}`);
}

type ActivityRows = { superviseeId: string; activities: string };

export async function loadFacts(db: CountyDb, request: LoadRequest): Promise<LoadedFacts> {
  const reach = complianceReach(request.histories, request.from, request.to);
  // A supervisee whose term misses the whole reach can have no item in the range.
  const selection = and(
    lte(supervisees.termStart, reach.hi),
    gte(supervisees.termEnd, reach.lo),
    request.filter,
  );
  const ids = sql`(SELECT ${supervisees.id} FROM ${supervisees} WHERE ${selection})`;
  const steer: Steering = request.one
    ? {
        selected: sql`${activityParticipants.superviseeId} IN ${ids}`,
        type: sql`+${activities.type}`,
        day: sql`+${activities.occurredOn}`,
      }
    : {
        selected: sql`+${activityParticipants.superviseeId} IN ${ids}`,
        type: sql`${activities.type}`,
        day: sql`${activities.occurredOn}`,
      };

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
      .innerJoin(supervisees, sql`${supervisees.id} = ${superviseeLevels.superviseeId}`)
      .where(selection)
      // Changes recorded on the same day apply in the order they were made: the last one wins.
      .orderBy(
        asc(superviseeLevels.effectiveFrom),
        asc(superviseeLevels.createdAt),
        sql`${superviseeLevels}.rowid`,
      ),
    db
      .select({
        superviseeId: superviseeFlags.superviseeId,
        flag: superviseeFlags.flag,
        value: superviseeFlags.value,
        effectiveFrom: superviseeFlags.effectiveFrom,
      })
      .from(superviseeFlags)
      .innerJoin(supervisees, sql`${supervisees.id} = ${superviseeFlags.superviseeId}`)
      .where(selection)
      .orderBy(
        asc(superviseeFlags.effectiveFrom),
        asc(superviseeFlags.createdAt),
        sql`${superviseeFlags}.rowid`,
      ),
    ...split(reach.ranges).map((range) => activityQuery(db, steer, range)),
    ...reach.rolling.flatMap((need) => split(need.parts).map((part) => lookBackQuery(db, steer, need, part))),
  ] as const;
  const results = (await db.batch(
    statements as unknown as Parameters<typeof db.batch>[0],
  )) as unknown as unknown[];
  const [svRows, levelRows, flagRows, ...activityResults] = results as [
    Awaited<(typeof statements)[0]>,
    Awaited<(typeof statements)[1]>,
    Awaited<(typeof statements)[2]>,
    ...ActivityRows[][],
  ];

  type Building = {
    levels: EffectiveLevel[];
    keyPerson: EffectiveFlag[];
    ableToWork: EffectiveFlag[];
    activities: ActivityFact[];
  };
  const building = new Map<string, Building>();
  for (const s of svRows) building.set(s.id, { levels: [], keyPerson: [], ableToWork: [], activities: [] });
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
    for (const row of rows) {
      const b = building.get(row.superviseeId);
      if (!b) continue;
      for (const [occurredOn, type, minutes] of JSON.parse(row.activities) as [string, string, number][]) {
        // The engine does not look at ids; these only keep the facts apart.
        b.activities.push({ id: String(b.activities.length), type, occurredOn, minutes });
      }
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
