/**
 * How far around a range [from, to] the compliance of that range can look, per activity type.
 *
 * API.md counts activities "anywhere in the window", and windows stick out of the range: a week
 * starts before the 1st of the month, a quarter or a yearly span from the term's start reaches
 * months back, a rolling window looks N days back and its anchor further still. Loading every
 * activity of every supervisee would be exact but grows with the county's history; loading only
 * the range would be wrong. So, from the rule sets, each activity type gets the one day range
 * that any window counting it can cover, and rolling requirements get a second, bounded look
 * further back (their `min` most recent qualifying activities before that range).
 *
 * Pure: rule sets in, day ranges out.
 */
import {
  type CalendarUnit,
  type CivilDate,
  type DayNumber,
  fromDayNumber,
  type Measure,
  type PublishedRuleSet,
  type Requirement,
  ruleSetSpans,
  toDayNumber,
  unitEnd,
  unitStart,
} from '../rules';

/** Activities of these types count when dated in [lo, hi]. */
export interface TypeRange {
  types: string[];
  lo: CivilDate;
  hi: CivilDate;
}

/**
 * A rolling requirement may anchor on activities older than what the ranges load: per
 * supervisee, the most recent qualifying ones (`min` of them, or until their minutes reach `min`
 * hours) among those of each type dated before that type's range (`before`) — exactly the rows
 * the ranges leave out, so the two never overlap.
 */
export interface RollingLookBack {
  measure: Measure;
  min: number;
  parts: { types: string[]; before: CivilDate }[];
}

export interface Reach {
  /** Supervisees whose term overlaps [lo, hi] can have items in the range. */
  lo: CivilDate;
  hi: CivilDate;
  ranges: TypeRange[];
  rolling: RollingLookBack[];
}

type Span = [DayNumber, DayNumber];

const intersect = (a: Span, b: Span): Span | null => {
  const lo = Math.max(a[0], b[0]);
  const hi = Math.min(a[1], b[1]);
  return lo <= hi ? [lo, hi] : null;
};

/**
 * The days whose activities can count for a requirement that applies on some days of
 * `applying` (a rule set's span, a special period), for items of windows overlapping [from, to].
 * Null when no such window exists. For rolling windows, `lookBackBefore` is the first loaded day.
 */
function requirementReach(
  r: Requirement,
  applying: Span,
  from: DayNumber,
  to: DayNumber,
): { days: Span; rolling: boolean } | null {
  const w = r.window;
  if ('calendar' in w) {
    const unit: CalendarUnit = w.calendar;
    // Windows overlapping [from, to] lie in the first..last unit; they must also hold an applying day.
    const inRange: Span = [unitStart(unit, from), unitEnd(unit, to)];
    const holding = intersect(applying, inRange);
    if (!holding) return null;
    const days = intersect([unitStart(unit, holding[0]), unitEnd(unit, holding[1])], inRange);
    return days && { days, rolling: false };
  }
  if ('everyDaysFromStart' in w) {
    // Spans are anchored on each supervisee's termStart, so only their length is known here.
    const n = w.everyDaysFromStart;
    const days = intersect([applying[0] - (n - 1), applying[1] + (n - 1)], [from - (n - 1), to + (n - 1)]);
    return days && { days, rolling: false };
  }
  if ('withinDaysOfStart' in w) {
    // [termStart, termStart + N] overlaps [from, to], and the requirement applies on termStart.
    const n = w.withinDaysOfStart;
    const start = intersect(applying, [from - n, to]);
    return start && { days: [start[0], start[1] + n], rolling: false };
  }
  // Rolling: judged on a day asOf of [from, to] on which it applies, over [asOf − N, asOf].
  const n = w.rollingDays;
  const asOf = intersect(applying, [from, to]);
  return asOf && { days: [asOf[0] - n, asOf[1]], rolling: true };
}

/**
 * The reach of [from, to] under one or more rule-set histories (the preview compares two).
 * Only what a history's own spans and special periods can make apply is counted, so an old
 * version with yearly windows does not widen the reach of every later month.
 */
export function complianceReach(
  histories: readonly (readonly PublishedRuleSet[])[],
  fromDate: CivilDate,
  toDate: CivilDate,
): Reach {
  const from = toDayNumber(fromDate);
  const to = toDayNumber(toDate);
  let lo = from;
  let hi = to;
  const byType = new Map<string, Span>();
  const rolling = new Map<string, { measure: Measure; min: number; types: string[] }>();

  const consider = (r: Requirement, applying: Span) => {
    const reach = requirementReach(r, applying, from, to);
    if (!reach) return;
    const [a, b] = reach.days;
    lo = Math.min(lo, a);
    hi = Math.max(hi, b);
    for (const type of r.activityTypes) {
      const known = byType.get(type);
      byType.set(type, known ? [Math.min(known[0], a), Math.max(known[1], b)] : [a, b]);
    }
    if (reach.rolling) {
      const need = { measure: r.measure, min: r.min, types: [...new Set(r.activityTypes)].sort() };
      rolling.set(JSON.stringify(need), need);
    }
  };

  for (const history of histories) {
    for (const span of ruleSetSpans(history)) {
      const governed: Span = [span.start, span.end];
      const rs = span.published.ruleSet;
      for (const r of rs.requirements) consider(r, governed);
      for (const p of rs.specialPeriods) {
        const days = intersect(governed, [toDayNumber(p.from), toDayNumber(p.to)]);
        if (days) for (const r of p.requirements) consider(r, days);
      }
    }
  }

  // Types that share a range share one condition of the activity query (and of a look-back).
  const groupByRange = <T>(
    types: Iterable<string>,
    make: (span: Span) => T,
    add: (group: T, type: string) => void,
  ) => {
    const groups = new Map<string, T>();
    for (const type of [...types].sort()) {
      const span = byType.get(type)!;
      const key = `${span[0]}:${span[1]}`;
      const group = groups.get(key) ?? make(span);
      groups.set(key, group);
      add(group, type);
    }
    return [...groups.values()];
  };
  const ranges = groupByRange<TypeRange>(
    byType.keys(),
    ([a, b]) => ({ types: [], lo: fromDayNumber(a), hi: fromDayNumber(b) }),
    (g, t) => g.types.push(t),
  );
  const lookBacks = [...rolling.values()].map(({ measure, min, types }) => ({
    measure,
    min,
    parts: groupByRange<{ types: string[]; before: CivilDate }>(
      types,
      ([a]) => ({ types: [], before: fromDayNumber(a) }),
      (g, t) => g.types.push(t),
    ),
  }));
  return {
    lo: fromDayNumber(lo),
    hi: fromDayNumber(hi),
    ranges,
    rolling: lookBacks,
  };
}
