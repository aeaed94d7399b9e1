/**
 * Civil dates: 'YYYY-MM-DD' strings in the county's time zone, with no time and no zone.
 *
 * The engine computes with integer day numbers (days since 1970-01-01), derived arithmetically
 * (Howard Hinnant's days_from_civil), so nothing here reads a clock or depends on the host's
 * time zone, and stepping a day is an integer increment rather than a Date allocation.
 */

/** A civil date, 'YYYY-MM-DD'. */
export type CivilDate = string;
/** Days since 1970-01-01 (negative before). */
export type DayNumber = number;

export const CALENDAR_UNITS = ['week', 'half_month', 'month', 'quarter', 'year'] as const;
export type CalendarUnit = (typeof CALENDAR_UNITS)[number];

export interface DateParts {
  year: number;
  month: number;
  day: number;
}

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInYear(year: number): number {
  return isLeapYear(year) ? 366 : 365;
}

const MONTH_LENGTHS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonth(year: number, month: number): number {
  if (month === 2 && isLeapYear(year)) return 29;
  const length = MONTH_LENGTHS[month - 1];
  if (length === undefined) throw new RangeError(`month must be 1..12, got ${month}`);
  return length;
}

function partsOf(value: string): DateParts | undefined {
  const m = DATE_PATTERN.exec(value);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  // Year 0000 does not exist in the civil calendar; months and days must exist in that year.
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return { year, month, day };
}

/** True for a well-formed date that exists: '2024-02-29' yes, '2026-02-29' and '2026-2-1' no. */
export function isValidDate(value: unknown): value is CivilDate {
  return typeof value === 'string' && partsOf(value) !== undefined;
}

/** Parts of a valid date; throws RangeError otherwise, since a bad date here is a caller's bug. */
export function parseDate(value: CivilDate): DateParts {
  const parts = partsOf(value);
  if (!parts) throw new RangeError(`not a valid date (YYYY-MM-DD): '${value}'`);
  return parts;
}

export function dayNumberFromParts(year: number, month: number, day: number): DayNumber {
  // days_from_civil: treat March as the first month so the leap day falls at the end of the year.
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function partsFromDayNumber(dayNumber: DayNumber): DateParts {
  const z = dayNumber + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** Digit value of the character at `i`, or -1 when it is not an ASCII digit. */
function digitAt(value: string, i: number): number {
  const c = value.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
}

export function toDayNumber(value: CivilDate): DayNumber {
  // The hot path (every activity and history entry): read the ten characters directly, with the
  // same validation as DATE_PATTERN + partsOf; anything unusual goes to parseDate for its error.
  if (
    typeof value === 'string' &&
    value.length === 10 &&
    value.charCodeAt(4) === 45 &&
    value.charCodeAt(7) === 45
  ) {
    const y0 = digitAt(value, 0);
    const y1 = digitAt(value, 1);
    const y2 = digitAt(value, 2);
    const y3 = digitAt(value, 3);
    const m0 = digitAt(value, 5);
    const m1 = digitAt(value, 6);
    const d0 = digitAt(value, 8);
    const d1 = digitAt(value, 9);
    if ((y0 | y1 | y2 | y3 | m0 | m1 | d0 | d1) >= 0) {
      const year = y0 * 1000 + y1 * 100 + y2 * 10 + y3;
      const month = m0 * 10 + m1;
      const day = d0 * 10 + d1;
      if (year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)) {
        return dayNumberFromParts(year, month, day);
      }
    }
  }
  const { year, month, day } = parseDate(value);
  return dayNumberFromParts(year, month, day);
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

export function formatParts(year: number, month: number, day: number): CivilDate {
  return `${String(year).padStart(4, '0')}-${pad2(month)}-${pad2(day)}`;
}

/**
 * Formatted dates of recent day numbers, shared by every call: a county's month formats the same
 * few dozen window dates for each of its supervisees. A pure memo (same input, same string),
 * direct-mapped: slot `day & MASK` holds one day at a time.
 */
const MEMO_MASK = (1 << 14) - 1;
const MEMO_DAYS = new Float64Array(MEMO_MASK + 1).fill(Number.NaN);
const MEMO_TEXT: CivilDate[] = new Array(MEMO_MASK + 1).fill('');

export function fromDayNumber(dayNumber: DayNumber): CivilDate {
  const slot = dayNumber & MEMO_MASK;
  if (MEMO_DAYS[slot] === dayNumber) return MEMO_TEXT[slot]!;
  const { year, month, day } = partsFromDayNumber(dayNumber);
  const text = formatParts(year, month, day);
  MEMO_DAYS[slot] = dayNumber;
  MEMO_TEXT[slot] = text;
  return text;
}

export function addDays(date: CivilDate, days: number): CivilDate {
  return fromDayNumber(toDayNumber(date) + days);
}

/** Days from `from` to `to`: diffDays('2026-03-01', '2026-03-31') = 30. */
export function diffDays(from: CivilDate, to: CivilDate): number {
  return toDayNumber(to) - toDayNumber(from);
}

/** -1, 0 or 1. Valid dates of four-digit years sort as strings, but validate so garbage is loud. */
export function compareDates(a: CivilDate, b: CivilDate): -1 | 0 | 1 {
  const d = toDayNumber(a) - toDayNumber(b);
  return d < 0 ? -1 : d > 0 ? 1 : 0;
}

export function minDate(a: CivilDate, b: CivilDate): CivilDate {
  return compareDates(a, b) <= 0 ? a : b;
}

export function maxDate(a: CivilDate, b: CivilDate): CivilDate {
  return compareDates(a, b) >= 0 ? a : b;
}

/** ISO weekday of a day number: Monday = 1 … Sunday = 7 (1970-01-01 was a Thursday). */
export function weekdayOfDayNumber(dayNumber: DayNumber): number {
  return ((((dayNumber + 3) % 7) + 7) % 7) + 1;
}

/** ISO weekday: Monday = 1 … Sunday = 7. */
export function dayOfWeek(date: CivilDate): number {
  return weekdayOfDayNumber(toDayNumber(date));
}

/** First day (as a day number) of the calendar unit containing `dayNumber`. */
export function unitStart(unit: CalendarUnit, dayNumber: DayNumber): DayNumber {
  if (unit === 'week') return dayNumber - (weekdayOfDayNumber(dayNumber) - 1);
  const { year, month, day } = partsFromDayNumber(dayNumber);
  switch (unit) {
    case 'half_month':
      return dayNumberFromParts(year, month, day <= 15 ? 1 : 16);
    case 'month':
      return dayNumberFromParts(year, month, 1);
    case 'quarter':
      return dayNumberFromParts(year, month - ((month - 1) % 3), 1);
    case 'year':
      return dayNumberFromParts(year, 1, 1);
  }
}

/** Last day (as a day number) of the calendar unit containing `dayNumber`. */
export function unitEnd(unit: CalendarUnit, dayNumber: DayNumber): DayNumber {
  if (unit === 'week') return dayNumber + (7 - weekdayOfDayNumber(dayNumber));
  const { year, month, day } = partsFromDayNumber(dayNumber);
  switch (unit) {
    case 'half_month':
      return dayNumberFromParts(year, month, day <= 15 ? 15 : daysInMonth(year, month));
    case 'month':
      return dayNumberFromParts(year, month, daysInMonth(year, month));
    case 'quarter': {
      const last = month - ((month - 1) % 3) + 2;
      return dayNumberFromParts(year, last, daysInMonth(year, last));
    }
    case 'year':
      return dayNumberFromParts(year, 12, 31);
  }
}

/** First day of the week (Monday), half month, month, quarter or year containing `date`. */
export function startOf(unit: CalendarUnit, date: CivilDate): CivilDate {
  return fromDayNumber(unitStart(unit, toDayNumber(date)));
}

/** Last day of the week (Sunday), half month, month, quarter or year containing `date`. */
export function endOf(unit: CalendarUnit, date: CivilDate): CivilDate {
  return fromDayNumber(unitEnd(unit, toDayNumber(date)));
}

/** Every day from `from` to `to`, both included; nothing when `from` is after `to`. */
export function* eachDay(from: CivilDate, to: CivilDate): Generator<CivilDate> {
  const last = toDayNumber(to);
  for (let d = toDayNumber(from); d <= last; d++) yield fromDayNumber(d);
}

/** 'YYYY-MM' of a date. */
export function monthOf(date: CivilDate): string {
  parseDate(date);
  return date.slice(0, 7);
}
