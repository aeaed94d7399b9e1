import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, fromDayNumber } from './dates.ts';
import { cycleBounds, cycleOf, cyclesBetween, ledgerDueBy } from './ledger-cycle.ts';

describe('cycles ending on the 25th', () => {
  it("name the month in which they end (API.md's example)", () => {
    expect(cycleBounds('2026-03', 25)).toEqual({
      cycle: '2026-03',
      cycleStart: '2026-02-26',
      cycleEnd: '2026-03-25',
    });
    expect(cycleOf('2026-03-10', 25)).toEqual(cycleBounds('2026-03', 25));
    expect(cycleOf('2026-02-26', 25).cycle).toBe('2026-03');
    expect(cycleOf('2026-03-25', 25).cycle).toBe('2026-03');
    expect(cycleOf('2026-03-26', 25)).toEqual({
      cycle: '2026-04',
      cycleStart: '2026-03-26',
      cycleEnd: '2026-04-25',
    });
  });

  it('cross the year end', () => {
    expect(cycleOf('2026-12-25', 25)).toEqual({
      cycle: '2026-12',
      cycleStart: '2026-11-26',
      cycleEnd: '2026-12-25',
    });
    expect(cycleOf('2026-12-26', 25)).toEqual({
      cycle: '2027-01',
      cycleStart: '2026-12-26',
      cycleEnd: '2027-01-25',
    });
    expect(cycleOf('2027-01-01', 25).cycle).toBe('2027-01');
  });

  it('are due cycleEnd + submitWithinDays', () => {
    expect(ledgerDueBy('2026-03-25', 0)).toBe('2026-03-25');
    expect(ledgerDueBy('2026-12-25', 10)).toBe('2027-01-04');
  });
});

describe("cycles ending on the 'last' day", () => {
  it('are calendar months', () => {
    expect(cycleOf('2024-02-29', 'last')).toEqual({
      cycle: '2024-02',
      cycleStart: '2024-02-01',
      cycleEnd: '2024-02-29',
    });
    expect(cycleOf('2026-12-31', 'last')).toEqual({
      cycle: '2026-12',
      cycleStart: '2026-12-01',
      cycleEnd: '2026-12-31',
    });
    expect(cycleBounds('2027-01', 'last')).toEqual({
      cycle: '2027-01',
      cycleStart: '2027-01-01',
      cycleEnd: '2027-01-31',
    });
  });
});

describe('an end day past the end of a month means its last day', () => {
  it('in February', () => {
    expect(cycleBounds('2026-02', 30)).toEqual({
      cycle: '2026-02',
      cycleStart: '2026-01-31',
      cycleEnd: '2026-02-28',
    });
    expect(cycleBounds('2026-03', 30)).toEqual({
      cycle: '2026-03',
      cycleStart: '2026-03-01',
      cycleEnd: '2026-03-30',
    });
    expect(cycleBounds('2024-02', 30)).toEqual({
      cycle: '2024-02',
      cycleStart: '2024-01-31',
      cycleEnd: '2024-02-29',
    });
    expect(cycleBounds('2024-03', 29)).toEqual({
      cycle: '2024-03',
      cycleStart: '2024-03-01',
      cycleEnd: '2024-03-29',
    });
    expect(cycleOf('2026-01-31', 30).cycle).toBe('2026-02');
    expect(cycleOf('2026-03-31', 30).cycle).toBe('2026-04');
  });

  it('so 31 is the same as last', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40000 }), (n) => {
        expect(cycleOf(fromDayNumber(n), 31)).toEqual(cycleOf(fromDayNumber(n), 'last'));
      }),
      { seed: 42, numRuns: 200 },
    );
  });
});

describe('cycles', () => {
  it('tile the calendar: each holds its day, is named after its end month, and the next begins the day after', () => {
    const endDay = fc.oneof(fc.integer({ min: 1, max: 31 }), fc.constant('last' as const));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40000 }), endDay, (n, end) => {
        const day = fromDayNumber(n);
        const c = cycleOf(day, end);
        expect(c.cycleStart <= day && day <= c.cycleEnd).toBe(true);
        expect(c.cycleEnd.slice(0, 7)).toBe(c.cycle);
        expect(cycleBounds(c.cycle, end)).toEqual(c);
        expect(cycleOf(addDays(c.cycleEnd, 1), end).cycleStart).toBe(addDays(c.cycleEnd, 1));
      }),
      { seed: 42, numRuns: 200 },
    );
  });

  it('between two days, in order', () => {
    expect(cyclesBetween('2026-12-20', '2027-02-01', 25).map((c) => c.cycle)).toEqual([
      '2026-12',
      '2027-01',
      '2027-02',
    ]);
    expect(cyclesBetween('2026-03-02', '2026-03-01', 25)).toEqual([]);
  });

  it('refuse what is not a cycle or an end day', () => {
    expect(() => cycleBounds('2026-13', 25)).toThrow(RangeError);
    expect(() => cycleBounds('2026-3', 25)).toThrow(RangeError);
    expect(() => cycleOf('2026-03-01', 0)).toThrow(RangeError);
    expect(() => cycleOf('2026-03-01', 32)).toThrow(RangeError);
    expect(() => cycleOf('2026-02-30', 25)).toThrow(RangeError);
  });
});
