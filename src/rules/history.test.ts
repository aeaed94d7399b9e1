import { describe, expect, it } from 'vitest';
import { toDayNumber } from './dates.ts';
import { createRuleSetLookup, type PublishedRuleSet, ruleSetInForce, ruleSetSpans } from './history.ts';
import { ruleSet } from './test-fixtures.ts';

const entry = (
  id: string,
  version: number,
  effectiveFrom: string,
  publishedAt: string,
): PublishedRuleSet => ({
  id,
  version,
  publishedAt,
  ruleSet: ruleSet({ name: id, effectiveFrom }),
});

describe('ruleSetInForce', () => {
  const v1 = entry('v1', 1, '2026-01-01', '2025-12-01T08:00:00Z');
  const v2 = entry('v2', 2, '2026-03-16', '2026-03-01T08:00:00Z');

  it('governs from effectiveFrom to the day before the next one', () => {
    const history = [v2, v1];
    expect(ruleSetInForce(history, '2025-12-31')).toBeUndefined();
    expect(ruleSetInForce(history, '2026-01-01')?.id).toBe('v1');
    expect(ruleSetInForce(history, '2026-03-15')?.id).toBe('v1');
    expect(ruleSetInForce(history, '2026-03-16')?.id).toBe('v2');
    expect(ruleSetInForce(history, '2099-12-31')?.id).toBe('v2');
    expect(ruleSetInForce([], '2026-01-01')).toBeUndefined();
  });

  it('of two with the same effectiveFrom, takes the one published later, whatever the order or version', () => {
    const early = entry('early', 7, '2026-03-16', '2026-03-01T08:00:00Z');
    const late = entry('late', 3, '2026-03-16', '2026-03-02T00:00:00Z');
    expect(ruleSetInForce([late, v1, early], '2026-03-16')?.id).toBe('late');
    expect(ruleSetInForce([early, v1, late], '2026-04-01')?.id).toBe('late');
    // Instants compare as instants, not as text: 09:00+08:00 is before 02:00Z.
    const a = entry('a', 1, '2026-05-01', '2026-04-01T09:00:00+08:00');
    const b = entry('b', 2, '2026-05-01', '2026-04-01T02:00:00Z');
    expect(ruleSetInForce([b, a], '2026-05-01')?.id).toBe('b');
  });

  it('lets a later publication with an earlier effectiveFrom govern only until the next one', () => {
    const v3 = entry('v3', 3, '2026-02-01', '2026-04-01T00:00:00Z');
    const history = [v1, v2, v3];
    expect(ruleSetInForce(history, '2026-01-31')?.id).toBe('v1');
    expect(ruleSetInForce(history, '2026-02-01')?.id).toBe('v3');
    expect(ruleSetInForce(history, '2026-03-16')?.id).toBe('v2');
  });

  it('refuses a publication instant it cannot read', () => {
    expect(() => ruleSetInForce([entry('x', 1, '2026-01-01', 'yesterday')], '2026-01-01')).toThrow(
      RangeError,
    );
  });
});

describe('spans and lookups', () => {
  it('lists governing spans in day order, without the overruled', () => {
    const spans = ruleSetSpans([
      entry('b', 2, '2026-03-16', '2026-03-01T00:00:00Z'),
      entry('a', 1, '2026-01-01', '2025-12-01T00:00:00Z'),
      entry('a2', 3, '2026-01-01', '2025-12-02T00:00:00Z'),
    ]);
    expect(spans.map((s) => [s.published.id, s.from, s.to])).toEqual([
      ['a2', '2026-01-01', '2026-03-15'],
      ['b', '2026-03-16', null],
    ]);
    expect(spans[1]!.end).toBe(Number.POSITIVE_INFINITY);
  });

  it('answers by day number, for many days', () => {
    const lookup = createRuleSetLookup([
      entry('a', 1, '2024-01-01', '2024-01-01T00:00:00Z'),
      entry('b', 2, '2024-02-29', '2024-02-01T00:00:00Z'),
      entry('c', 3, '2024-03-01', '2024-02-01T00:00:00Z'),
    ]);
    const ids = ['2023-12-31', '2024-02-28', '2024-02-29', '2024-03-01'].map(
      (d) => lookup.at(toDayNumber(d))?.published.id,
    );
    expect(ids).toEqual([undefined, 'a', 'b', 'c']);
    expect(lookup.indexAt(toDayNumber('2023-12-31'))).toBe(-1);
  });
});
