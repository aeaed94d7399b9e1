/**
 * Which ledger cycle a day falls in, under the county's rule-set history. API.md: "the ledger
 * rules are those of the rule set in force on cycleEnd" — but cycleEnd depends on the rules, so
 * we look for the fixed point: take the rules of the day, find the cycle's end, and recompute with
 * the rules of that end until they agree (a change of cycleEndDay between the two is the only
 * case that moves it, and it settles within a step or two).
 */
import {
  cycleOf,
  type LedgerCycle,
  type LedgerRules,
  ledgerDueBy,
  type PublishedRuleSet,
  ruleSetInForce,
} from '../rules';

/** What a county without a rule set on that day gets: calendar months, due at their end. */
export const DEFAULT_LEDGER_RULES: LedgerRules = { cycleEndDay: 'last', submitWithinDays: 0 };

export type LedgerCycleWithDue = LedgerCycle & { dueBy: string };

const rulesOn = (history: readonly PublishedRuleSet[], day: string): LedgerRules =>
  ruleSetInForce(history, day)?.ruleSet.ledger ?? DEFAULT_LEDGER_RULES;

export function ledgerCycleFor(history: readonly PublishedRuleSet[], day: string): LedgerCycleWithDue {
  let rules = rulesOn(history, day);
  let cycle = cycleOf(day, rules.cycleEndDay);
  for (let i = 0; i < 4; i++) {
    const atEnd = rulesOn(history, cycle.cycleEnd);
    const settled = atEnd.cycleEndDay === rules.cycleEndDay;
    rules = atEnd;
    if (settled) break;
    cycle = cycleOf(day, rules.cycleEndDay);
  }
  return { ...cycle, dueBy: ledgerDueBy(cycle.cycleEnd, rules.submitWithinDays) };
}
