import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  CALENDAR_UNITS,
  compareDates,
  dayOfWeek,
  daysInMonth,
  diffDays,
  eachDay,
  endOf,
  fromDayNumber,
  isLeapYear,
  isValidDate,
  maxDate,
  minDate,
  startOf,
  toDayNumber,
  unitEnd,
  unitStart,
} from './dates.ts';

// An independent oracle: the host's UTC calendar, asked with explicit components only.
const viaDate = (n: number) => new Date(Date.UTC(1970, 0, 1 + n)).toISOString().slice(0, 10);

describe('validity', () => {
  it.each([
    ['2024-02-29', true],
    ['2000-02-29', true],
    ['2026-02-28', true],
    ['2026-12-31', true],
    ['2026-02-29', false],
    ['1900-02-29', false],
    ['2026-02-30', false],
    ['2026-04-31', false],
    ['2026-13-01', false],
    ['2026-00-10', false],
    ['2026-01-00', false],
    ['0000-01-01', false],
    ['2026-2-1', false],
    ['2026-02-01T00:00:00Z', false],
    [' 2026-02-01', false],
  ])('%s → %s', (value, valid) => {
    expect(isValidDate(value)).toBe(valid);
  });

  it('refuses non-strings and throws on bad dates where one is required', () => {
    expect(isValidDate(20260201)).toBe(false);
    expect(isValidDate(undefined)).toBe(false);
    expect(() => toDayNumber('2026-02-30')).toThrow(RangeError);
    expect(() => addDays('nope', 1)).toThrow(RangeError);
  });

  it('knows leap years and month lengths', () => {
    expect([1900, 2000, 2023, 2024, 2100].map(isLeapYear)).toEqual([false, true, false, true, false]);
    expect(daysInMonth(2024, 2)).toBe(29);
    expect(daysInMonth(2026, 2)).toBe(28);
    expect(daysInMonth(2026, 4)).toBe(30);
    expect(daysInMonth(2026, 12)).toBe(31);
    expect(() => daysInMonth(2026, 13)).toThrow(RangeError);
  });
});

describe('day numbers', () => {
  it('count from 1970-01-01', () => {
    expect(toDayNumber('1970-01-01')).toBe(0);
    expect(toDayNumber('2000-03-01')).toBe(11017);
    expect(fromDayNumber(-1)).toBe('1969-12-31');
    expect(fromDayNumber(19782)).toBe('2024-02-29');
  });

  it('agree with the UTC calendar and round-trip, from year 1 to 9999', () => {
    fc.assert(
      fc.property(fc.integer({ min: -719162, max: 2932896 }), (n) => {
        const date = fromDayNumber(n);
        expect(date).toBe(viaDate(n));
        expect(toDayNumber(date)).toBe(n);
        expect(isValidDate(date)).toBe(true);
      }),
      { seed: 42, numRuns: 2000 },
    );
  });
});

describe('arithmetic', () => {
  it('steps over month ends, leap days and year ends', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2024-02-29', 1)).toBe('2024-03-01');
    expect(addDays('2023-02-28', 1)).toBe('2023-03-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-01-31', 30)).toBe('2026-03-02');
  });

  it('measures and compares', () => {
    expect(diffDays('2026-03-01', '2026-03-31')).toBe(30);
    expect(diffDays('2024-01-01', '2025-01-01')).toBe(366);
    expect(diffDays('2026-01-01', '2025-12-31')).toBe(-1);
    expect(compareDates('2026-03-01', '2026-02-28')).toBe(1);
    expect(compareDates('2026-03-01', '2026-03-01')).toBe(0);
    expect(compareDates('2025-12-31', '2026-01-01')).toBe(-1);
    expect(minDate('2026-03-01', '2026-02-28')).toBe('2026-02-28');
    expect(maxDate('2026-03-01', '2026-02-28')).toBe('2026-03-01');
  });

  it('names weekdays Monday = 1 … Sunday = 7', () => {
    expect(dayOfWeek('2026-03-01')).toBe(7);
    expect(dayOfWeek('2026-03-02')).toBe(1);
    expect(dayOfWeek('1970-01-01')).toBe(4);
    expect(dayOfWeek('1969-12-29')).toBe(1);
    expect(dayOfWeek('2024-02-29')).toBe(4);
  });

  it('iterates days inclusively', () => {
    expect([...eachDay('2024-02-27', '2024-03-01')]).toEqual([
      '2024-02-27',
      '2024-02-28',
      '2024-02-29',
      '2024-03-01',
    ]);
    expect([...eachDay('2026-03-02', '2026-03-01')]).toEqual([]);
  });
});

describe('calendar units', () => {
  it.each([
    ['week', '2026-03-01', '2026-02-23', '2026-03-01'],
    ['week', '2026-03-02', '2026-03-02', '2026-03-08'],
    ['week', '2026-12-31', '2026-12-28', '2027-01-03'],
    ['half_month', '2026-02-15', '2026-02-01', '2026-02-15'],
    ['half_month', '2026-02-16', '2026-02-16', '2026-02-28'],
    ['half_month', '2024-02-20', '2024-02-16', '2024-02-29'],
    ['half_month', '2026-03-31', '2026-03-16', '2026-03-31'],
    ['month', '2026-04-10', '2026-04-01', '2026-04-30'],
    ['month', '2024-02-01', '2024-02-01', '2024-02-29'],
    ['quarter', '2026-05-15', '2026-04-01', '2026-06-30'],
    ['quarter', '2026-12-31', '2026-10-01', '2026-12-31'],
    ['quarter', '2026-01-01', '2026-01-01', '2026-03-31'],
    ['year', '2024-07-04', '2024-01-01', '2024-12-31'],
  ] as const)('%s of %s is %s … %s', (unit, day, start, end) => {
    expect(startOf(unit, day)).toBe(start);
    expect(endOf(unit, day)).toBe(end);
  });

  it('tile the calendar: each unit holds its day and the next starts the day after', () => {
    const lengths: Record<(typeof CALENDAR_UNITS)[number], [number, number]> = {
      week: [7, 7],
      half_month: [13, 16],
      month: [28, 31],
      quarter: [90, 92],
      year: [365, 366],
    };
    fc.assert(
      fc.property(fc.constantFrom(...CALENDAR_UNITS), fc.integer({ min: 0, max: 40000 }), (unit, n) => {
        const start = unitStart(unit, n);
        const end = unitEnd(unit, n);
        expect(start).toBeLessThanOrEqual(n);
        expect(end).toBeGreaterThanOrEqual(n);
        expect(unitStart(unit, end + 1)).toBe(end + 1);
        expect(unitEnd(unit, start - 1)).toBe(start - 1);
        const [lo, hi] = lengths[unit];
        expect(end - start + 1).toBeGreaterThanOrEqual(lo);
        expect(end - start + 1).toBeLessThanOrEqual(hi);
      }),
      { seed: 42, numRuns: 500 },
    );
  });
});
