/**
 * Which ledger cycle a day falls in, under the county's rule-set history. API.md: a cycle is named
 * after the month it ends in, and "the ledger rules are those of the rule set in force on
 * cycleEnd". Each month's cycle end is therefore fixed first — the end day that the rules in force
 * on that very day define — and each cycle starts the day after the previous one ends. Cycles
 * thus tile the calendar without gap or overlap even when a new rule set changes `cycleEndDay`
 * mid-month (see docs/adr/0103).
 */
import {
  addDays,
  cycleBounds,
  type LedgerCycle,
  type LedgerRules,
  ledgerDueBy,
  monthOf,
  type PublishedRuleSet,
  ruleSetInForce,
} from '../rules';

/** What a county without a rule set on that day gets: calendar months, due at their end. */
export const DEFAULT_LEDGER_RULES: LedgerRules = { cycleEndDay: 'last', submitWithinDays: 0 };

export type LedgerCycleWithDue = LedgerCycle & { dueBy: string };

const rulesOn = (history: readonly PublishedRuleSet[], day: string): LedgerRules =>
  ruleSetInForce(history, day)?.ruleSet.ledger ?? DEFAULT_LEDGER_RULES;

/**
 * The end of cycle `month`: the day `e` of that month with `e` = the end day the rules in force on
 * `e` define. Tried with the rules of the month's last day, then with the rules in force on the
 * day those name; when a mid-month change leaves neither consistent, the month's last rules win.
 */
function cycleEndOf(history: readonly PublishedRuleSet[], month: string) {
  const lastRules = rulesOn(history, cycleBounds(month, 'last').cycleEnd);
  const first = cycleBounds(month, lastRules.cycleEndDay).cycleEnd;
  const firstRules = rulesOn(history, first);
  const second = cycleBounds(month, firstRules.cycleEndDay).cycleEnd;
  for (const end of [first, second]) {
    const rules = rulesOn(history, end);
    if (cycleBounds(month, rules.cycleEndDay).cycleEnd === end) return { end, rules };
  }
  return { end: first, rules: lastRules };
}

const nextMonth = (month: string) => monthOf(addDays(cycleBounds(month, 'last').cycleEnd, 1));
const previousMonth = (month: string) => monthOf(addDays(cycleBounds(month, 'last').cycleStart, -1));

export function ledgerCycleFor(history: readonly PublishedRuleSet[], day: string): LedgerCycleWithDue {
  const own = monthOf(day);
  const ownEnd = cycleEndOf(history, own);
  const cycle = day <= ownEnd.end ? own : nextMonth(own);
  const { end, rules } = cycle === own ? ownEnd : cycleEndOf(history, cycle);
  const cycleStart = addDays(cycleEndOf(history, previousMonth(cycle)).end, 1);
  return { cycle, cycleStart, cycleEnd: end, dueBy: ledgerDueBy(end, rules.submitWithinDays) };
}
