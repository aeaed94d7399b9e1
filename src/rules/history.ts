/**
 * Which published rule set governs a day (API.md "Rule sets"): each governs from its
 * effectiveFrom to the day before the next one's; of two with the same effectiveFrom, the one
 * published later wins. The spans are computed once and searched by bisection, because
 * compliance asks this question for every supervisee's every change of state.
 */
import { type CivilDate, type DayNumber, fromDayNumber, toDayNumber } from './dates.ts';
import type { RuleSet } from './schema.ts';

export interface PublishedRuleSet {
  id: string;
  version: number;
  /** UTC ISO instant of publication. */
  publishedAt: string;
  ruleSet: RuleSet;
}

export interface RuleSetSpan {
  published: PublishedRuleSet;
  /** First day governed. */
  start: DayNumber;
  /** Last day governed; Infinity while no later rule set is published. */
  end: DayNumber;
  from: CivilDate;
  /** Last day governed, or null while open-ended. */
  to: CivilDate | null;
}

function instant(published: PublishedRuleSet): number {
  const t = Date.parse(published.publishedAt);
  if (Number.isNaN(t))
    throw new RangeError(
      `rule set ${published.id}: publishedAt is not an ISO instant: '${published.publishedAt}'`,
    );
  return t;
}

/** The governing spans in day order; rule sets overruled by a later publication are left out. */
export function ruleSetSpans(history: readonly PublishedRuleSet[]): RuleSetSpan[] {
  const sorted = history
    .map((published) => ({
      published,
      start: toDayNumber(published.ruleSet.effectiveFrom),
      at: instant(published),
    }))
    // Ties on the publication instant fall back to the version number, the next best "later".
    .sort((a, b) => a.start - b.start || a.at - b.at || a.published.version - b.published.version);
  const kept = sorted.filter((entry, i) => sorted[i + 1]?.start !== entry.start);
  return kept.map(({ published, start }, i) => {
    const next = kept[i + 1];
    const end = next ? next.start - 1 : Number.POSITIVE_INFINITY;
    return { published, start, end, from: fromDayNumber(start), to: next ? fromDayNumber(end) : null };
  });
}

export interface RuleSetLookup {
  readonly spans: readonly RuleSetSpan[];
  /** Index into `spans` of the span governing `day`, or -1 before the first rule set. */
  indexAt(day: DayNumber): number;
  at(day: DayNumber): RuleSetSpan | undefined;
}

export function createRuleSetLookup(history: readonly PublishedRuleSet[]): RuleSetLookup {
  const spans = ruleSetSpans(history);
  const indexAt = (day: DayNumber): number => {
    // Last span whose start is on or before the day.
    let lo = 0;
    let hi = spans.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (spans[mid]!.start <= day) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
  return { spans, indexAt, at: (day) => spans[indexAt(day)] };
}

/**
 * The rule set governing `day`, or undefined before the first one takes effect. For many days,
 * build one `createRuleSetLookup` instead of asking this repeatedly.
 */
export function ruleSetInForce(
  history: readonly PublishedRuleSet[],
  day: CivilDate,
): PublishedRuleSet | undefined {
  return createRuleSetLookup(history).at(toDayNumber(day))?.published;
}
