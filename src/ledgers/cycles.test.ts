import { describe, expect, it } from 'vitest';
import { addDays, deqing2017, eachDay, type PublishedRuleSet, provincialThreeLevel } from '../rules';
import { ledgerCycleFor } from './cycles';

const published = (
  id: string,
  effectiveFrom: string,
  ledger: { cycleEndDay: number | 'last'; submitWithinDays: number },
): PublishedRuleSet => ({
  id,
  version: 1,
  publishedAt: `${effectiveFrom}T00:00:00.000Z`,
  ruleSet: { ...structuredClone(deqing2017), effectiveFrom, ledger },
});

describe('ledger cycles under a rule-set history', () => {
  it('follows the rule set in force: 26th to 25th in deqing, calendar months with 5 days to submit in anji', () => {
    const deqing = [published('d', '2017-01-01', deqing2017.ledger)];
    expect(ledgerCycleFor(deqing, '2026-03-25')).toEqual({
      cycle: '2026-03',
      cycleStart: '2026-02-26',
      cycleEnd: '2026-03-25',
      dueBy: '2026-03-25',
    });
    expect(ledgerCycleFor(deqing, '2026-12-26').cycle).toBe('2027-01');
    const anji = [published('a', '2020-07-01', provincialThreeLevel.ledger)];
    expect(ledgerCycleFor(anji, '2026-02-28')).toEqual({
      cycle: '2026-02',
      cycleStart: '2026-02-01',
      cycleEnd: '2026-02-28',
      dueBy: '2026-03-05',
    });
  });

  it('uses calendar months before any rule set', () => {
    expect(ledgerCycleFor([], '2010-05-17')).toMatchObject({ cycle: '2010-05', cycleStart: '2010-05-01' });
  });

  it('tiles the calendar without gap or overlap when cycleEndDay changes mid-month, either way', () => {
    const histories = [
      [
        published('a', '2017-01-01', { cycleEndDay: 25, submitWithinDays: 0 }),
        published('b', '2026-03-10', { cycleEndDay: 'last', submitWithinDays: 3 }),
      ],
      [
        published('a', '2017-01-01', { cycleEndDay: 'last', submitWithinDays: 0 }),
        published('b', '2026-03-28', { cycleEndDay: 25, submitWithinDays: 0 }),
      ],
      [
        published('a', '2017-01-01', { cycleEndDay: 10, submitWithinDays: 0 }),
        published('b', '2026-03-11', { cycleEndDay: 20, submitWithinDays: 0 }),
      ],
    ];
    for (const history of histories) {
      let previous = ledgerCycleFor(history, '2026-01-01');
      for (const day of eachDay('2026-01-02', '2026-06-30')) {
        const c = ledgerCycleFor(history, day);
        expect(day >= c.cycleStart && day <= c.cycleEnd, `${day} in ${JSON.stringify(c)}`).toBe(true);
        if (c.cycle !== previous.cycle) {
          expect(c.cycleStart).toBe(addDays(previous.cycleEnd, 1));
          expect(c.cycle > previous.cycle).toBe(true);
        } else {
          expect(c).toEqual(previous);
        }
        previous = c;
      }
    }
  });

  it('takes the due day from the rules in force on cycleEnd', () => {
    const history = [
      published('a', '2017-01-01', { cycleEndDay: 'last', submitWithinDays: 0 }),
      published('b', '2026-03-15', { cycleEndDay: 'last', submitWithinDays: 7 }),
    ];
    expect(ledgerCycleFor(history, '2026-03-02').dueBy).toBe('2026-04-07');
    expect(ledgerCycleFor(history, '2026-02-27').dueBy).toBe('2026-02-28');
  });
});
