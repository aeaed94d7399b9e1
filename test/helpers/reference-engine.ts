/**
 * The engine as it was before the fast path (main at c818794: applicability.ts and compliance.ts,
 * concatenated, names kept), frozen as an oracle: compliance.reference.property.test.ts checks
 * that the engine answers exactly like it on random histories, supervisees and activities.
 * Test support only: index.ts does not export it and no app code may import it.
 */
import type { ActivityFact, ComplianceInput, ComplianceItem } from '../../src/rules/compliance.ts';
import {
  type CalendarUnit,
  type CivilDate,
  type DayNumber,
  fromDayNumber,
  toDayNumber,
  unitEnd,
  unitStart,
} from '../../src/rules/dates.ts';
import { createRuleSetLookup, type PublishedRuleSet, type RuleSetLookup } from '../../src/rules/history.ts';
import type { Measure, Requirement, RuleSet } from '../../src/rules/schema.ts';

/** `min` is kept in millionths so that proration is integer arithmetic, free of float noise. */
const MICRO = 1_000_000;

type WindowKind = 'calendar' | 'every' | 'within' | 'rolling';

interface CompiledRequirement {
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
  readonly types: ReadonlySet<string>;
  readonly levels: ReadonlySet<string> | null;
  readonly phases: readonly string[] | null;
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

interface CompiledRuleSet {
  readonly published: PublishedRuleSet;
  readonly phases: ReadonlyMap<string, CompiledPhase>;
  readonly requirements: readonly CompiledRequirement[];
  readonly periods: readonly CompiledPeriod[];
}

/** A rule-set history prepared once for evaluating many supervisees. */
interface CompiledHistory {
  readonly lookup: RuleSetLookup;
  /** Parallel to `lookup.spans`. */
  readonly ruleSets: readonly CompiledRuleSet[];
}

function compileRequirement(r: Requirement): CompiledRequirement {
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
    types: new Set(r.activityTypes),
    levels: a?.levels ? new Set(a.levels) : null,
    phases: a?.phases ?? null,
    sentenceTypes: a?.sentenceTypes ? new Set(a.sentenceTypes) : null,
    keyPerson: a?.keyPerson ?? null,
    ableToWork: a?.ableToWork ?? null,
  };
}

function compileRuleSet(published: PublishedRuleSet): CompiledRuleSet {
  const rs: RuleSet = published.ruleSet;
  return {
    published,
    phases: new Map(rs.phases.map((p) => [p.code, { fromStart: p.from === 'start', days: p.days }])),
    requirements: rs.requirements.map(compileRequirement),
    periods: rs.specialPeriods
      .map((p) => ({
        start: toDayNumber(p.from),
        end: toDayNumber(p.to),
        requirements: p.requirements.map(compileRequirement),
      }))
      .sort((a, b) => a.start - b.start),
  };
}

export function referenceCompileHistory(history: readonly PublishedRuleSet[]): CompiledHistory {
  const lookup = createRuleSetLookup(history);
  return { lookup, ruleSets: lookup.spans.map((span) => compileRuleSet(span.published)) };
}

// ---------------------------------------------------------------------------------------------
// The supervisee

interface EffectiveLevel {
  level: string;
  effectiveFrom: CivilDate;
}

interface EffectiveFlag {
  value: boolean;
  effectiveFrom: CivilDate;
}

/** What the engine needs to know about a supervisee; histories are effective-dated. */
interface SuperviseeFacts {
  id: string;
  termStart: CivilDate;
  termEnd: CivilDate;
  sentenceType: string;
  /** The first entry holds from termStart whatever its date says. */
  levels: readonly EffectiveLevel[];
  keyPerson: readonly EffectiveFlag[];
  ableToWork: readonly EffectiveFlag[];
}

/** An effective-dated value read forwards: `at(day)` must be asked with non-decreasing days. */
class Timeline<T> {
  private readonly days: DayNumber[];
  private readonly values: T[];
  private next = 1;

  constructor(entries: readonly { day: DayNumber; value: T }[]) {
    // A stable sort keeps the order of changes recorded on the same day: the last one wins.
    const sorted = [...entries].sort((a, b) => a.day - b.day);
    this.days = sorted.map((e) => e.day);
    this.values = sorted.map((e) => e.value);
  }

  changeDays(): readonly DayNumber[] {
    return this.days.slice(1);
  }

  at(day: DayNumber): T | undefined {
    while (this.next < this.days.length && this.days[this.next]! <= day) this.next++;
    return this.values[this.next - 1];
  }
}

interface ApplyingInterval {
  start: DayNumber;
  end: DayNumber;
  /** The definition in force on these days. */
  requirement: CompiledRequirement;
}

interface Track {
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

function inPhase(state: DayState, code: string): boolean {
  const phase = state.ruleSet.phases.get(code);
  if (!phase) return false;
  return phase.fromStart ? state.day < state.termStart + phase.days : state.day > state.termEnd - phase.days;
}

function applies(r: CompiledRequirement, s: DayState): boolean {
  if (r.levels && (s.level === undefined || !r.levels.has(s.level))) return false;
  if (r.keyPerson !== null && r.keyPerson !== s.keyPerson) return false;
  if (r.ableToWork !== null && r.ableToWork !== s.ableToWork) return false;
  if (r.sentenceTypes && !r.sentenceTypes.has(s.sentenceType)) return false;
  if (r.phases && !r.phases.some((code) => inPhase(s, code))) return false;
  return true;
}

function addInterval(tracks: Map<string, Track>, r: CompiledRequirement, start: DayNumber, end: DayNumber) {
  let track = tracks.get(r.trackKey);
  if (!track) {
    track = { id: r.id, measure: r.measure, kind: r.kind, unit: r.unit, days: r.days, intervals: [] };
    tracks.set(r.trackKey, track);
  }
  const last = track.intervals[track.intervals.length - 1];
  if (last && last.requirement === r && last.end === start - 1) last.end = end;
  else track.intervals.push({ start, end, requirement: r });
}

/** The days on which the supervisee's state or the governing rules may change, within the term. */
function breakpoints(
  history: CompiledHistory,
  timelines: Timeline<unknown>[],
  ts: DayNumber,
  te: DayNumber,
): DayNumber[] {
  const points = [ts];
  const add = (d: DayNumber) => {
    if (d > ts && d <= te) points.push(d);
  };
  for (const t of timelines) for (const d of t.changeDays()) add(d);
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
  return [...new Set(points)].sort((a, b) => a - b);
}

/**
 * For one supervisee, the requirement tracks with the intervals of days on which they apply.
 * Tracks come in the order of first appearance; intervals within a track are in day order.
 */
export function referenceApplyingTracks(history: CompiledHistory, s: SuperviseeFacts): Track[] {
  const ts = toDayNumber(s.termStart);
  const te = toDayNumber(s.termEnd);
  if (te < ts) return [];
  const levels = new Timeline(s.levels.map((e) => ({ day: toDayNumber(e.effectiveFrom), value: e.level })));
  const keyPerson = new Timeline(
    s.keyPerson.map((e) => ({ day: toDayNumber(e.effectiveFrom), value: e.value })),
  );
  const ableToWork = new Timeline(
    s.ableToWork.map((e) => ({ day: toDayNumber(e.effectiveFrom), value: e.value })),
  );
  const points = breakpoints(history, [levels, keyPerson, ableToWork], ts, te);

  const tracks = new Map<string, Track>();
  for (let i = 0; i < points.length; i++) {
    const start = points[i]!;
    const end = i + 1 < points.length ? points[i + 1]! - 1 : te;
    const index = history.lookup.indexAt(start);
    if (index < 0) continue; // no rule set in force yet
    const ruleSet = history.ruleSets[index]!;
    const state: DayState = {
      ruleSet,
      level: levels.at(start),
      keyPerson: keyPerson.at(start) ?? false,
      ableToWork: ableToWork.at(start) ?? false,
      sentenceType: s.sentenceType,
      day: start,
      termStart: ts,
      termEnd: te,
    };
    for (const r of ruleSet.requirements) if (applies(r, state)) addInterval(tracks, r, start, end);
    for (const period of ruleSet.periods) {
      if (period.start > start || period.end < start) continue;
      for (const r of period.requirements) if (applies(r, state)) addInterval(tracks, r, start, end);
    }
  }
  return [...tracks.values()];
}

/** Activities in day order, as parallel arrays for allocation-free scans. */
interface Activities {
  days: DayNumber[];
  types: string[];
  minutes: number[];
}

function prepareActivities(activities: readonly ActivityFact[]): Activities {
  const sorted = activities.map((a) => ({ day: toDayNumber(a.occurredOn), a })).sort((x, y) => x.day - y.day);
  return {
    days: sorted.map((x) => x.day),
    types: sorted.map((x) => x.a.type),
    minutes: sorted.map((x) => x.a.minutes),
  };
}

/** First index whose day is ≥ `day`. */
function lowerBound(days: readonly DayNumber[], day: DayNumber): number {
  let lo = 0;
  let hi = days.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (days[mid]! < day) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Qualifying activities in [start, end]: a count, or the sum of minutes. */
function measured(
  acts: Activities,
  start: DayNumber,
  end: DayNumber,
  types: ReadonlySet<string>,
  measure: Measure,
): number {
  let total = 0;
  for (let i = lowerBound(acts.days, start); i < acts.days.length && acts.days[i]! <= end; i++) {
    if (types.has(acts.types[i]!)) total += measure === 'count' ? 1 : acts.minutes[i]!;
  }
  return total;
}

/** Whether a measured amount (a count, or minutes) reaches a requirement (a count, or hours). */
function reaches(amount: number, required: number, measure: Measure): boolean {
  // Minutes against hours × 60: the tolerance only absorbs the float error of × 60 itself.
  return measure === 'count' ? amount >= required : amount >= required * 60 - 1e-9;
}

function reported(amount: number, measure: Measure): number {
  return measure === 'count' ? amount : Math.round((amount / 60) * 100) / 100;
}

function ceilDiv(a: number, b: number): number {
  const r = a % b;
  return (a - r) / b + (r > 0 ? 1 : 0);
}

/** Σ(days × min) / windowDays rounded up to a whole count or the next half hour, capped at `min`. */
function proratedRequired(measure: Measure, sumMicro: number, windowDays: number, maxMin: number): number {
  const denominator = windowDays * MICRO;
  // The cap keeps "a fully applying window asks for min" true for an hours min like 7.3 too.
  const rounded =
    measure === 'count' ? ceilDiv(sumMicro, denominator) : ceilDiv(2 * sumMicro, denominator) / 2;
  return Math.min(rounded, maxMin);
}

interface Context {
  acts: Activities;
  from: DayNumber;
  to: DayNumber;
  today: DayNumber;
  termStart: DayNumber;
  items: ComplianceItem[];
}

/** One window of a calendar or everyDaysFromStart track; `cursor` skips intervals already past. */
function windowItem(track: Track, ws: DayNumber, we: DayNumber, cursor: number, ctx: Context): number {
  const intervals = track.intervals;
  while (cursor < intervals.length && intervals[cursor]!.end < ws) cursor++;
  let sumMicro = 0;
  let maxMin = 0;
  let types: ReadonlySet<string> | undefined;
  for (let k = cursor; k < intervals.length && intervals[k]!.start <= we; k++) {
    const { start, end, requirement: r } = intervals[k]!;
    sumMicro += (Math.min(end, we) - Math.max(start, ws) + 1) * r.minMicro;
    if (r.min > maxMin) maxMin = r.min;
    // Versions may list different types; an activity of any of them counts in this window.
    if (!types) types = r.types;
    else if (types !== r.types) types = new Set([...types, ...r.types]);
  }
  if (!types) return cursor; // no applying day in this window
  const required = proratedRequired(track.measure, sumMicro, we - ws + 1, maxMin);
  const amount = measured(ctx.acts, ws, we, types, track.measure);
  ctx.items.push({
    requirementId: track.id,
    windowStart: fromDayNumber(ws),
    windowEnd: fromDayNumber(we),
    measure: track.measure,
    required,
    achieved: reported(amount, track.measure),
    status: reaches(amount, required, track.measure) ? 'met' : we < ctx.today ? 'short' : 'open',
    dueBy: fromDayNumber(we),
  });
  return cursor;
}

function calendarItems(track: Track, ctx: Context) {
  const unit = track.unit!;
  let cursor = 0;
  for (let ws = unitStart(unit, ctx.from); ws <= ctx.to; ) {
    const we = unitEnd(unit, ws);
    cursor = windowItem(track, ws, we, cursor, ctx);
    ws = we + 1;
  }
}

function everyItems(track: Track, ctx: Context) {
  const n = track.days;
  if (ctx.to < ctx.termStart) return;
  const first = ctx.from <= ctx.termStart ? 0 : Math.floor((ctx.from - ctx.termStart) / n);
  const last = Math.floor((ctx.to - ctx.termStart) / n);
  let cursor = 0;
  for (let k = first; k <= last; k++) {
    const ws = ctx.termStart + k * n;
    cursor = windowItem(track, ws, ws + n - 1, cursor, ctx);
  }
}

function withinItem(track: Track, ctx: Context) {
  const first = track.intervals[0];
  // Only the definition in force on termStart counts, and only if it applies that day.
  if (!first || first.start !== ctx.termStart) return;
  const r = first.requirement;
  const deadline = ctx.termStart + r.days;
  if (deadline < ctx.from || ctx.termStart > ctx.to) return;
  const amount = measured(ctx.acts, ctx.termStart, deadline, r.types, r.measure);
  const met = reaches(amount, r.min, r.measure);
  ctx.items.push({
    requirementId: r.id,
    windowStart: fromDayNumber(ctx.termStart),
    windowEnd: fromDayNumber(deadline),
    measure: r.measure,
    required: r.min,
    achieved: reported(amount, r.measure),
    status: met ? 'met' : deadline < ctx.today ? 'overdue' : 'due',
    dueBy: fromDayNumber(deadline),
  });
}

function rollingItem(track: Track, ctx: Context) {
  const intervals = track.intervals;
  const limit = Math.min(ctx.to, ctx.today);
  let i = intervals.length - 1;
  while (i >= 0 && intervals[i]!.start > limit) i--;
  if (i < 0) return;
  const asOf = Math.min(intervals[i]!.end, limit);
  if (asOf < ctx.from) return;
  const r = intervals[i]!.requirement;
  // The stretch of consecutive applying days that ends on asOf, possibly across versions.
  let j = i;
  while (j > 0 && intervals[j - 1]!.end === intervals[j]!.start - 1) j--;
  const stretchStart = intervals[j]!.start;

  // A: walking back from asOf, the day on which the qualifying activities reach min (for a count,
  // the min-th most recent one); earlier activities count, even from before the stretch.
  const { days, types, minutes } = ctx.acts;
  let anchor = stretchStart - 1;
  let total = 0;
  for (let k = lowerBound(days, asOf + 1) - 1; k >= 0; k--) {
    if (!r.types.has(types[k]!)) continue;
    total += r.measure === 'count' ? 1 : minutes[k]!;
    if (reaches(total, r.min, r.measure)) {
      anchor = days[k]!;
      break;
    }
  }
  const dueBy = anchor + r.days;
  const windowStart = asOf - r.days;
  ctx.items.push({
    requirementId: r.id,
    windowStart: fromDayNumber(windowStart),
    windowEnd: fromDayNumber(asOf),
    measure: r.measure,
    required: r.min,
    achieved: reported(measured(ctx.acts, windowStart, asOf, r.types, r.measure), r.measure),
    status: dueBy >= asOf ? 'met' : 'overdue',
    dueBy: fromDayNumber(dueBy),
  });
}

function byRequirementThenWindow(a: ComplianceItem, b: ComplianceItem): number {
  // Plain code-unit order (not locale order), so every runtime sorts alike.
  const order = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  return (
    order(a.requirementId, b.requirementId) ||
    order(a.windowStart, b.windowStart) ||
    order(a.windowEnd, b.windowEnd) ||
    order(a.measure, b.measure)
  );
}

function evaluateCompiled(
  history: CompiledHistory,
  supervisee: SuperviseeFacts,
  activities: readonly ActivityFact[],
  from: DayNumber,
  to: DayNumber,
  today: DayNumber,
): ComplianceItem[] {
  if (from > to) return [];
  const ctx: Context = {
    acts: prepareActivities(activities),
    from,
    to,
    today,
    termStart: toDayNumber(supervisee.termStart),
    items: [],
  };
  for (const track of referenceApplyingTracks(history, supervisee)) {
    if (track.kind === 'calendar') calendarItems(track, ctx);
    else if (track.kind === 'every') everyItems(track, ctx);
    else if (track.kind === 'within') withinItem(track, ctx);
    else rollingItem(track, ctx);
  }
  return ctx.items.sort(byRequirementThenWindow);
}

/** The compliance items of one supervisee over [from, to], sorted by requirement then window. */
export function referenceEvaluateCompliance(
  input: Omit<ComplianceInput, 'history'> & { history: readonly PublishedRuleSet[] },
): ComplianceItem[] {
  return evaluateCompiled(
    referenceCompileHistory(input.history),
    input.supervisee,
    input.activities,
    toDayNumber(input.from),
    toDayNumber(input.to),
    toDayNumber(input.today),
  );
}
