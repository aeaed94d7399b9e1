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
import { type CivilDate, type DayNumber, fromDayNumber, toDayNumber, unitEnd, unitStart } from './dates.ts';
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
  types: string[];
  minutes: number[];
}

function prepareActivities(activities: readonly ActivityFact[]): Activities {
  const n = activities.length;
  const days: DayNumber[] = new Array(n);
  const types: string[] = new Array(n);
  const minutes: number[] = new Array(n);
  let sorted = true;
  for (let i = 0; i < n; i++) {
    const a = activities[i]!;
    days[i] = toDayNumber(a.occurredOn);
    types[i] = a.type;
    minutes[i] = a.minutes;
    if (i > 0 && days[i]! < days[i - 1]!) sorted = false;
  }
  if (sorted) return { days, types, minutes }; // the usual case: read in date order
  // A stable sort by day, as before: same-day activities keep the order given.
  const order = days.map((_, i) => i).sort((x, y) => days[x]! - days[y]! || x - y);
  return {
    days: order.map((i) => days[i]!),
    types: order.map((i) => types[i]!),
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
    acts: prepareActivities(activities),
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
