/**
 * Ledger cycles (API.md "Ledgers"). A cycle is named after the month in which it ends: with
 * cycleEndDay 25, cycle 2026-03 runs 2026-02-26 … 2026-03-25; with 'last' it is the calendar
 * month. An end day past a month's end means that month's last day, so with cycleEndDay 30
 * cycle 2026-02 ends on 28 February and cycle 2026-03 starts on 1 March.
 */
import { addDays, type CivilDate, daysInMonth, formatParts, parseDate } from './dates.ts';

export type CycleEndDay = number | 'last';

export interface LedgerCycle {
  /** 'YYYY-MM', the month in which the cycle ends. */
  cycle: string;
  cycleStart: CivilDate;
  cycleEnd: CivilDate;
}

const CYCLE_PATTERN = /^(\d{4})-(0[1-9]|1[0-2])$/;

function checkEndDay(cycleEndDay: CycleEndDay) {
  if (cycleEndDay !== 'last' && !(Number.isInteger(cycleEndDay) && cycleEndDay >= 1 && cycleEndDay <= 31)) {
    throw new RangeError(`cycleEndDay must be 1..31 or 'last', got ${String(cycleEndDay)}`);
  }
}

function endDayIn(year: number, month: number, cycleEndDay: CycleEndDay): number {
  const last = daysInMonth(year, month);
  return cycleEndDay === 'last' ? last : Math.min(cycleEndDay, last);
}

function cycleName(year: number, month: number): string {
  return formatParts(year, month, 1).slice(0, 7);
}

/** The bounds of cycle 'YYYY-MM'. */
export function cycleBounds(cycle: string, cycleEndDay: CycleEndDay): LedgerCycle {
  checkEndDay(cycleEndDay);
  const m = CYCLE_PATTERN.exec(cycle);
  if (!m || Number(m[1]) < 1) throw new RangeError(`not a cycle (YYYY-MM): '${cycle}'`);
  const year = Number(m[1]);
  const month = Number(m[2]);
  const [py, pm] = month === 1 ? [year - 1, 12] : [year, month - 1];
  // The previous cycle's end + 1; year 0000 does not exist, so cycle 0001-01 starts on 1 January.
  const cycleStart =
    py < 1 ? formatParts(1, 1, 1) : addDays(formatParts(py, pm, endDayIn(py, pm, cycleEndDay)), 1);
  return { cycle, cycleStart, cycleEnd: formatParts(year, month, endDayIn(year, month, cycleEndDay)) };
}

/** The cycle containing `day`. */
export function cycleOf(day: CivilDate, cycleEndDay: CycleEndDay): LedgerCycle {
  checkEndDay(cycleEndDay);
  const { year, month, day: d } = parseDate(day);
  if (d <= endDayIn(year, month, cycleEndDay)) return cycleBounds(cycleName(year, month), cycleEndDay);
  return cycleBounds(month === 12 ? cycleName(year + 1, 1) : cycleName(year, month + 1), cycleEndDay);
}

/** The day by which a cycle's ledger is to be submitted: cycleEnd + submitWithinDays. */
export function ledgerDueBy(cycleEnd: CivilDate, submitWithinDays: number): CivilDate {
  return addDays(cycleEnd, submitWithinDays);
}

/** The cycles that overlap [from, to], in order. */
export function cyclesBetween(from: CivilDate, to: CivilDate, cycleEndDay: CycleEndDay): LedgerCycle[] {
  const cycles: LedgerCycle[] = [];
  if (from > to) return cycles;
  for (
    let c = cycleOf(from, cycleEndDay);
    c.cycleStart <= to;
    c = cycleOf(addDays(c.cycleEnd, 1), cycleEndDay)
  ) {
    cycles.push(c);
  }
  return cycles;
}
