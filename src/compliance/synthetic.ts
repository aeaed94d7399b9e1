/**
 * A synthetic county for tests and the bench: N supervisees with level and flag histories and
 * about 30 activities each in one month, deterministic for a seed, written into a county database
 * in a few large statements (rows travel as one JSON parameter, unpacked by `json_each`, so no
 * statement comes near D1's 100-parameter cap).
 *
 * `syntheticCounty` only builds the rows (the engine-only bench uses them without a database);
 * `writeSyntheticCounty` writes them. It takes a plain D1Database, so it runs inside workerd
 * (tests) as well as in Node against wrangler's local state (the bench).
 *
 * The personal fields are placeholders, not ciphertext: synthetic supervisees are for compliance
 * and throughput, and must not be opened with GET /supervisees/{id} (decryption would fail).
 */
import { type ActivityFact, addDays, daysInMonth, diffDays, type SuperviseeFacts } from '../rules';

export interface SyntheticOptions {
  /** How many supervisees. */
  supervisees: number;
  /** 'YYYY-MM': the month that gets the activities; every term overlaps it. */
  month: string;
  /** Townships of the county (they must exist in the database). */
  townshipIds: string[];
  /** Activities per supervisee (default 30), dated from `activitiesFrom` to the month's end. */
  activitiesPerSupervisee?: number;
  /** First day activities may fall on (default: the month's first day). */
  activitiesFrom?: string;
  /** Level codes of the county's rule set (default strict/normal/lenient). */
  levels?: string[];
  /** Activity types to draw from (default: those the two presets ask for). */
  types?: string[];
  /** When set, every supervisee is assigned to this provider (and round-robin to `workerUserIds`). */
  providerId?: string;
  workerUserIds?: string[];
  /** Keeps ids and case numbers of several generated sets apart (default 'syn'). */
  prefix?: string;
  seed?: number;
}

export interface SyntheticCounty {
  supervisees: {
    id: string;
    case_number: string;
    name: string;
    gender: 'male' | 'female';
    birth_date: string;
    id_number_enc: string;
    id_number_hash: string;
    township_id: string;
    sentence_type: string;
    term_start: string;
    term_end: string;
    level: string;
    key_person: number;
    able_to_work: number;
  }[];
  levels: { id: string; supervisee_id: string; level: string; effective_from: string; reason: string }[];
  flags: { id: string; supervisee_id: string; flag: string; value: number; effective_from: string }[];
  assignments: {
    id: string;
    supervisee_id: string;
    provider_id: string;
    worker_user_id: string | null;
    from_date: string;
  }[];
  activities: {
    id: string;
    type: string;
    occurred_on: string;
    duration_minutes: number;
    provider_id: string | null;
    township_id: string;
    status: 'active' | 'voided';
  }[];
  participants: { activity_id: string; supervisee_id: string; minutes: number }[];
}

export const SYNTHETIC_TYPES = [
  'home_visit',
  'phone_followup',
  'education',
  'community_service',
  'report_in_person',
  'written_report',
  'individual_education',
  'risk_assessment',
  'psych_assessment',
];
const SENTENCES = ['probation', 'probation', 'probation', 'parole', 'control', 'temporary_release'];

/** A small deterministic generator (LCG), so a seed gives the same county everywhere. */
function random(seed: number) {
  let x = seed >>> 0 || 1;
  return (n: number) => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return (x >>> 8) % n;
  };
}

export function syntheticCounty(o: SyntheticOptions): SyntheticCounty {
  const next = random(o.seed ?? 20260301);
  const prefix = o.prefix ?? 'syn';
  const levels = o.levels ?? ['strict', 'normal', 'lenient'];
  const types = o.types ?? SYNTHETIC_TYPES;
  const perSupervisee = o.activitiesPerSupervisee ?? 30;
  const [y, m] = o.month.split('-').map(Number) as [number, number];
  const monthStart = `${o.month}-01`;
  const monthDays = daysInMonth(y, m);
  const activitiesFrom = o.activitiesFrom ?? monthStart;
  const activityDays = diffDays(activitiesFrom, monthStart) + monthDays;
  const out: SyntheticCounty = {
    supervisees: [],
    levels: [],
    flags: [],
    assignments: [],
    activities: [],
    participants: [],
  };
  for (let i = 0; i < o.supervisees; i++) {
    const id = `${prefix}-sv-${i}`;
    // Terms started up to two years before the month (a few start inside it) and end after it.
    const termStart = addDays(monthStart, next(10) === 0 ? next(monthDays) : -next(730));
    const termEnd = addDays(monthStart, monthDays + 30 + next(700));
    const level = levels[next(levels.length)]!;
    const keyPerson = next(10) === 0;
    const ableToWork = next(5) !== 0;
    const townshipId = o.townshipIds[next(o.townshipIds.length)]!;
    out.supervisees.push({
      id,
      case_number: `${prefix.toUpperCase()}-${String(i).padStart(6, '0')}`,
      name: `合成对象${i}`,
      gender: next(6) === 0 ? 'female' : 'male',
      birth_date: addDays('1960-01-01', next(15_000)),
      id_number_enc: 'synthetic',
      id_number_hash: `synthetic:${id}`,
      township_id: townshipId,
      sentence_type: SENTENCES[next(SENTENCES.length)]!,
      term_start: termStart,
      term_end: termEnd,
      level,
      key_person: keyPerson ? 1 : 0,
      able_to_work: ableToWork ? 1 : 0,
    });
    out.levels.push({
      id: `${id}-l0`,
      supervisee_id: id,
      level,
      effective_from: termStart,
      reason: 'initial',
    });
    // One in five changes level in the middle of the month.
    if (next(5) === 0) {
      const changeOn = addDays(monthStart, 5 + next(20));
      if (changeOn > termStart)
        out.levels.push({
          id: `${id}-l1`,
          supervisee_id: id,
          level: levels[next(levels.length)]!,
          effective_from: changeOn,
          reason: 'review',
        });
    }
    out.flags.push(
      {
        id: `${id}-k`,
        supervisee_id: id,
        flag: 'key_person',
        value: keyPerson ? 1 : 0,
        effective_from: termStart,
      },
      {
        id: `${id}-w`,
        supervisee_id: id,
        flag: 'able_to_work',
        value: ableToWork ? 1 : 0,
        effective_from: termStart,
      },
    );
    if (o.providerId) {
      const workers = o.workerUserIds ?? [];
      out.assignments.push({
        id: `${id}-a`,
        supervisee_id: id,
        provider_id: o.providerId,
        worker_user_id: workers.length ? workers[i % workers.length]! : null,
        from_date: termStart,
      });
    }
    const count = Math.max(0, perSupervisee - 3 + next(7));
    for (let k = 0; k < count; k++) {
      const activityId = `${id}-a${k}`;
      const minutes = 30 + 15 * next(12);
      out.activities.push({
        id: activityId,
        type: types[next(types.length)]!,
        occurred_on: addDays(activitiesFrom, next(activityDays)),
        duration_minutes: minutes,
        provider_id: o.providerId ?? null,
        township_id: townshipId,
        // Now and then a voided record, which must never count.
        status: next(50) === 0 ? 'voided' : 'active',
      });
      out.participants.push({ activity_id: activityId, supervisee_id: id, minutes });
    }
  }
  return out;
}

/** The same county as the engine sees it (voided activities left out), for engine-only runs. */
export function syntheticEngineInput(
  county: SyntheticCounty,
): { supervisee: SuperviseeFacts; activities: ActivityFact[] }[] {
  const byId = new Map<string, { supervisee: SuperviseeFacts; activities: ActivityFact[] }>();
  const mutable = new Map<
    string,
    {
      levels: SuperviseeFacts['levels'][number][];
      keyPerson: SuperviseeFacts['keyPerson'][number][];
      ableToWork: SuperviseeFacts['ableToWork'][number][];
      activities: ActivityFact[];
    }
  >();
  for (const s of county.supervisees) {
    const parts = { levels: [], keyPerson: [], ableToWork: [], activities: [] };
    mutable.set(s.id, parts);
    byId.set(s.id, {
      supervisee: {
        id: s.id,
        termStart: s.term_start,
        termEnd: s.term_end,
        sentenceType: s.sentence_type,
        levels: parts.levels,
        keyPerson: parts.keyPerson,
        ableToWork: parts.ableToWork,
      },
      activities: parts.activities,
    });
  }
  for (const l of county.levels)
    mutable.get(l.supervisee_id)?.levels.push({ level: l.level, effectiveFrom: l.effective_from });
  for (const f of county.flags) {
    const parts = mutable.get(f.supervisee_id);
    (f.flag === 'key_person' ? parts?.keyPerson : parts?.ableToWork)?.push({
      value: f.value === 1,
      effectiveFrom: f.effective_from,
    });
  }
  const activities = new Map(county.activities.map((a) => [a.id, a]));
  for (const p of county.participants) {
    const a = activities.get(p.activity_id)!;
    if (a.status === 'voided') continue;
    mutable
      .get(p.supervisee_id)
      ?.activities.push({ id: a.id, type: a.type, occurredOn: a.occurred_on, minutes: p.minutes });
  }
  return [...byId.values()];
}

/** Rows per statement: one JSON parameter each, well under D1's statement and row size limits. */
const ROWS_PER_STATEMENT = 500;
/** Statements per batch call. */
const STATEMENTS_PER_BATCH = 50;

function insertJson(
  d1: D1Database,
  table: string,
  columns: string[],
  rows: readonly Record<string, unknown>[],
) {
  const statements: D1PreparedStatement[] = [];
  const picks = columns.map((c) => `json_extract(value, '$.${c}')`).join(', ');
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT) {
    statements.push(
      d1
        .prepare(`INSERT INTO ${table} (${columns.join(', ')}) SELECT ${picks} FROM json_each(?)`)
        .bind(JSON.stringify(rows.slice(i, i + ROWS_PER_STATEMENT))),
    );
  }
  return statements;
}

/** Writes the county's rows; returns how many statements it took. Parents are written first. */
export async function writeSyntheticCounty(
  d1: D1Database,
  county: SyntheticCounty,
): Promise<{ statements: number }> {
  const statements = [
    ...insertJson(
      d1,
      'supervisees',
      [
        'id',
        'case_number',
        'name',
        'gender',
        'birth_date',
        'id_number_enc',
        'id_number_hash',
        'township_id',
        'sentence_type',
        'term_start',
        'term_end',
        'level',
        'key_person',
        'able_to_work',
      ],
      county.supervisees,
    ),
    ...insertJson(
      d1,
      'supervisee_levels',
      ['id', 'supervisee_id', 'level', 'effective_from', 'reason'],
      county.levels,
    ),
    ...insertJson(
      d1,
      'supervisee_flags',
      ['id', 'supervisee_id', 'flag', 'value', 'effective_from'],
      county.flags,
    ),
    ...insertJson(
      d1,
      'assignments',
      ['id', 'supervisee_id', 'provider_id', 'worker_user_id', 'from_date'],
      county.assignments,
    ),
    ...insertJson(
      d1,
      'activities',
      ['id', 'type', 'occurred_on', 'duration_minutes', 'provider_id', 'township_id', 'status'],
      county.activities,
    ),
    ...insertJson(
      d1,
      'activity_participants',
      ['activity_id', 'supervisee_id', 'minutes'],
      county.participants,
    ),
  ];
  for (let i = 0; i < statements.length; i += STATEMENTS_PER_BATCH) {
    await d1.batch(statements.slice(i, i + STATEMENTS_PER_BATCH));
  }
  return { statements: statements.length };
}
