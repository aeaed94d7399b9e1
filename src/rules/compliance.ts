/**
 * Compliance items (API.md "Compliance"): for each requirement track, the windows that the range
 * [from, to] touches, what they ask for and what was done, and a status relative to `today`.
 *
 * Arithmetic is on integers: day numbers, `min` in millionths, hours as minutes. The prorated
 * minimum is Σ(days × min) / days-in-window, rounded up once from that exact fraction.
 */
import {
  applyingTracks,
  type CompiledHistory,
  compileHistory,
  isCompiledHistory,
  MICRO,
  type SuperviseeFacts,
  type Track,
} from './applicability.ts';
import {
  type CalendarUnit,
  type CivilDate,
  type DayNumber,
  fromDayNumber,
  toDayNumber,
  unitEnd,
  unitStart,
} from './dates.ts';
import type { PublishedRuleSet } from './history.ts';
import type { Measure } from './schema.ts';

export type { CompiledHistory, SuperviseeFacts } from './applicability.ts';
export { compileHistory } from './applicability.ts';

/** An activity as the supervisee took part in it: `minutes` are this participant's own. */
export interface ActivityFact {
  id: string;
  type: string;
  occurredOn: CivilDate;
  minutes: number;
}

export type ComplianceStatus = 'met' | 'short' | 'open' | 'due' | 'overdue';

export interface ComplianceItem {
  requirementId: string;
  windowStart: CivilDate;
  windowEnd: CivilDate;
  measure: Measure;
  /** A whole count, or hours in steps of 0.5 (never more than the requirement's own `min`). */
  required: number;
  /** A count, or hours rounded to two decimals (statuses are decided on exact minutes). */
  achieved: number;
  status: ComplianceStatus;
  dueBy: CivilDate;
}

export interface ComplianceInput {
  /** The published rule sets, or the same compiled once with `compileHistory` for many calls. */
  history: readonly PublishedRuleSet[] | CompiledHistory;
  supervisee: SuperviseeFacts;
  activities: readonly ActivityFact[];
  from: CivilDate;
  to: CivilDate;
  /** The county's current date; the engine never reads a clock. */
  today: CivilDate;
}

/** Activities in day order, as parallel arrays for allocation-free scans. */
interface Activities {
  days: DayNumber[];
  /** Only when the history matches types by Set (`typeBits` empty); otherwise empty. */
  types: string[];
  /** Each type's bit in `CompiledHistory.typeBits` (0 for a type no requirement names). */
  bits: number[];
  minutes: number[];
}

/**
 * Activities sorted by day alone: the order of same-day activities changes no count, no sum and
 * no anchor day. Short lists (the usual month) by insertion in place, long ones by number keys.
 */
function prepareActivities(
  activities: readonly ActivityFact[],
  typeBits: ReadonlyMap<string, number>,
): Activities {
  const n = activities.length;
  const withTypes = typeBits.size === 0;
  const days: DayNumber[] = new Array(n);
  const types: string[] = withTypes ? new Array(n) : [];
  const bits: number[] = new Array(n);
  const minutes: number[] = new Array(n);
  let sorted = true;
  let lastType = '';
  let lastBit = 0;
  for (let i = 0; i < n; i++) {
    const a = activities[i]!;
    const day = toDayNumber(a.occurredOn);
    days[i] = day;
    if (withTypes) types[i] = a.type;
    if (a.type !== lastType) {
      lastType = a.type;
      lastBit = typeBits.get(a.type) ?? 0;
    }
    bits[i] = lastBit;
    minutes[i] = a.minutes;
    if (i > 0 && day < days[i - 1]!) sorted = false;
  }
  const acts = { days, types, bits, minutes };
  if (sorted) return acts;
  if (n <= 64) {
    for (let i = 1; i < n; i++) {
      const d = days[i]!;
      const b = bits[i]!;
      const m = minutes[i]!;
      const t = withTypes ? types[i]! : '';
      let j = i - 1;
      for (; j >= 0 && days[j]! > d; j--) {
        days[j + 1] = days[j]!;
        bits[j + 1] = bits[j]!;
        minutes[j + 1] = minutes[j]!;
        if (withTypes) types[j + 1] = types[j]!;
      }
      days[j + 1] = d;
      bits[j + 1] = b;
      minutes[j + 1] = m;
      if (withTypes) types[j + 1] = t;
    }
    return acts;
  }
  const order = days.map((_, i) => i).sort((x, y) => days[x]! - days[y]! || x - y);
  return {
    days: order.map((i) => days[i]!),
    types: withTypes ? order.map((i) => types[i]!) : types,
    bits: order.map((i) => bits[i]!),
    minutes: order.map((i) => minutes[i]!),
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

/** Which types count: the requirement's bits, or (when the history has too many types) its Set. */
interface TypeMatch {
  mask: number;
  set: ReadonlySet<string>;
}

function counts(acts: Activities, i: number, match: TypeMatch): boolean {
  return match.mask !== 0 ? (acts.bits[i]! & match.mask) !== 0 : match.set.has(acts.types[i]!);
}

/** Qualifying activities in [start, end]: a count, or the sum of minutes. */
function measured(
  acts: Activities,
  start: DayNumber,
  end: DayNumber,
  mask: number,
  set: ReadonlySet<string>,
  measure: Measure,
): number {
  let total = 0;
  const { days, bits, minutes } = acts;
  const n = days.length;
  if (mask !== 0) {
    for (let i = lowerBound(days, start); i < n && days[i]! <= end; i++) {
      if ((bits[i]! & mask) !== 0) total += measure === 'count' ? 1 : minutes[i]!;
    }
    return total;
  }
  for (let i = lowerBound(days, start); i < n && days[i]! <= end; i++) {
    if (set.has(acts.types[i]!)) total += measure === 'count' ? 1 : minutes[i]!;
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
export function proratedRequired(
  measure: Measure,
  sumMicro: number,
  windowDays: number,
  maxMin: number,
): number {
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
  let mask = 0;
  for (let k = cursor; k < intervals.length && intervals[k]!.start <= we; k++) {
    const { start, end, requirement: r } = intervals[k]!;
    sumMicro += (Math.min(end, we) - Math.max(start, ws) + 1) * r.minMicro;
    if (r.min > maxMin) maxMin = r.min;
    // Versions may list different types; an activity of any of them counts in this window.
    mask |= r.typeMask;
    if (!types) types = r.types;
    else if (types !== r.types && r.typeMask === 0) types = new Set([...types, ...r.types]);
  }
  if (!types) return cursor; // no applying day in this window
  const required = proratedRequired(track.measure, sumMicro, we - ws + 1, maxMin);
  const amount = measured(ctx.acts, ws, we, mask, types, track.measure);
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

/** The last range's calendar windows per unit, [start, end, start, end, …]: a county asks the same. */
const WINDOWS = new Map<CalendarUnit, { from: DayNumber; to: DayNumber; bounds: DayNumber[] }>();

function calendarWindows(unit: CalendarUnit, from: DayNumber, to: DayNumber): readonly DayNumber[] {
  const cached = WINDOWS.get(unit);
  if (cached && cached.from === from && cached.to === to) return cached.bounds;
  const bounds: DayNumber[] = [];
  for (let ws = unitStart(unit, from); ws <= to; ) {
    const we = unitEnd(unit, ws);
    bounds.push(ws, we);
    ws = we + 1;
  }
  WINDOWS.set(unit, { from, to, bounds });
  return bounds;
}

function calendarItems(track: Track, ctx: Context) {
  const bounds = calendarWindows(track.unit!, ctx.from, ctx.to);
  let cursor = 0;
  for (let w = 0; w < bounds.length; w += 2)
    cursor = windowItem(track, bounds[w]!, bounds[w + 1]!, cursor, ctx);
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
  const amount = measured(ctx.acts, ctx.termStart, deadline, r.typeMask, r.types, r.measure);
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
  const { days, minutes } = ctx.acts;
  const match: TypeMatch = { mask: r.typeMask, set: r.types };
  let anchor = stretchStart - 1;
  let total = 0;
  for (let k = lowerBound(days, asOf + 1) - 1; k >= 0; k--) {
    if (!counts(ctx.acts, k, match)) continue;
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
    achieved: reported(measured(ctx.acts, windowStart, asOf, r.typeMask, r.types, r.measure), r.measure),
    status: dueBy >= asOf ? 'met' : 'overdue',
    dueBy: fromDayNumber(dueBy),
  });
}

// Plain code-unit order (not locale order), so every runtime sorts alike.
const order = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);

function byRequirementThenWindow(a: ComplianceItem, b: ComplianceItem): number {
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
    acts: prepareActivities(activities, history.typeBits),
    from,
    to,
    today,
    termStart: toDayNumber(supervisee.termStart),
    items: [],
  };
  for (const track of applyingTracks(history, supervisee)) {
    if (track.kind === 'calendar') calendarItems(track, ctx);
    else if (track.kind === 'every') everyItems(track, ctx);
    else if (track.kind === 'within') withinItem(track, ctx);
    else rollingItem(track, ctx);
  }
  return ctx.items.sort(byRequirementThenWindow);
}

/** The compliance items of one supervisee over [from, to], sorted by requirement then window. */
export function evaluateCompliance(input: ComplianceInput): ComplianceItem[] {
  const history = isCompiledHistory(input.history) ? input.history : compileHistory(input.history);
  return evaluateCompiled(
    history,
    input.supervisee,
    input.activities,
    toDayNumber(input.from),
    toDayNumber(input.to),
    toDayNumber(input.today),
  );
}

export interface ComplianceBatchInput {
  history: readonly PublishedRuleSet[] | CompiledHistory;
  supervisees: readonly { supervisee: SuperviseeFacts; activities: readonly ActivityFact[] }[];
  from: CivilDate;
  to: CivilDate;
  today: CivilDate;
}

/**
 * Many supervisees over one range (a county's month), compiling the rule sets once. Answers in
 * the order given, in the shape of `GET /compliance`'s items.
 */
export function evaluateComplianceBatch(
  input: ComplianceBatchInput,
): { superviseeId: string; items: ComplianceItem[] }[] {
  const history = isCompiledHistory(input.history) ? input.history : compileHistory(input.history);
  const from = toDayNumber(input.from);
  const to = toDayNumber(input.to);
  const today = toDayNumber(input.today);
  return input.supervisees.map(({ supervisee, activities }) => ({
    superviseeId: supervisee.id,
    items: evaluateCompiled(history, supervisee, activities, from, to, today),
  }));
}
