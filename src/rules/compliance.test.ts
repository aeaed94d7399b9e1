import { describe, expect, it } from 'vitest';
import type { SuperviseeFacts } from './applicability.ts';
import { type ActivityFact, type ComplianceItem, compileHistory, evaluateCompliance } from './compliance.ts';
import type { PublishedRuleSet } from './history.ts';
import type { Requirement } from './schema.ts';
import { act, published, req, ruleSet, supervisee } from './test-fixtures.ts';

const education = req('education', ['education'], 'hours', 8, { calendar: 'month' });
const phone = req('phone-followup', ['phone_followup'], 'count', 1, { calendar: 'week' });
const visitKey = req(
  'visit-key',
  ['home_visit'],
  'count',
  1,
  { calendar: 'half_month' },
  { keyPerson: true },
);

function history(requirements: Requirement[], extra: Parameters<typeof ruleSet>[0] = {}): PublishedRuleSet[] {
  return [published(ruleSet({ requirements, ...extra }))];
}

function evaluate(
  h: PublishedRuleSet[],
  sv: SuperviseeFacts,
  activities: ActivityFact[],
  from: string,
  to: string,
  today: string,
): ComplianceItem[] {
  return evaluateCompliance({ history: h, supervisee: sv, activities, from, to, today });
}

/** Items reduced to what a test is about. */
const brief = (items: ComplianceItem[]) =>
  items.map(
    (i) =>
      `${i.requirementId} ${i.windowStart}..${i.windowEnd} ${i.required}/${i.achieved} ${i.status} due ${i.dueBy}`,
  );

describe('calendar windows', () => {
  it("reproduce API.md's example item: 6 of 8 hours in a month that is over → short", () => {
    const acts = [
      act('education', '2026-03-05', 180),
      act('education', '2026-03-20', 180),
      act('phone_followup', '2026-03-10'),
    ];
    expect(
      evaluate(history([education]), supervisee(), acts, '2026-03-01', '2026-03-31', '2026-04-01'),
    ).toEqual([
      {
        requirementId: 'education',
        windowStart: '2026-03-01',
        windowEnd: '2026-03-31',
        measure: 'hours',
        required: 8,
        achieved: 6,
        status: 'short',
        dueBy: '2026-03-31',
      },
    ]);
  });

  it('are open while not over (the last day included), and met as soon as achieved ≥ required', () => {
    const acts = [act('education', '2026-03-05', 180), act('education', '2026-03-20', 180)];
    const h = history([education]);
    expect(evaluate(h, supervisee(), acts, '2026-03-01', '2026-03-31', '2026-03-31')[0]!.status).toBe('open');
    const more = [...acts, act('education', '2026-03-21', 120)];
    expect(evaluate(h, supervisee(), more, '2026-03-01', '2026-03-31', '2026-03-22')[0]).toMatchObject({
      achieved: 8,
      status: 'met',
    });
  });

  it('count an activity anywhere in the window, even outside [from, to], and report whole windows', () => {
    const acts = [act('phone_followup', '2026-03-02')];
    // A range of one Sunday still reports its whole Monday–Sunday week.
    expect(
      brief(evaluate(history([phone]), supervisee(), acts, '2026-03-08', '2026-03-08', '2026-03-20')),
    ).toEqual(['phone-followup 2026-03-02..2026-03-08 1/1 met due 2026-03-08']);
  });

  it('prorate a term starting mid-week and mid-month, rounding counts up and hours to the next half hour', () => {
    // 2026-03-20 is a Friday: 12 days of March apply, 3 of that week, 12 of the half month 16–31.
    const sv = supervisee({
      termStart: '2026-03-20',
      keyPerson: [{ value: true, effectiveFrom: '2026-03-20' }],
    });
    const acts = [act('phone_followup', '2026-03-21'), act('home_visit', '2026-03-16')];
    expect(
      brief(
        evaluate(history([education, phone, visitKey]), sv, acts, '2026-03-01', '2026-03-31', '2026-03-25'),
      ),
    ).toEqual([
      // 8 h × 12/31 = 3.10 h → 3.5 h
      'education 2026-03-01..2026-03-31 3.5/0 open due 2026-03-31',
      // 1 × 3/7 → 1; weeks without an applying day are not reported
      'phone-followup 2026-03-16..2026-03-22 1/1 met due 2026-03-22',
      'phone-followup 2026-03-23..2026-03-29 1/0 open due 2026-03-29',
      'phone-followup 2026-03-30..2026-04-05 1/0 open due 2026-04-05',
      // the visit on the 16th is before the term but inside the window: it counts
      'visit-key 2026-03-16..2026-03-31 1/1 met due 2026-03-31',
    ]);
  });

  it('prorate by the days of the month: 28-day February, leap February, half months', () => {
    const study = req('study', ['education'], 'hours', 4, { calendar: 'half_month' });
    const feb2026 = evaluate(
      history([education]),
      supervisee({ termStart: '2026-02-15' }),
      [],
      '2026-02-01',
      '2026-02-28',
      '2026-03-01',
    );
    // 8 h × 14/28 = exactly 4 h
    expect(brief(feb2026)).toEqual(['education 2026-02-01..2026-02-28 4/0 short due 2026-02-28']);
    const feb2024 = evaluate(
      history([education, study]),
      supervisee({ termStart: '2024-02-15' }),
      [],
      '2024-02-01',
      '2024-02-29',
      '2024-02-20',
    );
    expect(brief(feb2024)).toEqual([
      // 8 h × 15/29 = 4.14 h → 4.5 h
      'education 2024-02-01..2024-02-29 4.5/0 open due 2024-02-29',
      // 4 h × 1/15 = 0.27 h → 0.5 h; the second half (16–29, 14 days) applies fully
      'study 2024-02-01..2024-02-15 0.5/0 short due 2024-02-15',
      'study 2024-02-16..2024-02-29 4/0 open due 2024-02-29',
    ]);
  });

  it('prorate a term ending mid-month, and report nothing after the term', () => {
    const sv = supervisee({ termStart: '2025-06-01', termEnd: '2026-01-10' });
    // 8 h × 10/31 = 2.58 h → 3 h
    expect(brief(evaluate(history([education]), sv, [], '2026-01-01', '2026-01-31', '2026-02-01'))).toEqual([
      'education 2026-01-01..2026-01-31 3/0 short due 2026-01-31',
    ]);
    expect(evaluate(history([education]), sv, [], '2026-02-01', '2026-02-28', '2026-03-01')).toEqual([]);
  });

  it('split a month between levels when the level changes mid-month', () => {
    const h = history([
      req('edu-strict', ['education'], 'hours', 12, { calendar: 'month' }, { levels: ['strict'] }),
      req('edu-normal', ['education'], 'hours', 8, { calendar: 'month' }, { levels: ['normal'] }),
    ]);
    const sv = supervisee({
      levels: [
        { level: 'strict', effectiveFrom: '2026-01-01' },
        { level: 'normal', effectiveFrom: '2026-03-15' },
      ],
    });
    expect(
      brief(evaluate(h, sv, [act('education', '2026-03-03', 300)], '2026-03-01', '2026-03-31', '2026-04-01')),
    ).toEqual([
      // 12 h × 14/31 = 5.42 → 5.5;  8 h × 17/31 = 4.39 → 4.5; the same 5 hours count for both
      'edu-normal 2026-03-01..2026-03-31 4.5/5 met due 2026-03-31',
      'edu-strict 2026-03-01..2026-03-31 5.5/5 short due 2026-03-31',
    ]);
  });

  it('honours a change that takes effect on the last day of the term', () => {
    const h = history([
      req('edu-normal', ['education'], 'hours', 8, { calendar: 'month' }, { levels: ['normal'] }),
    ]);
    const sv = supervisee({
      termStart: '2026-01-01',
      termEnd: '2026-03-31',
      levels: [
        { level: 'strict', effectiveFrom: '2026-01-01' },
        { level: 'normal', effectiveFrom: '2026-03-31' },
      ],
    });
    // 8 h × 1/31 = 0.26 h → 0.5 h
    expect(brief(evaluate(h, sv, [], '2026-03-01', '2026-03-31', '2026-03-01'))).toEqual([
      'edu-normal 2026-03-01..2026-03-31 0.5/0 open due 2026-03-31',
    ]);
  });

  it("sum each day's min under that day's rule-set version when a version takes effect mid-window", () => {
    const v1 = published(ruleSet({ requirements: [education] }), '2025-01-01T00:00:00Z');
    const v2 = published(
      ruleSet({
        effectiveFrom: '2026-03-16',
        requirements: [{ ...education, min: 12, activityTypes: ['education', 'group_activity'] }],
      }),
      '2026-03-01T00:00:00Z',
    );
    const acts = [act('group_activity', '2026-03-02', 120), act('education', '2026-03-10', 300)];
    expect(brief(evaluate([v2, v1], supervisee(), acts, '2026-03-01', '2026-04-30', '2026-04-10'))).toEqual([
      // (15 × 8 + 16 × 12) / 31 = 10.06 h → 10.5 h; a group activity counts in this window under v2's list
      'education 2026-03-01..2026-03-31 10.5/7 short due 2026-03-31',
      'education 2026-04-01..2026-04-30 12/0 open due 2026-04-30',
    ]);
  });

  it('prorate the days before the first rule set took effect as not applying', () => {
    const h = history([education], { effectiveFrom: '2026-03-16' });
    // 8 h × 16/31 = 4.13 h → 4.5 h
    expect(brief(evaluate(h, supervisee(), [], '2026-02-01', '2026-03-31', '2026-04-01'))).toEqual([
      'education 2026-03-01..2026-03-31 4.5/0 short due 2026-03-31',
    ]);
  });

  it('never ask more than min, even for an hours min that is not a multiple of 0.5', () => {
    const h = history([{ ...education, min: 7.3 }]);
    expect(evaluate(h, supervisee(), [], '2026-03-01', '2026-03-31', '2026-04-01')[0]!.required).toBe(7.3);
    // 7.3 × 16/31 = 3.77 → 4
    expect(
      evaluate(h, supervisee({ termStart: '2026-03-16' }), [], '2026-03-01', '2026-03-31', '2026-04-01')[0]!
        .required,
    ).toBe(4);
  });

  it('sum hours from minutes without float noise, and decide on exact minutes', () => {
    const half = history([{ ...education, min: 0.5 }]);
    const items = (acts: ActivityFact[]) =>
      evaluate(half, supervisee(), acts, '2026-03-01', '2026-03-31', '2026-04-01')[0]!;
    expect(items([act('education', '2026-03-01', 20)])).toMatchObject({ achieved: 0.33, status: 'short' });
    expect(items([act('education', '2026-03-01', 29)])).toMatchObject({ achieved: 0.48, status: 'short' });
    expect(items([act('education', '2026-03-01', 30)])).toMatchObject({ achieved: 0.5, status: 'met' });
    expect(items([act('education', '2026-03-01', 50), act('education', '2026-03-02', 40)])).toMatchObject({
      achieved: 1.5,
    });
  });

  it('cover quarters and years', () => {
    const h = history([
      req('q', ['psych_counselling'], 'count', 2, { calendar: 'quarter' }),
      req('y', ['skills_training'], 'hours', 20, { calendar: 'year' }),
    ]);
    // Term from 2024-07-01: 92 days of Q3 (full), 184 of 366 days of 2024.
    const sv = supervisee({ termStart: '2024-07-01' });
    expect(
      brief(
        evaluate(h, sv, [act('psych_counselling', '2024-08-01')], '2024-08-01', '2024-08-31', '2024-09-01'),
      ),
    ).toEqual([
      'q 2024-07-01..2024-09-30 2/1 open due 2024-09-30',
      // 20 h × 184/366 = 10.05 h → 10.5 h
      'y 2024-01-01..2024-12-31 10.5/0 open due 2024-12-31',
    ]);
  });
});

describe('appliesTo', () => {
  it('follows flags as they change, phases from the start and from the end, and sentence types', () => {
    const h = history(
      [
        req('intake-visit', ['home_visit'], 'count', 1, { calendar: 'week' }, { phases: ['intake'] }),
        req(
          'release-talk',
          ['individual_education'],
          'count',
          1,
          { calendar: 'month' },
          { phases: ['release'] },
        ),
        req('service', ['community_service'], 'hours', 8, { calendar: 'month' }, { ableToWork: true }),
        req(
          'parole-report',
          ['written_report'],
          'count',
          1,
          { calendar: 'month' },
          { sentenceTypes: ['parole'] },
        ),
      ],
      {
        phases: [
          { code: 'intake', from: 'start', days: 30 },
          { code: 'release', from: 'end', days: 30 },
        ],
      },
    );
    const sv = supervisee({
      termStart: '2026-03-10',
      termEnd: '2026-12-20',
      ableToWork: [
        { value: false, effectiveFrom: '2026-03-10' },
        { value: true, effectiveFrom: '2026-03-16' },
      ],
    });
    expect(brief(evaluate(h, sv, [], '2026-03-01', '2026-04-30', '2026-03-12'))).toEqual([
      // intake = 03-10 … 04-08
      'intake-visit 2026-03-09..2026-03-15 1/0 open due 2026-03-15',
      'intake-visit 2026-03-16..2026-03-22 1/0 open due 2026-03-22',
      'intake-visit 2026-03-23..2026-03-29 1/0 open due 2026-03-29',
      'intake-visit 2026-03-30..2026-04-05 1/0 open due 2026-04-05',
      'intake-visit 2026-04-06..2026-04-12 1/0 open due 2026-04-12',
      // able to work from 03-16: 8 h × 16/31 = 4.13 → 4.5
      'service 2026-03-01..2026-03-31 4.5/0 open due 2026-03-31',
      'service 2026-04-01..2026-04-30 8/0 open due 2026-04-30',
    ]);
    // release = 11-21 … 12-20
    expect(
      brief(evaluate(h, sv, [], '2026-11-01', '2026-12-31', '2026-11-01')).filter((s) =>
        s.startsWith('release'),
      ),
    ).toEqual([
      'release-talk 2026-11-01..2026-11-30 1/0 open due 2026-11-30',
      'release-talk 2026-12-01..2026-12-31 1/0 open due 2026-12-31',
    ]);
    const parolee = { ...sv, sentenceType: 'parole' };
    expect(
      evaluate(h, parolee, [], '2026-05-01', '2026-05-31', '2026-05-01').map((i) => i.requirementId),
    ).toEqual(['parole-report', 'service']);
  });

  it('adds special-period requirements on the period days only, and only under the version that defines them', () => {
    const holiday = {
      name: '国庆',
      from: '2026-09-28',
      to: '2026-10-08',
      requirements: [
        req('holiday-call', ['phone_followup'], 'count', 1, { calendar: 'week' }),
        req('holiday-study', ['education'], 'hours', 2, { calendar: 'week' }),
      ],
    };
    const h = history([], { specialPeriods: [holiday] });
    expect(
      brief(
        evaluate(
          h,
          supervisee(),
          [act('phone_followup', '2026-09-27')],
          '2026-09-01',
          '2026-10-31',
          '2026-10-06',
        ),
      ),
    ).toEqual([
      // 2026-09-28 is a Monday; 4 days (10-05 … 10-08) of the next week → 1
      'holiday-call 2026-09-28..2026-10-04 1/0 short due 2026-10-04',
      'holiday-call 2026-10-05..2026-10-11 1/0 open due 2026-10-11',
      'holiday-study 2026-09-28..2026-10-04 2/0 short due 2026-10-04',
      // 2 h × 4/7 = 1.14 → 1.5
      'holiday-study 2026-10-05..2026-10-11 1.5/0 open due 2026-10-11',
    ]);
    // A later version without the period governs from 10-01: only 09-28 … 09-30 keep the call.
    const v2 = published(ruleSet({ effectiveFrom: '2026-10-01' }), '2026-09-01T00:00:00Z');
    const calls = evaluate([...h, v2], supervisee(), [], '2026-09-01', '2026-10-31', '2026-10-06').filter(
      (i) => i.requirementId === 'holiday-call',
    );
    expect(brief(calls)).toEqual(['holiday-call 2026-09-28..2026-10-04 1/0 short due 2026-10-04']);
  });
});

describe('everyDaysFromStart', () => {
  const risk = req('risk', ['risk_assessment'], 'count', 1, { everyDaysFromStart: 365 });

  it('cuts the term into N-day spans from termStart, prorating a span the term does not fill', () => {
    const sv = supervisee({ termStart: '2025-06-10', termEnd: '2026-12-31' });
    const items = evaluate(
      history([risk]),
      sv,
      [act('risk_assessment', '2025-07-01')],
      '2026-06-01',
      '2026-06-30',
      '2026-06-15',
    );
    expect(brief(items)).toEqual([
      'risk 2025-06-10..2026-06-09 1/1 met due 2026-06-09',
      // 205 of 365 days apply: 1 × 205/365 → 1
      'risk 2026-06-10..2027-06-09 1/0 open due 2027-06-09',
    ]);
    // A span that has applying days is reported whole, even when asked about after the term.
    expect(brief(evaluate(history([risk]), sv, [], '2027-03-01', '2027-03-31', '2027-07-01'))).toEqual([
      'risk 2026-06-10..2027-06-09 1/0 short due 2027-06-09',
    ]);
  });

  it('counts days, not years, across a leap day', () => {
    const sv = supervisee({ termStart: '2023-06-10', termEnd: '2025-12-31' });
    expect(brief(evaluate(history([risk]), sv, [], '2024-01-01', '2024-01-31', '2024-01-01'))).toEqual([
      'risk 2023-06-10..2024-06-08 1/0 open due 2024-06-08',
    ]);
  });
});

describe('withinDaysOfStart', () => {
  const psych = req('psych', ['psych_assessment'], 'count', 1, { withinDaysOfStart: 30 });
  const sv = supervisee({ termStart: '2026-03-10' });
  const one = (acts: ActivityFact[], from: string, to: string, today: string) =>
    brief(evaluate(history([psych]), sv, acts, from, to, today));

  it('is due until the deadline (termStart + N), then overdue', () => {
    expect(one([], '2026-03-01', '2026-03-31', '2026-03-20')).toEqual([
      'psych 2026-03-10..2026-04-09 1/0 due due 2026-04-09',
    ]);
    expect(one([], '2026-03-01', '2026-03-31', '2026-04-09')).toEqual([
      'psych 2026-03-10..2026-04-09 1/0 due due 2026-04-09',
    ]);
    expect(one([], '2026-03-01', '2026-03-31', '2026-04-10')).toEqual([
      'psych 2026-03-10..2026-04-09 1/0 overdue due 2026-04-09',
    ]);
  });

  it('is met by activities in [termStart, deadline] only', () => {
    expect(one([act('psych_assessment', '2026-04-09')], '2026-03-01', '2026-03-31', '2026-04-15')).toEqual([
      'psych 2026-03-10..2026-04-09 1/1 met due 2026-04-09',
    ]);
    expect(
      one(
        [act('psych_assessment', '2026-04-10'), act('psych_assessment', '2026-03-09')],
        '2026-03-01',
        '2026-03-31',
        '2026-04-15',
      ),
    ).toEqual(['psych 2026-03-10..2026-04-09 1/0 overdue due 2026-04-09']);
  });

  it('is reported only for ranges overlapping [termStart, deadline]', () => {
    expect(one([], '2026-04-10', '2026-04-30', '2026-04-15')).toEqual([]);
    expect(one([], '2026-04-09', '2026-04-30', '2026-04-15')).toHaveLength(1);
    expect(one([], '2026-01-01', '2026-03-09', '2026-03-01')).toEqual([]);
  });

  it('exists only if the requirement applies on termStart', () => {
    const keyOnly = history([{ ...psych, appliesTo: { keyPerson: true } }]);
    const later = {
      ...sv,
      keyPerson: [
        { value: false, effectiveFrom: '2026-03-10' },
        { value: true, effectiveFrom: '2026-03-15' },
      ],
    };
    expect(evaluate(keyOnly, later, [], '2026-03-01', '2026-03-31', '2026-03-20')).toEqual([]);
  });
});

describe('rollingDays', () => {
  const calls = req('calls', ['phone_followup'], 'count', 1, { rollingDays: 7 });
  const one = (
    h: PublishedRuleSet[],
    sv: SuperviseeFacts,
    acts: ActivityFact[],
    from: string,
    to: string,
    today: string,
  ) => brief(evaluate(h, sv, acts, from, to, today));
  const march = supervisee({ termStart: '2026-03-01' });

  it('is met while the min-th most recent activity is no more than N days before asOf', () => {
    const acts = [act('phone_followup', '2026-03-10')];
    expect(one(history([calls]), march, acts, '2026-03-01', '2026-03-31', '2026-03-15')).toEqual([
      'calls 2026-03-08..2026-03-15 1/1 met due 2026-03-17',
    ]);
    expect(one(history([calls]), march, acts, '2026-03-01', '2026-03-31', '2026-03-20')).toEqual([
      'calls 2026-03-13..2026-03-20 1/0 overdue due 2026-03-17',
    ]);
  });

  it('is judged on the last day of the range when the range is past', () => {
    expect(
      one(
        history([calls]),
        march,
        [act('phone_followup', '2026-03-10')],
        '2026-03-01',
        '2026-03-12',
        '2026-03-20',
      ),
    ).toEqual(['calls 2026-03-05..2026-03-12 1/1 met due 2026-03-17']);
    expect(one(history([calls]), march, [], '2026-04-01', '2026-04-30', '2026-03-20')).toEqual([]);
  });

  it('without enough activities, counts from the day before the applying stretch began', () => {
    const sv = supervisee({ termStart: '2026-03-10' });
    expect(one(history([calls]), sv, [], '2026-03-01', '2026-03-31', '2026-03-16')).toEqual([
      'calls 2026-03-09..2026-03-16 1/0 met due 2026-03-16',
    ]);
    expect(one(history([calls]), sv, [], '2026-03-01', '2026-03-31', '2026-03-17')).toEqual([
      'calls 2026-03-10..2026-03-17 1/0 overdue due 2026-03-16',
    ]);
  });

  it('takes the min-th most recent activity, before the stretch too', () => {
    const two = history([{ ...calls, min: 2, window: { rollingDays: 14 } }]);
    const acts = [
      act('phone_followup', '2026-03-03'),
      act('phone_followup', '2026-03-11'),
      act('phone_followup', '2026-03-12'),
    ];
    expect(one(two, march, acts, '2026-03-01', '2026-03-31', '2026-03-20')).toEqual([
      'calls 2026-03-06..2026-03-20 2/2 met due 2026-03-25',
    ]);
    // Strict (and so the requirement) from 03-10; a call on 03-02 still counts, and is old.
    const strictOnly = history([{ ...calls, appliesTo: { levels: ['strict'] } }]);
    const sv = supervisee({
      termStart: '2026-03-01',
      levels: [
        { level: 'normal', effectiveFrom: '2026-03-01' },
        { level: 'strict', effectiveFrom: '2026-03-10' },
      ],
    });
    expect(
      one(strictOnly, sv, [act('phone_followup', '2026-03-02')], '2026-03-01', '2026-03-31', '2026-03-12'),
    ).toEqual(['calls 2026-03-05..2026-03-12 1/0 overdue due 2026-03-09']);
    expect(one(strictOnly, sv, [], '2026-03-01', '2026-03-31', '2026-03-12')).toEqual([
      'calls 2026-03-05..2026-03-12 1/0 met due 2026-03-16',
    ]);
  });

  it('is judged on the last applying day when the requirement stopped applying', () => {
    const strictOnly = history([{ ...calls, appliesTo: { levels: ['strict'] } }]);
    const sv = supervisee({
      termStart: '2026-03-01',
      levels: [
        { level: 'strict', effectiveFrom: '2026-03-01' },
        { level: 'normal', effectiveFrom: '2026-03-10' },
      ],
    });
    expect(one(strictOnly, sv, [], '2026-03-01', '2026-03-31', '2026-03-20')).toEqual([
      'calls 2026-03-02..2026-03-09 1/0 overdue due 2026-03-07',
    ]);
  });

  it('sums minutes for hours, back from asOf until min is reached', () => {
    const study = history([req('study', ['education'], 'hours', 2, { rollingDays: 7 })]);
    const acts = [act('education', '2026-03-05', 60), act('education', '2026-03-10', 90)];
    expect(one(study, march, acts, '2026-03-01', '2026-03-31', '2026-03-12')).toEqual([
      'study 2026-03-05..2026-03-12 2/2.5 met due 2026-03-12',
    ]);
    expect(one(study, march, acts, '2026-03-01', '2026-03-31', '2026-03-13')).toEqual([
      'study 2026-03-06..2026-03-13 2/1.5 overdue due 2026-03-12',
    ]);
  });

  it("keeps its stretch across a rule-set version change and uses asOf's version", () => {
    const v1 = published(ruleSet({ requirements: [calls] }), '2025-01-01T00:00:00Z');
    const v2 = published(
      ruleSet({ effectiveFrom: '2026-03-16', requirements: [{ ...calls, window: { rollingDays: 14 } }] }),
      '2026-03-01T00:00:00Z',
    );
    expect(one([v1, v2], march, [], '2026-03-01', '2026-03-31', '2026-03-20')).toEqual([
      'calls 2026-03-06..2026-03-20 1/0 overdue due 2026-03-14',
    ]);
  });
});

describe('the answer as a whole', () => {
  it('is sorted by requirement id, then window start', () => {
    const h = history([
      phone,
      education,
      req('a-first', ['home_visit'], 'count', 1, { calendar: 'half_month' }),
    ]);
    const ids = evaluate(h, supervisee(), [], '2026-03-01', '2026-03-20', '2026-03-01').map(
      (i) => `${i.requirementId} ${i.windowStart}`,
    );
    expect(ids).toEqual([
      'a-first 2026-03-01',
      'a-first 2026-03-16',
      'education 2026-03-01',
      'phone-followup 2026-02-23',
      'phone-followup 2026-03-02',
      'phone-followup 2026-03-09',
      'phone-followup 2026-03-16',
    ]);
  });

  it('is empty for an empty or inverted range, or before any rule set', () => {
    expect(
      evaluate(history([education]), supervisee(), [], '2026-03-31', '2026-03-01', '2026-03-01'),
    ).toEqual([]);
    expect(evaluate([], supervisee(), [], '2026-03-01', '2026-03-31', '2026-03-01')).toEqual([]);
    expect(
      evaluate(
        history([education], { effectiveFrom: '2030-01-01' }),
        supervisee(),
        [],
        '2026-03-01',
        '2026-03-31',
        '2026-03-01',
      ),
    ).toEqual([]);
  });

  it('is the same from a compiled history', () => {
    const h = history([education, phone, visitKey]);
    const input = {
      supervisee: supervisee(),
      activities: [act('education', '2026-03-03')],
      from: '2026-03-01',
      to: '2026-03-31',
      today: '2026-03-15',
    };
    expect(evaluateCompliance({ ...input, history: compileHistory(h) })).toEqual(
      evaluateCompliance({ ...input, history: h }),
    );
  });
});
