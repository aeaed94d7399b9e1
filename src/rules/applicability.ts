/**
 * Which requirements apply to a supervisee on which days (API.md "Compliance": within the term,
 * under the rule set in force that day, matching `appliesTo` with that day's level, phase, flags
 * and sentence type; special-period requirements only on the period's days).
 *
 * Nothing here walks day by day. Everything that decides applicability changes only on a few
 * days — the term's ends, level and flag changes, phase boundaries, rule-set versions, special
 * periods — so the term is cut at those days into segments of constant state, and each
 * requirement is matched once per segment. The result is, per requirement "track", a sorted
 * list of disjoint intervals of applying days, each carrying the rule set's definition.
 */
import { type CalendarUnit, type CivilDate, type DayNumber, toDayNumber } from './dates.ts';
import { createRuleSetLookup, type PublishedRuleSet, type RuleSetLookup } from './history.ts';
import type { Measure, Requirement, RuleSet } from './schema.ts';

/** `min` is kept in millionths so that proration is integer arithmetic, free of float noise. */
export const MICRO = 1_000_000;

export type WindowKind = 'calendar' | 'every' | 'within' | 'rolling';

export interface CompiledRequirement {
  readonly id: string;
  readonly measure: Measure;
  readonly min: number;
  readonly minMicro: number;
  readonly kind: WindowKind;
  /** The calendar unit, for `calendar` windows. */
  readonly unit: CalendarUnit | null;
  /** N of rollingDays / withinDaysOfStart / everyDaysFromStart; 0 for calendar windows. */
  readonly days: number;
  /**
   * Days under different versions belong to one track when the requirement keeps its id, measure
   * and window (rolling and deadline windows keep their track when only N changes, since they
   * are judged on one day under that day's version).
   */
  readonly trackKey: string;
  /** Index of `trackKey` among all the history's track keys (set by compileHistory). */
  track: number;
  readonly types: ReadonlySet<string>;
  /** `types` as bits of `CompiledHistory.typeBits` (set by compileHistory); 0 when there are too many. */
  typeMask: number;
  readonly levels: ReadonlySet<string> | null;
  readonly phases: readonly string[] | null;
  /** `phases` resolved against the requirement's own rule set (null: an unknown code). */
  readonly phaseRefs: readonly (CompiledPhase | null)[] | null;
  readonly sentenceTypes: ReadonlySet<string> | null;
  readonly keyPerson: boolean | null;
  readonly ableToWork: boolean | null;
}

interface CompiledPhase {
  readonly fromStart: boolean;
  readonly days: number;
}

interface CompiledPeriod {
  readonly start: DayNumber;
  readonly end: DayNumber;
  readonly requirements: readonly CompiledRequirement[];
}

export interface CompiledRuleSet {
  readonly published: PublishedRuleSet;
  readonly phases: ReadonlyMap<string, CompiledPhase>;
  readonly requirements: readonly CompiledRequirement[];
  readonly periods: readonly CompiledPeriod[];
}

/** A rule-set history prepared once for evaluating many supervisees. */
export interface CompiledHistory {
  readonly lookup: RuleSetLookup;
  /** Parallel to `lookup.spans`. */
  readonly ruleSets: readonly CompiledRuleSet[];
  /** How many distinct tracks (`CompiledRequirement.track` is below this). */
  readonly trackCount: number;
  /** A bit per activity type any requirement names; empty when they are more than 30. */
  readonly typeBits: ReadonlyMap<string, number>;
}

/** Types beyond this many are matched through the requirement's Set instead of bits. */
const MAX_TYPE_BITS = 30;

function compileRequirement(r: Requirement, phases: ReadonlyMap<string, CompiledPhase>): CompiledRequirement {
  const w = r.window;
  const [kind, unit, days]: [WindowKind, CalendarUnit | null, number] =
    'calendar' in w
      ? ['calendar', w.calendar, 0]
      : 'everyDaysFromStart' in w
        ? ['every', null, w.everyDaysFromStart]
        : 'withinDaysOfStart' in w
          ? ['within', null, w.withinDaysOfStart]
          : ['rolling', null, w.rollingDays];
  const shape = kind === 'calendar' ? unit : kind === 'every' ? String(days) : '';
  const a = r.appliesTo;
  return {
    id: r.id,
    measure: r.measure,
    min: r.min,
    minMicro: Math.round(r.min * MICRO),
    kind,
    unit,
    days,
    trackKey: `${r.id}\u0000${r.measure}\u0000${kind}\u0000${shape}`,
    track: -1,
    types: new Set(r.activityTypes),
    typeMask: 0,
    levels: a?.levels ? new Set(a.levels) : null,
    phases: a?.phases ?? null,
    phaseRefs: a?.phases ? a.phases.map((code) => phases.get(code) ?? null) : null,
    sentenceTypes: a?.sentenceTypes ? new Set(a.sentenceTypes) : null,
    keyPerson: a?.keyPerson ?? null,
    ableToWork: a?.ableToWork ?? null,
  };
}

function compileRuleSet(published: PublishedRuleSet): CompiledRuleSet {
  const rs: RuleSet = published.ruleSet;
  const phases = new Map(rs.phases.map((p) => [p.code, { fromStart: p.from === 'start', days: p.days }]));
  return {
    published,
    phases,
    requirements: rs.requirements.map((r) => compileRequirement(r, phases)),
    periods: rs.specialPeriods
      .map((p) => ({
        start: toDayNumber(p.from),
        end: toDayNumber(p.to),
        requirements: p.requirements.map((r) => compileRequirement(r, phases)),
      }))
      .sort((a, b) => a.start - b.start),
  };
}

export function compileHistory(history: readonly PublishedRuleSet[]): CompiledHistory {
  const lookup = createRuleSetLookup(history);
  const ruleSets = lookup.spans.map((span) => compileRuleSet(span.published));
  const keys = new Map<string, number>();
  const number = (r: CompiledRequirement) => {
    let k = keys.get(r.trackKey);
    if (k === undefined) {
      k = keys.size;
      keys.set(r.trackKey, k);
    }
    r.track = k;
  };
  const all: CompiledRequirement[] = [];
  for (const rs of ruleSets) {
    all.push(...rs.requirements);
    for (const period of rs.periods) all.push(...period.requirements);
  }
  all.forEach(number);
  // Activity types as bits, so that "does this activity count here" is one AND.
  const ids = new Map<string, number>();
  for (const r of all) for (const t of r.types) if (!ids.has(t)) ids.set(t, ids.size);
  const typeBits = new Map<string, number>();
  if (ids.size <= MAX_TYPE_BITS) {
    for (const [t, i] of ids) typeBits.set(t, 1 << i);
    for (const r of all) for (const t of r.types) r.typeMask |= typeBits.get(t)!;
  }
  return { lookup, ruleSets, trackCount: keys.size, typeBits };
}

export function isCompiledHistory(
  value: readonly PublishedRuleSet[] | CompiledHistory,
): value is CompiledHistory {
  return !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------
// The supervisee

export interface EffectiveLevel {
  level: string;
  effectiveFrom: CivilDate;
}

export interface EffectiveFlag {
  value: boolean;
  effectiveFrom: CivilDate;
}

/** What the engine needs to know about a supervisee; histories are effective-dated. */
export interface SuperviseeFacts {
  id: string;
  termStart: CivilDate;
  termEnd: CivilDate;
  sentenceType: string;
  /** The first entry holds from termStart whatever its date says. */
  levels: readonly EffectiveLevel[];
  keyPerson: readonly EffectiveFlag[];
  ableToWork: readonly EffectiveFlag[];
}

/** An effective-dated value read forwards: `timelineAt(t, day)` must be asked with non-decreasing days. */
interface Timeline<T> {
  readonly days: DayNumber[];
  readonly values: T[];
  next: number;
}

function timeline<E extends { effectiveFrom: CivilDate }, T>(
  entries: readonly E[],
  read: (e: E) => T,
): Timeline<T> {
  const n = entries.length;
  const days: DayNumber[] = new Array(n);
  const values: T[] = new Array(n);
  let sorted = true;
  for (let i = 0; i < n; i++) {
    const e = entries[i]!;
    days[i] = toDayNumber(e.effectiveFrom);
    values[i] = read(e);
    if (i > 0 && days[i]! < days[i - 1]!) sorted = false;
  }
  if (!sorted) {
    // A stable sort keeps the order of changes recorded on the same day: the last one wins.
    const order = days.map((_, i) => i).sort((a, b) => days[a]! - days[b]! || a - b);
    const d = order.map((i) => days[i]!);
    const v = order.map((i) => values[i]!);
    return { days: d, values: v, next: 1 };
  }
  return { days, values, next: 1 };
}

function timelineAt<T>(t: Timeline<T>, day: DayNumber): T | undefined {
  while (t.next < t.days.length && t.days[t.next]! <= day) t.next++;
  return t.values[t.next - 1];
}

const levelOf = (e: EffectiveLevel) => e.level;
const flagOf = (e: EffectiveFlag) => e.value;

export interface ApplyingInterval {
  start: DayNumber;
  end: DayNumber;
  /** The definition in force on these days. */
  requirement: CompiledRequirement;
}

export interface Track {
  readonly id: string;
  readonly measure: Measure;
  readonly kind: WindowKind;
  readonly unit: CalendarUnit | null;
  readonly days: number;
  /** Sorted and disjoint. */
  readonly intervals: ApplyingInterval[];
}

interface DayState {
  ruleSet: CompiledRuleSet;
  level: string | undefined;
  keyPerson: boolean;
  ableToWork: boolean;
  sentenceType: string;
  day: DayNumber;
  termStart: DayNumber;
  termEnd: DayNumber;
}

function inPhase(state: DayState, phase: CompiledPhase | null): boolean {
  if (!phase) return false;
  return phase.fromStart ? state.day < state.termStart + phase.days : state.day > state.termEnd - phase.days;
}

function applies(r: CompiledRequirement, s: DayState): boolean {
  if (r.levels && (s.level === undefined || !r.levels.has(s.level))) return false;
  if (r.keyPerson !== null && r.keyPerson !== s.keyPerson) return false;
  if (r.ableToWork !== null && r.ableToWork !== s.ableToWork) return false;
  if (r.sentenceTypes && !r.sentenceTypes.has(s.sentenceType)) return false;
  const refs = r.phaseRefs;
  if (refs) {
    let any = false;
    for (let i = 0; i < refs.length && !any; i++) any = inPhase(s, refs[i]!);
    if (!any) return false;
  }
  return true;
}

function addInterval(
  tracks: (Track | undefined)[],
  order: Track[],
  r: CompiledRequirement,
  start: DayNumber,
  end: DayNumber,
) {
  let track = tracks[r.track];
  if (!track) {
    track = { id: r.id, measure: r.measure, kind: r.kind, unit: r.unit, days: r.days, intervals: [] };
    tracks[r.track] = track;
    order.push(track);
  }
  const last = track.intervals[track.intervals.length - 1];
  if (last && last.requirement === r && last.end === start - 1) last.end = end;
  else track.intervals.push({ start, end, requirement: r });
}

/** The days on which the supervisee's state or the governing rules may change, within the term. */
function breakpoints(
  history: CompiledHistory,
  timelines: readonly Timeline<unknown>[],
  ts: DayNumber,
  te: DayNumber,
): DayNumber[] {
  const points = [ts];
  const add = (d: DayNumber) => {
    if (d > ts && d <= te) points.push(d);
  };
  for (const t of timelines) for (let i = 1; i < t.days.length; i++) add(t.days[i]!);
  const { spans } = history.lookup;
  for (let i = Math.max(0, history.lookup.indexAt(ts)); i < spans.length && spans[i]!.start <= te; i++) {
    add(spans[i]!.start);
    const rs = history.ruleSets[i]!;
    for (const phase of rs.phases.values()) add(phase.fromStart ? ts + phase.days : te - phase.days + 1);
    for (const period of rs.periods) {
      add(period.start);
      add(period.end + 1);
    }
  }
  // A handful of days: insertion sort, then drop repeats in place.
  for (let i = 1; i < points.length; i++) {
    const d = points[i]!;
    let j = i - 1;
    while (j >= 0 && points[j]! > d) {
      points[j + 1] = points[j]!;
      j--;
    }
    points[j + 1] = d;
  }
  let n = 0;
  for (let i = 0; i < points.length; i++)
    if (i === 0 || points[i] !== points[n - 1]) points[n++] = points[i]!;
  points.length = n;
  return points;
}

/**
 * For one supervisee, the requirement tracks with the intervals of days on which they apply.
 * Tracks come in the order of first appearance; intervals within a track are in day order.
 */
export function applyingTracks(history: CompiledHistory, s: SuperviseeFacts): Track[] {
  const ts = toDayNumber(s.termStart);
  const te = toDayNumber(s.termEnd);
  if (te < ts) return [];
  const levels = timeline(s.levels, levelOf);
  const keyPerson = timeline(s.keyPerson, flagOf);
  const ableToWork = timeline(s.ableToWork, flagOf);
  const points = breakpoints(history, [levels, keyPerson, ableToWork], ts, te);

  const tracks: (Track | undefined)[] = new Array(history.trackCount);
  const order: Track[] = [];
  const state: DayState = {
    ruleSet: history.ruleSets[0]!,
    level: undefined,
    keyPerson: false,
    ableToWork: false,
    sentenceType: s.sentenceType,
    day: ts,
    termStart: ts,
    termEnd: te,
  };
  for (let i = 0; i < points.length; i++) {
    const start = points[i]!;
    const end = i + 1 < points.length ? points[i + 1]! - 1 : te;
    const index = history.lookup.indexAt(start);
    if (index < 0) continue; // no rule set in force yet
    const ruleSet = history.ruleSets[index]!;
    state.ruleSet = ruleSet;
    state.level = timelineAt(levels, start);
    state.keyPerson = timelineAt(keyPerson, start) ?? false;
    state.ableToWork = timelineAt(ableToWork, start) ?? false;
    state.day = start;
    for (const r of ruleSet.requirements) if (applies(r, state)) addInterval(tracks, order, r, start, end);
    for (const period of ruleSet.periods) {
      if (period.start > start || period.end < start) continue;
      for (const r of period.requirements) if (applies(r, state)) addInterval(tracks, order, r, start, end);
    }
  }
  return order;
}
