import { describe, expect, it } from 'vitest';
import { formatIssues, ruleSetSchema, validateRuleSet } from './schema.ts';

// API.md's example, verbatim.
const apiExample = {
  name: '德清县社区矫正服务 2017',
  effectiveFrom: '2017-01-01',
  timezone: 'Asia/Shanghai',
  levels: [
    { code: 'strict', label: '严管' },
    { code: 'normal', label: '普管' },
    { code: 'lenient', label: '宽管' },
  ],
  phases: [
    { code: 'intake', from: 'start', days: 30 },
    { code: 'release', from: 'end', days: 30 },
  ],
  requirements: [
    {
      id: 'education',
      activityTypes: ['education'],
      measure: 'hours',
      min: 8,
      window: { calendar: 'month' },
    },
    {
      id: 'visit-key',
      activityTypes: ['home_visit'],
      measure: 'count',
      min: 1,
      window: { calendar: 'half_month' },
      appliesTo: { keyPerson: true },
    },
  ],
  specialPeriods: [
    {
      name: '国庆',
      from: '2026-09-28',
      to: '2026-10-08',
      requirements: [
        {
          id: 'holiday-call',
          activityTypes: ['phone_followup'],
          measure: 'count',
          min: 1,
          window: { calendar: 'week' },
        },
      ],
    },
  ],
  ledger: { cycleEndDay: 25, submitWithinDays: 0 },
  incidents: { acknowledgeWithinHours: 24, escalateAfterHours: 48 },
  pricing: { model: 'per_supervisee_year', unitPriceFen: 100000, workFundsShare: 0.5 },
  evaluation: {
    indicators: [
      { code: 'business', weight: 70 },
      { code: 'financial', weight: 30 },
    ],
    releaseBands: [
      { minScore: 90, release: 1 },
      { minScore: 80, release: 0.9 },
      { minScore: 60, release: 0.6 },
      { minScore: 0, release: 0 },
    ],
  },
};

type Doc = Record<string, unknown>;
const clone = (): Doc => structuredClone(apiExample) as Doc;

/** The example with one change made by `edit`; returns the errors (expects it to be refused). */
function errorsOf(edit: (doc: any) => void, options?: { extraActivityTypes?: string[] }) {
  const doc = clone();
  edit(doc);
  const result = validateRuleSet(doc, options);
  if (result.ok) throw new Error('expected the rule set to be refused');
  return result.errors;
}

const paths = (errors: { path: string }[]) => errors.map((e) => e.path);

describe('validateRuleSet accepts', () => {
  it("API.md's example as written", () => {
    const result = validateRuleSet(apiExample);
    expect(result).toEqual({ ok: true, value: apiExample });
    expect(ruleSetSchema.safeParse(apiExample).success).toBe(true);
  });

  it('a minimal document, filling in the defaults', () => {
    const { timezone, phases, specialPeriods, ledger, incidents, ...minimal } = clone();
    const result = validateRuleSet({ ...minimal, requirements: [] });
    expect(result.ok && result.value).toMatchObject({
      timezone: 'Asia/Shanghai',
      phases: [],
      specialPeriods: [],
      ledger: { cycleEndDay: 'last', submitWithinDays: 0 },
      incidents: { acknowledgeWithinHours: 24, escalateAfterHours: 48 },
    });
  });

  it("the county's own activity types, once supplied", () => {
    const doc = clone();
    (doc.requirements as any)[0].activityTypes = ['education', 'tea_talk'];
    expect(validateRuleSet(doc).ok).toBe(false);
    expect(validateRuleSet(doc, { extraActivityTypes: ['tea_talk'] }).ok).toBe(true);
  });

  it('every window kind, an hours min with a fraction, and a cycle end day past some months', () => {
    const doc = clone();
    doc.requirements = [
      { id: 'a', activityTypes: ['education'], measure: 'hours', min: 7.5, window: { calendar: 'quarter' } },
      { id: 'b', activityTypes: ['phone_followup'], measure: 'count', min: 2, window: { rollingDays: 14 } },
      {
        id: 'c',
        activityTypes: ['psych_assessment'],
        measure: 'count',
        min: 1,
        window: { withinDaysOfStart: 30 },
      },
      {
        id: 'd',
        activityTypes: ['risk_assessment'],
        measure: 'count',
        min: 1,
        window: { everyDaysFromStart: 365 },
      },
      {
        id: 'e',
        activityTypes: ['report_in_person'],
        measure: 'count',
        min: 1,
        window: { calendar: 'week' },
        appliesTo: {
          levels: ['strict'],
          phases: ['intake'],
          sentenceTypes: ['parole', 'control'],
          ableToWork: false,
        },
      },
    ];
    doc.ledger = { cycleEndDay: 30, submitWithinDays: 5, confirmWithinDays: 10 };
    expect(validateRuleSet(doc)).toMatchObject({ ok: true });
  });

  it('special periods that touch without overlapping', () => {
    const doc = clone();
    const period = (doc.specialPeriods as any)[0];
    doc.specialPeriods = [period, { name: '后', from: '2026-10-09', to: '2026-10-10', requirements: [] }];
    expect(validateRuleSet(doc).ok).toBe(true);
  });

  it('the other pricing models', () => {
    for (const pricing of [
      { model: 'per_service_hour', budgetFen: 1000000, minHours: 100, maxHours: 150 },
      { model: 'per_service_hour', budgetFen: 1000000, minHours: 100, maxHours: 150, workFundsShare: 0.3 },
      { model: 'fixed', amountFen: 5000000 },
    ]) {
      expect(validateRuleSet({ ...clone(), pricing }).ok).toBe(true);
    }
  });
});

describe('validateRuleSet refuses, with the path of the mistake', () => {
  it('a level the rule set does not define', () => {
    const errors = errorsOf((d) => {
      d.requirements[0].appliesTo = { levels: ['strict', 'severe'] };
    });
    expect(errors).toEqual([
      {
        path: 'requirements.0.appliesTo.levels',
        message: "unknown level 'severe'; defined levels: strict, normal, lenient",
      },
    ]);
  });

  it('a phase the rule set does not define', () => {
    const errors = errorsOf((d) => {
      d.requirements[1].appliesTo.phases = ['probation'];
    });
    expect(paths(errors)).toEqual(['requirements.1.appliesTo.phases']);
    expect(errors[0]!.message).toContain("unknown phase 'probation'; defined phases: intake, release");
  });

  it('an unknown activity type, also inside a special period', () => {
    expect(paths(errorsOf((d) => d.requirements[0].activityTypes.push('karaoke')))).toEqual([
      'requirements.0.activityTypes',
    ]);
    const errors = errorsOf((d) => {
      d.specialPeriods[0].requirements[0].activityTypes = ['karaoke'];
      d.specialPeriods[0].requirements[0].appliesTo = { levels: ['x'] };
    });
    expect(paths(errors)).toEqual([
      'specialPeriods.0.requirements.0.activityTypes',
      'specialPeriods.0.requirements.0.appliesTo.levels',
    ]);
    expect(errors[0]!.message).toMatch(
      /^unknown activity type 'karaoke'; defined activity types: home_visit, /,
    );
  });

  it('an unknown sentence type', () => {
    const errors = errorsOf((d) => {
      d.requirements[0].appliesTo = { sentenceTypes: ['probation', 'house_arrest'] };
    });
    expect(paths(errors)).toEqual(['requirements.0.appliesTo.sentenceTypes']);
  });

  it.each([0, -1])('min %s', (min) => {
    const errors = errorsOf((d) => {
      d.requirements[0].min = min;
    });
    expect(errors).toEqual([{ path: 'requirements.0.min', message: 'min must be greater than 0' }]);
  });

  it('a fractional min for a count', () => {
    const errors = errorsOf((d) => {
      d.requirements[1].min = 1.5;
    });
    expect(paths(errors)).toEqual(['requirements.1.min']);
  });

  it.each([
    [{ calendar: 'fortnight' }],
    [{ daily: 1 }],
    [{ calendar: 'week', rollingDays: 7 }],
    ['month'],
    [{}],
  ])('an unknown window %j', (window) => {
    const errors = errorsOf((d) => {
      d.requirements[0].window = window;
    });
    expect(paths(errors)).toEqual(['requirements.0.window']);
    expect(errors[0]!.message).toMatch(/^unknown window /);
  });

  it('a window of no days, or of part of a day', () => {
    expect(errorsOf((d) => (d.requirements[0].window = { rollingDays: 0 }))).toEqual([
      { path: 'requirements.0.window.rollingDays', message: 'must be at least 1 day' },
    ]);
    expect(paths(errorsOf((d) => (d.requirements[0].window = { everyDaysFromStart: 1.5 })))).toEqual([
      'requirements.0.window.everyDaysFromStart',
    ]);
  });

  it.each([
    ['effectiveFrom', (d: any) => (d.effectiveFrom = '2026-02-30')],
    ['effectiveFrom', (d: any) => (d.effectiveFrom = '2026/01/01')],
    ['specialPeriods.0.from', (d: any) => (d.specialPeriods[0].from = '2025-02-29')],
    ['specialPeriods.0.to', (d: any) => (d.specialPeriods[0].to = '2026-13-01')],
  ])('an impossible date at %s', (path, edit) => {
    expect(paths(errorsOf(edit))).toEqual([path]);
  });

  it('a special period that ends before it starts', () => {
    const errors = errorsOf((d) => {
      d.specialPeriods[0].to = '2026-09-27';
    });
    expect(paths(errors)).toEqual(['specialPeriods.0.to']);
  });

  it('overlapping special periods, at the later one', () => {
    const errors = errorsOf((d) => {
      d.specialPeriods.push({ name: '重阳', from: '2026-10-08', to: '2026-10-20', requirements: [] });
    });
    expect(errors).toEqual([
      {
        path: 'specialPeriods.1',
        message:
          "special period '重阳' (2026-10-08..2026-10-20) overlaps '国庆' (2026-09-28..2026-10-08) at index 0",
      },
    ]);
  });

  it('duplicate codes and ids', () => {
    expect(paths(errorsOf((d) => d.levels.push({ code: 'normal', label: 'x' })))).toEqual(['levels.3.code']);
    expect(paths(errorsOf((d) => d.phases.push({ code: 'intake', from: 'end', days: 3 })))).toEqual([
      'phases.2.code',
    ]);
    expect(paths(errorsOf((d) => (d.requirements[1].id = 'education')))).toEqual(['requirements.1.id']);
    expect(paths(errorsOf((d) => (d.specialPeriods[0].requirements[0].id = 'visit-key')))).toEqual([
      'specialPeriods.0.requirements.0.id',
    ]);
  });

  it('indicator weights that do not sum to 100', () => {
    const errors = errorsOf((d) => {
      d.evaluation.indicators[1].weight = 20;
    });
    expect(errors).toEqual([
      { path: 'evaluation.indicators', message: 'indicator weights must sum to 100; they sum to 90' },
    ]);
  });

  it("children whose weights do not sum to their parent's", () => {
    const errors = errorsOf((d) => {
      d.evaluation.indicators[0].children = [
        { code: 'goals', weight: 30 },
        { code: 'effect', weight: 30 },
      ];
    });
    expect(paths(errors)).toEqual(['evaluation.indicators.0.children']);
  });

  it('weights summing to 100 only in floating point are accepted', () => {
    const doc = clone();
    (doc.evaluation as any).indicators = [
      { code: 'a', weight: 33.3 },
      { code: 'b', weight: 33.3 },
      { code: 'c', weight: 33.4 },
    ];
    expect(validateRuleSet(doc).ok).toBe(true);
  });

  it('money that is negative or not whole fen, and shares outside [0, 1]', () => {
    expect(paths(errorsOf((d) => (d.pricing.unitPriceFen = -1)))).toEqual(['pricing.unitPriceFen']);
    expect(paths(errorsOf((d) => (d.pricing.unitPriceFen = 99.5)))).toEqual(['pricing.unitPriceFen']);
    expect(paths(errorsOf((d) => (d.pricing.workFundsShare = 1.2)))).toEqual(['pricing.workFundsShare']);
    expect(paths(errorsOf((d) => (d.evaluation.releaseBands[0].release = -0.1)))).toEqual([
      'evaluation.releaseBands.0.release',
    ]);
    expect(
      paths(errorsOf((d) => (d.pricing = { model: 'fixed', amountFen: 10, workFundsShare: 2 }))),
    ).toEqual(['pricing.workFundsShare']);
  });

  it('an unknown pricing model, or fields of another model', () => {
    const errors = errorsOf((d) => {
      d.pricing = { model: 'per_visit', amountFen: 1 };
    });
    expect(paths(errors)).toEqual(['pricing.model']);
    expect(errors[0]!.message).toBe(
      'unknown pricing model "per_visit"; expected per_supervisee_year, per_service_hour, fixed',
    );
    expect(paths(errorsOf((d) => (d.pricing = { model: 'fixed', unitPriceFen: 1 })))).toEqual([
      'pricing.amountFen',
      'pricing.unitPriceFen',
    ]);
  });

  it('unknown fields, at their own path', () => {
    const errors = errorsOf((d) => {
      d.requirements[0].minimum = 3;
      d.colour = 'red';
    });
    expect(errors).toHaveLength(2);
    expect(errors).toEqual(
      expect.arrayContaining([
        { path: 'colour', message: "unknown field 'colour'" },
        { path: 'requirements.0.minimum', message: "unknown field 'minimum'" },
      ]),
    );
  });

  it('missing and mistyped fields', () => {
    const errors = errorsOf((d) => {
      delete d.name;
      d.requirements[0].min = '8';
    });
    expect(errors).toEqual([
      { path: 'name', message: 'required' },
      { path: 'requirements.0.min', message: 'expected number' },
    ]);
  });

  it('a ledger cycle end day that is no day of a month', () => {
    expect(paths(errorsOf((d) => (d.ledger.cycleEndDay = 0)))).toEqual(['ledger.cycleEndDay']);
    expect(paths(errorsOf((d) => (d.ledger.cycleEndDay = 32)))).toEqual(['ledger.cycleEndDay']);
    expect(paths(errorsOf((d) => (d.ledger.cycleEndDay = 'first')))).toEqual(['ledger.cycleEndDay']);
  });

  it('an unknown time zone', () => {
    expect(paths(errorsOf((d) => (d.timezone = 'Mars/Olympus')))).toEqual(['timezone']);
  });

  it('several mistakes at once', () => {
    const errors = errorsOf((d) => {
      d.requirements[0].appliesTo = { levels: ['severe'] };
      d.requirements[1].activityTypes = ['karaoke'];
      d.evaluation.indicators[0].weight = 60;
    });
    expect(paths(errors)).toEqual([
      'requirements.0.appliesTo.levels',
      'requirements.1.activityTypes',
      'evaluation.indicators',
    ]);
  });
});

describe('formatIssues', () => {
  it('joins array paths with dots', () => {
    const parsed = ruleSetSchema.safeParse({
      ...apiExample,
      requirements: [{ ...apiExample.requirements[0], min: -2 }],
    });
    expect(parsed.success).toBe(false);
    expect(formatIssues(parsed.error!)).toEqual([
      { path: 'requirements.0.min', message: 'min must be greater than 0' },
    ]);
  });
});
