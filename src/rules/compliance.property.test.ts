/**
 * Properties of compliance over random supervisees, histories and activities, and a differential
 * check of `required` against a deliberately naive day-by-day reading of API.md, and of every item
 * against the engine as it was before its fast path (test/helpers/reference-engine.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { referenceEvaluateCompliance } from '../../test/helpers/reference-engine.ts';
import { compileHistory, MICRO, type SuperviseeFacts } from './applicability.ts';
import {
  type ActivityFact,
  type ComplianceItem,
  evaluateCompliance,
  evaluateComplianceBatch,
  proratedRequired,
} from './compliance.ts';
import {
  addDays,
  CALENDAR_UNITS,
  type CalendarUnit,
  fromDayNumber,
  toDayNumber,
  unitEnd,
  unitStart,
} from './dates.ts';
import { type PublishedRuleSet, ruleSetInForce } from './history.ts';
import type { Requirement, RuleSet } from './schema.ts';
import { published, req, ruleSet } from './test-fixtures.ts';

const RUNS = { seed: 42, numRuns: 200 };

// Two versions; every id keeps its window kind across them, so the oracle can match by id.
const v1 = ruleSet({
  effectiveFrom: '2025-01-01',
  phases: [
    { code: 'intake', from: 'start', days: 45 },
    { code: 'release', from: 'end', days: 20 },
  ],
  requirements: [
    req('phone', ['phone_followup'], 'count', 1, { calendar: 'week' }),
    req('education', ['education'], 'hours', 8, { calendar: 'month' }),
    req('visit-key', ['home_visit'], 'count', 1, { calendar: 'half_month' }, { keyPerson: true }),
    req('counsel', ['psych_counselling'], 'count', 2, { calendar: 'quarter' }, { levels: ['strict'] }),
    req('calls', ['phone_followup'], 'count', 2, { rollingDays: 14 }),
    req('psych', ['psych_assessment'], 'count', 1, { withinDaysOfStart: 30 }),
    req('risk', ['risk_assessment'], 'count', 1, { everyDaysFromStart: 90 }, { ableToWork: true }),
    req('skills', ['skills_training'], 'hours', 10, { calendar: 'year' }, { phases: ['intake'] }),
    req(
      'parole-report',
      ['written_report'],
      'count',
      1,
      { calendar: 'month' },
      { sentenceTypes: ['parole'] },
    ),
    req('intake-visit', ['home_visit'], 'count', 1, { calendar: 'week' }, { phases: ['intake'] }),
    req('release-call', ['phone_followup'], 'count', 1, { calendar: 'week' }, { phases: ['release'] }),
  ],
  specialPeriods: [
    {
      name: 'a',
      from: '2025-10-01',
      to: '2025-10-07',
      requirements: [req('holiday', ['phone_followup'], 'count', 1, { calendar: 'week' })],
    },
  ],
});
const v2 = ruleSet({
  effectiveFrom: '2026-06-01',
  phases: [
    { code: 'intake', from: 'start', days: 60 },
    { code: 'release', from: 'end', days: 30 },
  ],
  requirements: [
    req('phone', ['phone_followup'], 'count', 2, { calendar: 'week' }, { levels: ['strict', 'normal'] }),
    req('education', ['education', 'group_activity'], 'hours', 12, { calendar: 'month' }),
    req('visit-key', ['home_visit'], 'count', 2, { calendar: 'half_month' }, { keyPerson: true }),
    req(
      'counsel',
      ['psych_counselling'],
      'count',
      1,
      { calendar: 'quarter' },
      { levels: ['strict', 'normal'] },
    ),
    req('calls', ['phone_followup'], 'count', 1, { rollingDays: 7 }, { phases: ['release'] }),
    req('psych', ['psych_assessment'], 'count', 2, { withinDaysOfStart: 20 }),
    req('risk', ['risk_assessment'], 'count', 1, { everyDaysFromStart: 90 }),
    req('skills', ['skills_training'], 'hours', 7.5, { calendar: 'year' }, { phases: ['intake', 'release'] }),
    req(
      'intake-visit',
      ['home_visit'],
      'count',
      2,
      { calendar: 'week' },
      { phases: ['intake'], levels: ['strict'] },
    ),
    req('release-call', ['phone_followup'], 'count', 1, { calendar: 'week' }, { phases: ['release'] }),
  ],
  specialPeriods: [
    {
      name: 'b',
      from: '2026-10-01',
      to: '2026-10-08',
      requirements: [req('holiday', ['phone_followup'], 'count', 1, { calendar: 'week' })],
    },
  ],
});
const HISTORY: PublishedRuleSet[] = [
  published(v2, '2026-05-01T00:00:00Z'),
  published(v1, '2024-12-01T00:00:00Z'),
];
const TYPES = [
  'phone_followup',
  'education',
  'home_visit',
  'psych_counselling',
  'psych_assessment',
  'risk_assessment',
  'skills_training',
  'written_report',
  'group_activity',
  'legal_publicity',
];
const LEVELS = ['strict', 'normal', 'lenient'];

const dayIn = (from: string, to: string) =>
  fc.integer({ min: toDayNumber(from), max: toDayNumber(to) }).map(fromDayNumber);

const superviseeArb: fc.Arbitrary<SuperviseeFacts> = fc
  .record({
    termStart: dayIn('2024-10-01', '2026-12-31'),
    length: fc.integer({ min: 0, max: 900 }),
    sentenceType: fc.constantFrom('control', 'probation', 'parole', 'temporary_release'),
    levels: fc.array(fc.record({ at: fc.integer({ min: 0, max: 900 }), level: fc.constantFrom(...LEVELS) }), {
      minLength: 1,
      maxLength: 4,
    }),
    keyPerson: fc.array(fc.record({ at: fc.integer({ min: 0, max: 900 }), value: fc.boolean() }), {
      minLength: 1,
      maxLength: 3,
    }),
    ableToWork: fc.array(fc.record({ at: fc.integer({ min: 0, max: 900 }), value: fc.boolean() }), {
      minLength: 1,
      maxLength: 3,
    }),
  })
  .map(({ termStart, length, sentenceType, levels, keyPerson, ableToWork }) => {
    // The first entry holds from termStart; later ones fall anywhere in the term.
    const dated = <T>(entries: ({ at: number } & T)[]) =>
      entries.map(({ at, ...rest }, i) => ({
        ...rest,
        effectiveFrom: addDays(termStart, i === 0 ? 0 : at % (length + 1)),
      }));
    return {
      id: 'sv',
      termStart,
      termEnd: addDays(termStart, length),
      sentenceType,
      levels: dated(levels),
      keyPerson: dated(keyPerson),
      ableToWork: dated(ableToWork),
    };
  });

const activityArb = fc
  .record({
    type: fc.constantFrom(...TYPES),
    occurredOn: dayIn('2024-09-01', '2027-12-31'),
    minutes: fc.integer({ min: 1, max: 300 }),
  })
  .map((a, i = 0) => ({ id: `a${i}`, ...a }) as ActivityFact);

const rangeArb = fc
  .record({
    from: dayIn('2024-12-01', '2027-06-30'),
    length: fc.integer({ min: 0, max: 120 }),
    todayOffset: fc.integer({ min: -60, max: 200 }),
  })
  .map(({ from, length, todayOffset }) => ({
    from,
    to: addDays(from, length),
    today: addDays(from, todayOffset),
  }));

const evaluate = (
  sv: SuperviseeFacts,
  activities: readonly ActivityFact[],
  r: { from: string; to: string; today: string },
) => evaluateCompliance({ history: HISTORY, supervisee: sv, activities, ...r });

const key = (i: ComplianceItem) => `${i.requirementId}|${i.measure}|${i.windowStart}|${i.windowEnd}`;

/** The literal reading of API.md, one day at a time. */
function naiveRequired(
  sv: SuperviseeFacts,
  id: string,
  windowStart: string,
  windowEnd: string,
): number | undefined {
  const valueOn = <T>(entries: readonly ({ effectiveFrom: string } & T)[], day: string) =>
    [...entries]
      .sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? -1 : a.effectiveFrom > b.effectiveFrom ? 1 : 0))
      .filter((e) => e.effectiveFrom <= day)
      .pop() ?? entries[0];
  let sum = 0;
  let max = 0;
  let measure: Requirement['measure'] = 'count';
  for (let d = windowStart; d <= windowEnd; d = addDays(d, 1)) {
    if (d < sv.termStart || d > sv.termEnd) continue;
    const rs: RuleSet | undefined = ruleSetInForce(HISTORY, d)?.ruleSet;
    if (!rs) continue;
    const special = rs.specialPeriods.filter((p) => p.from <= d && d <= p.to).flatMap((p) => p.requirements);
    const r = [...rs.requirements, ...special].find((x) => x.id === id);
    if (!r) continue;
    const a = r.appliesTo ?? {};
    const level = valueOn(sv.levels, d)?.level;
    const inPhase = (code: string) => {
      const p = rs.phases.find((x) => x.code === code)!;
      return p.from === 'start'
        ? d <= addDays(sv.termStart, p.days - 1)
        : d >= addDays(sv.termEnd, -(p.days - 1));
    };
    if (a.levels && !(level && a.levels.includes(level))) continue;
    if (a.keyPerson !== undefined && a.keyPerson !== valueOn(sv.keyPerson, d)?.value) continue;
    if (a.ableToWork !== undefined && a.ableToWork !== valueOn(sv.ableToWork, d)?.value) continue;
    if (a.sentenceTypes && !a.sentenceTypes.includes(sv.sentenceType)) continue;
    if (a.phases && !a.phases.some(inPhase)) continue;
    sum += Math.round(r.min * MICRO);
    max = Math.max(max, r.min);
    measure = r.measure;
  }
  if (sum === 0) return undefined;
  return proratedRequired(measure, sum, toDayNumber(windowEnd) - toDayNumber(windowStart) + 1, max);
}

/** Per windowed requirement id, its calendar unit or its everyDaysFromStart N (the same in both versions). */
const WINDOWS: Record<string, CalendarUnit | number> = {
  phone: 'week',
  education: 'month',
  'visit-key': 'half_month',
  counsel: 'quarter',
  risk: 90,
  skills: 'year',
  'parole-report': 'month',
  holiday: 'week',
  'intake-visit': 'week',
  'release-call': 'week',
};

/** Every window of the windowed requirements that the naive reading says must be reported, with its required. */
function naiveItems(sv: SuperviseeFacts, range: { from: string; to: string }): Map<string, number> {
  const expected = new Map<string, number>();
  const from = toDayNumber(range.from);
  const to = toDayNumber(range.to);
  const termStart = toDayNumber(sv.termStart);
  for (const [id, w] of Object.entries(WINDOWS)) {
    const windows: [number, number][] = [];
    if (typeof w === 'string') {
      for (let ws = unitStart(w, from); ws <= to; ws = unitEnd(w, ws) + 1) windows.push([ws, unitEnd(w, ws)]);
    } else if (to >= termStart) {
      for (
        let k = Math.max(0, Math.floor((from - termStart) / w));
        k <= Math.floor((to - termStart) / w);
        k++
      ) {
        windows.push([termStart + k * w, termStart + (k + 1) * w - 1]);
      }
    }
    for (const [ws, we] of windows) {
      const required = naiveRequired(sv, id, fromDayNumber(ws), fromDayNumber(we));
      if (required !== undefined) expected.set(`${id}|${fromDayNumber(ws)}|${fromDayNumber(we)}`, required);
    }
  }
  return expected;
}

describe('compliance properties', () => {
  it('reports exactly the calendar and everyDaysFromStart windows a day-by-day reading finds, with the same required', () => {
    fc.assert(
      fc.property(superviseeArb, rangeArb, (sv, range) => {
        const actual = new Map(
          evaluate(sv, [], range)
            .filter((i) => i.requirementId in WINDOWS)
            .map((i) => [`${i.requirementId}|${i.windowStart}|${i.windowEnd}`, i.required]),
        );
        expect(actual).toEqual(naiveItems(sv, range));
      }),
      { seed: 42, numRuns: 100 },
    );
  });

  it('adding a qualifying activity never lowers achieved nor turns met into anything else', () => {
    fc.assert(
      fc.property(
        superviseeArb,
        fc.array(activityArb, { maxLength: 30 }),
        activityArb,
        rangeArb,
        (sv, activities, extra, range) => {
          const before = evaluate(sv, activities, range);
          const after = new Map(evaluate(sv, [...activities, extra], range).map((i) => [key(i), i]));
          expect([...after.keys()]).toEqual(before.map(key));
          for (const item of before) {
            const now = after.get(key(item))!;
            expect(now.achieved).toBeGreaterThanOrEqual(item.achieved);
            expect(now.required).toBe(item.required);
            if (item.status === 'met') expect(now.status).toBe('met');
          }
        },
      ),
      RUNS,
    );
  });

  it('does not depend on the order of activities', () => {
    fc.assert(
      fc.property(
        superviseeArb,
        fc
          .array(activityArb, { maxLength: 30 })
          .chain((acts) =>
            fc.tuple(fc.constant(acts), fc.shuffledSubarray(acts, { minLength: acts.length })),
          ),
        rangeArb,
        (sv, [activities, shuffled], range) => {
          expect(evaluate(sv, shuffled, range)).toEqual(evaluate(sv, activities, range));
        },
      ),
      RUNS,
    );
  });

  it('never asks more than the full minimum, and always asks something', () => {
    const maxMin = new Map<string, number>();
    for (const r of [...v1.requirements, ...v2.requirements, ...v1.specialPeriods[0]!.requirements]) {
      maxMin.set(r.id, Math.max(maxMin.get(r.id) ?? 0, r.min));
    }
    fc.assert(
      fc.property(
        superviseeArb,
        fc.array(activityArb, { maxLength: 20 }),
        rangeArb,
        (sv, activities, range) => {
          for (const item of evaluate(sv, activities, range)) {
            expect(item.required).toBeGreaterThan(0);
            expect(item.required).toBeLessThanOrEqual(maxMin.get(item.requirementId)!);
            if (item.measure === 'count') expect(Number.isInteger(item.required)).toBe(true);
          }
        },
      ),
      RUNS,
    );
  });

  it('prorates monotonically, reaching exactly min over a full window', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 1, max: 400 }),
        fc.constantFrom('count' as const, 'hours' as const),
        fc.integer({ min: 1, max: 200 }),
        (windowDays, k, measure, m) => {
          const min = measure === 'count' ? m : m / 2;
          const days = Math.min(k, windowDays);
          const micro = Math.round(min * MICRO);
          const required = proratedRequired(measure, days * micro, windowDays, min);
          expect(required).toBeLessThanOrEqual(min);
          expect(required).toBeGreaterThanOrEqual(
            proratedRequired(measure, (days - 1) * micro, windowDays, min),
          );
          expect(required).toBeGreaterThanOrEqual((min * days) / windowDays - 1e-9);
          expect(proratedRequired(measure, windowDays * micro, windowDays, min)).toBe(min);
        },
      ),
      RUNS,
    );
  });

  it('tiles the range with whole calendar windows, without gap or overlap', () => {
    fc.assert(
      fc.property(fc.constantFrom(...CALENDAR_UNITS), rangeArb, (unit: CalendarUnit, range) => {
        const h = [
          published(ruleSet({ requirements: [req('r', ['education'], 'count', 1, { calendar: unit })] })),
        ];
        const sv = {
          id: 's',
          termStart: '2020-01-01',
          termEnd: '2030-12-31',
          sentenceType: 'probation',
          levels: [],
          keyPerson: [],
          ableToWork: [],
        };
        const items = evaluateCompliance({ history: h, supervisee: sv, activities: [], ...range });
        expect(items.length).toBeGreaterThan(0);
        expect(items[0]!.windowStart <= range.from && range.from <= items[0]!.windowEnd).toBe(true);
        expect(items.at(-1)!.windowStart <= range.to && range.to <= items.at(-1)!.windowEnd).toBe(true);
        items.forEach((item, i) => {
          const start = toDayNumber(item.windowStart);
          expect(unitStart(unit, start)).toBe(start);
          expect(unitEnd(unit, start)).toBe(toDayNumber(item.windowEnd));
          if (i > 0) expect(item.windowStart).toBe(addDays(items[i - 1]!.windowEnd, 1));
        });
      }),
      RUNS,
    );
  });

  it('gives no items for a supervisee whose term lies outside every window of the range', () => {
    fc.assert(
      fc.property(
        superviseeArb,
        fc.array(activityArb, { maxLength: 20 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 500 }),
        (sv, activities, after, gap) => {
          // No window reaches more than a year from the range (every-N spans start at termStart).
          const range = after
            ? {
                from: addDays(sv.termEnd, 400 + gap),
                to: addDays(sv.termEnd, 430 + gap),
                today: addDays(sv.termEnd, 500),
              }
            : {
                from: addDays(sv.termStart, -(430 + gap)),
                to: addDays(sv.termStart, -(400 + gap)),
                today: sv.termStart,
              };
          expect(evaluate(sv, activities, range)).toEqual([]);
        },
      ),
      RUNS,
    );
  });

  it('answers exactly as the frozen reference engine, one at a time and in a batch over one compiled history', () => {
    const histories = [HISTORY, [HISTORY[1]!], [HISTORY[0]!]];
    const compiled = histories.map((h) => compileHistory(h));
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: histories.length - 1 }),
        fc.array(fc.tuple(superviseeArb, fc.array(activityArb, { maxLength: 30 })), {
          minLength: 1,
          maxLength: 4,
        }),
        rangeArb,
        (h, people, range) => {
          const expected = people.map(([supervisee, activities]) =>
            referenceEvaluateCompliance({ history: histories[h]!, supervisee, activities, ...range }),
          );
          for (let i = 0; i < people.length; i++) {
            const [supervisee, activities] = people[i]!;
            expect(evaluateCompliance({ history: histories[h]!, supervisee, activities, ...range })).toEqual(
              expected[i],
            );
          }
          const batch = evaluateComplianceBatch({
            history: compiled[h]!,
            supervisees: people.map(([supervisee, activities]) => ({ supervisee, activities })),
            ...range,
          });
          expect(batch.map((b) => b.items)).toEqual(expected);
        },
      ),
      RUNS,
    );
  });
});
