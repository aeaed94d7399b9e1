/**
 * The rule-set document (API.md "Rule sets"): one zod schema, strict everywhere so that a typo in
 * a field name is refused rather than silently ignored, plus the cross-field checks a county
 * administrator needs reported with the exact path of the mistake.
 */
import { z } from 'zod';
import { knownActivityTypes } from './activity-types.ts';
import { CALENDAR_UNITS, isValidDate } from './dates.ts';

export const SENTENCE_TYPES = ['control', 'probation', 'parole', 'temporary_release'] as const;
export type SentenceType = (typeof SENTENCE_TYPES)[number];

export const MEASURES = ['count', 'hours'] as const;
export type Measure = (typeof MEASURES)[number];

export const PRICING_MODELS = ['per_supervisee_year', 'per_service_hour', 'fixed'] as const;
export type PricingModel = (typeof PRICING_MODELS)[number];

/** Largest `min`: keeps the engine's integer arithmetic (micro-units × days) far below 2^53. */
export const MAX_MIN = 10_000;
/** Longest span a window may name, in days (a century). */
export const MAX_WINDOW_DAYS = 36_600;

const quoteList = (values: readonly string[]) => (values.length ? values.join(', ') : '(none)');

// ---------------------------------------------------------------------------------------------
// Field schemas

const code = z
  .string()
  .min(1, 'must not be empty')
  .max(64, 'must be at most 64 characters')
  .regex(/^\S+$/, 'must not contain spaces');

export const civilDateSchema = z.string().superRefine((value, ctx) => {
  if (isValidDate(value)) return;
  ctx.addIssue({
    code: 'custom',
    message: /^\d{4}-\d{2}-\d{2}$/.test(value)
      ? `impossible date '${value}'`
      : `expected a date as YYYY-MM-DD, got '${value}'`,
  });
});

const fen = z
  .number()
  .int('must be a whole number of fen')
  .nonnegative('must not be negative')
  .max(Number.MAX_SAFE_INTEGER, 'is too large');

const share = z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1');

const windowDays = z
  .number()
  .int('must be a whole number of days')
  .positive('must be at least 1 day')
  .max(MAX_WINDOW_DAYS, `must be at most ${MAX_WINDOW_DAYS} days`);

const timezone = z.string().superRefine((value, ctx) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
  } catch {
    ctx.addIssue({
      code: 'custom',
      message: `unknown time zone '${value}' (use an IANA name such as Asia/Shanghai)`,
    });
  }
});

// The union decides only which kind of window this is, so that anything unrecognisable gets one
// clear message; the number of days is then checked at its own path.
export const windowSchema = z
  .union(
    [
      z.strictObject({ calendar: z.enum(CALENDAR_UNITS) }),
      z.strictObject({ rollingDays: z.number() }),
      z.strictObject({ withinDaysOfStart: z.number() }),
      z.strictObject({ everyDaysFromStart: z.number() }),
    ],
    {
      error: (issue) =>
        `unknown window ${JSON.stringify(issue.input)}; expected {"calendar": ${CALENDAR_UNITS.map((u) => `"${u}"`).join(' | ')}}, {"rollingDays": N}, {"withinDaysOfStart": N} or {"everyDaysFromStart": N}`,
    },
  )
  .superRefine((window, ctx) => {
    for (const [key, days] of Object.entries(window)) {
      if (key === 'calendar') continue;
      const checked = windowDays.safeParse(days);
      if (!checked.success)
        ctx.addIssue({ code: 'custom', path: [key], message: checked.error.issues[0]!.message });
    }
  });

// Membership of the lists (levels, phases, sentence types) is checked against the document as a
// whole below, so that every such error points at the list itself, as API.md's example path does.
export const appliesToSchema = z.strictObject({
  levels: z.array(code).min(1, 'list at least one level, or leave the field out').optional(),
  keyPerson: z.boolean().optional(),
  ableToWork: z.boolean().optional(),
  phases: z.array(code).min(1, 'list at least one phase, or leave the field out').optional(),
  sentenceTypes: z
    .array(z.string())
    .min(1, 'list at least one sentence type, or leave the field out')
    .optional(),
});

export const requirementSchema = z
  .strictObject({
    id: code,
    label: z.string().optional(),
    activityTypes: z.array(z.string()).min(1, 'list at least one activity type'),
    measure: z.enum(MEASURES),
    min: z.number().positive('min must be greater than 0').max(MAX_MIN, `min must be at most ${MAX_MIN}`),
    window: windowSchema,
    appliesTo: appliesToSchema.optional(),
  })
  .superRefine((r, ctx) => {
    if (r.measure === 'count' && r.min > 0 && !Number.isInteger(r.min)) {
      ctx.addIssue({
        code: 'custom',
        path: ['min'],
        message: `min must be a whole number when measure is 'count', got ${r.min}`,
      });
    }
  });

export const levelSchema = z.strictObject({ code, label: z.string().optional() });

export const phaseSchema = z.strictObject({
  code,
  label: z.string().optional(),
  from: z.enum(['start', 'end']),
  days: windowDays,
});

export const specialPeriodSchema = z
  .strictObject({
    name: z.string().min(1, 'must not be empty'),
    from: civilDateSchema,
    to: civilDateSchema,
    requirements: z.array(requirementSchema),
  })
  .superRefine((p, ctx) => {
    if (isValidDate(p.from) && isValidDate(p.to) && p.to < p.from) {
      ctx.addIssue({
        code: 'custom',
        path: ['to'],
        message: `special period ends (${p.to}) before it starts (${p.from})`,
      });
    }
  });

export const ledgerRulesSchema = z.strictObject({
  // API.md: "a day past a month's end means its last day", so 29–31 are meaningful.
  cycleEndDay: z.union([z.number().int().min(1).max(31), z.literal('last')], {
    error: 'cycleEndDay must be a day of the month 1–31 or "last"',
  }),
  submitWithinDays: z.number().int('must be a whole number of days').min(0).max(366),
  confirmWithinDays: z.number().int('must be a whole number of days').min(0).max(366).optional(),
});

export const incidentRulesSchema = z
  .strictObject({
    acknowledgeWithinHours: z
      .number()
      .positive('must be more than 0 hours')
      .max(24 * 366),
    escalateAfterHours: z
      .number()
      .positive('must be more than 0 hours')
      .max(24 * 366),
  })
  .superRefine((r, ctx) => {
    if (r.escalateAfterHours < r.acknowledgeWithinHours) {
      ctx.addIssue({
        code: 'custom',
        path: ['escalateAfterHours'],
        message: 'escalateAfterHours must not be shorter than acknowledgeWithinHours',
      });
    }
  });

export const pricingSchema = z.discriminatedUnion(
  'model',
  [
    z.strictObject({ model: z.literal('per_supervisee_year'), unitPriceFen: fen, workFundsShare: share }),
    z
      .strictObject({
        model: z.literal('per_service_hour'),
        budgetFen: fen,
        minHours: z.number().nonnegative('must not be negative'),
        maxHours: z.number().nonnegative('must not be negative'),
        workFundsShare: share.optional(),
      })
      .superRefine((p, ctx) => {
        if (p.maxHours < p.minHours) {
          ctx.addIssue({
            code: 'custom',
            path: ['maxHours'],
            message: 'maxHours must not be below minHours',
          });
        }
      }),
    z.strictObject({ model: z.literal('fixed'), amountFen: fen, workFundsShare: share.optional() }),
  ],
  {
    error: (issue) =>
      issue.code === 'invalid_union'
        ? `unknown pricing model ${JSON.stringify((issue.input as { model?: unknown } | undefined)?.model)}; expected ${PRICING_MODELS.join(', ')}`
        : undefined,
  },
);

export interface Indicator {
  code: string;
  weight: number;
  label?: string | undefined;
  children?: Indicator[] | undefined;
}

export const indicatorSchema: z.ZodType<Indicator> = z.lazy(() =>
  z.strictObject({
    code,
    weight: z.number().positive('weight must be greater than 0').max(100, 'weight must be at most 100'),
    label: z.string().optional(),
    children: z.array(indicatorSchema).min(1, 'leave children out rather than empty').optional(),
  }),
);

export const releaseBandSchema = z.strictObject({
  minScore: z
    .number()
    .min(0, 'minScore must be between 0 and 100')
    .max(100, 'minScore must be between 0 and 100'),
  release: share,
});

export const evaluationRulesSchema = z.strictObject({
  indicators: z.array(indicatorSchema).min(1, 'list at least one indicator'),
  releaseBands: z.array(releaseBandSchema).min(1, 'list at least one band'),
});

// ---------------------------------------------------------------------------------------------
// The document

const ruleSetShape = z.strictObject({
  name: z.string().min(1, 'must not be empty').max(200),
  effectiveFrom: civilDateSchema,
  timezone: timezone.default('Asia/Shanghai'),
  levels: z.array(levelSchema).min(1, 'define at least one level'),
  phases: z.array(phaseSchema).default([]),
  requirements: z.array(requirementSchema),
  specialPeriods: z.array(specialPeriodSchema).default([]),
  ledger: ledgerRulesSchema.default({ cycleEndDay: 'last', submitWithinDays: 0 }),
  incidents: incidentRulesSchema.default({ acknowledgeWithinHours: 24, escalateAfterHours: 48 }),
  pricing: pricingSchema,
  evaluation: evaluationRulesSchema,
});

export type RuleSet = z.output<typeof ruleSetShape>;
/** What a client may send: the fields with defaults may be left out. */
export type RuleSetInput = z.input<typeof ruleSetShape>;
export type Requirement = z.output<typeof requirementSchema>;
export type RequirementWindow = z.output<typeof windowSchema>;
export type AppliesTo = z.output<typeof appliesToSchema>;
export type Level = z.output<typeof levelSchema>;
export type Phase = z.output<typeof phaseSchema>;
export type SpecialPeriod = z.output<typeof specialPeriodSchema>;
export type LedgerRules = z.output<typeof ledgerRulesSchema>;
export type IncidentRules = z.output<typeof incidentRulesSchema>;
export type Pricing = z.output<typeof pricingSchema>;
export type EvaluationRules = z.output<typeof evaluationRulesSchema>;
export type ReleaseBand = z.output<typeof releaseBandSchema>;

export interface RuleSetOptions {
  /** The county's own activity types, allowed in `activityTypes` besides the base list. */
  extraActivityTypes?: readonly string[];
}

type Path = (string | number)[];
type Report = (path: Path, message: string) => void;

function checkUnique<T>(
  items: readonly T[],
  key: (item: T) => string,
  path: (i: number) => Path,
  what: string,
  report: Report,
) {
  const seen = new Map<string, number>();
  items.forEach((item, i) => {
    const k = key(item);
    const first = seen.get(k);
    if (first === undefined) seen.set(k, i);
    else report(path(i), `duplicate ${what} '${k}' (first defined at index ${first})`);
  });
}

function checkMembers(
  values: readonly string[] | undefined,
  allowed: ReadonlySet<string>,
  path: Path,
  what: string,
  plural: string,
  report: Report,
) {
  for (const value of values ?? []) {
    if (!allowed.has(value)) {
      report(path, `unknown ${what} '${value}'; defined ${plural}: ${quoteList([...allowed])}`);
    }
  }
}

function checkRequirements(ruleSet: RuleSet, activityTypes: ReadonlySet<string>, report: Report) {
  const levels = new Set(ruleSet.levels.map((l) => l.code));
  const phases = new Set(ruleSet.phases.map((p) => p.code));
  const sentenceTypes: ReadonlySet<string> = new Set(SENTENCE_TYPES);
  const all: { requirement: Requirement; path: Path }[] = [
    ...ruleSet.requirements.map((requirement, i) => ({ requirement, path: ['requirements', i] })),
    ...ruleSet.specialPeriods.flatMap((p, j) =>
      p.requirements.map((requirement, k) => ({
        requirement,
        path: ['specialPeriods', j, 'requirements', k],
      })),
    ),
  ];
  // Compliance items are keyed by requirement id, so an id may appear once in the whole document.
  checkUnique(
    all,
    (r) => r.requirement.id,
    (i) => [...all[i]!.path, 'id'],
    'requirement id',
    report,
  );
  for (const { requirement: r, path } of all) {
    checkMembers(
      r.activityTypes,
      activityTypes,
      [...path, 'activityTypes'],
      'activity type',
      'activity types',
      report,
    );
    checkMembers(r.appliesTo?.levels, levels, [...path, 'appliesTo', 'levels'], 'level', 'levels', report);
    checkMembers(r.appliesTo?.phases, phases, [...path, 'appliesTo', 'phases'], 'phase', 'phases', report);
    checkMembers(
      r.appliesTo?.sentenceTypes,
      sentenceTypes,
      [...path, 'appliesTo', 'sentenceTypes'],
      'sentence type',
      'sentence types',
      report,
    );
  }
}

function checkSpecialPeriods(periods: readonly SpecialPeriod[], report: Report) {
  // An impossible date is already reported where it stands; comparing it would only add noise.
  const dated = (p: SpecialPeriod) => isValidDate(p.from) && isValidDate(p.to);
  periods.forEach((p, j) => {
    if (!dated(p)) return;
    for (let i = 0; i < j; i++) {
      const q = periods[i]!;
      if (!dated(q)) continue;
      if (p.from <= q.to && q.from <= p.to) {
        report(
          ['specialPeriods', j],
          `special period '${p.name}' (${p.from}..${p.to}) overlaps '${q.name}' (${q.from}..${q.to}) at index ${i}`,
        );
      }
    }
  });
}

// Weights are compared in thousandths so that 33.3 + 33.3 + 33.4 sums to exactly 100.
const milli = (x: number) => Math.round(x * 1000);

function checkIndicators(
  indicators: readonly Indicator[],
  path: Path,
  expected: number,
  seen: Map<string, string>,
  report: Report,
) {
  const sum = indicators.reduce((s, i) => s + milli(i.weight), 0);
  if (sum !== milli(expected)) {
    const what =
      path.length === 2
        ? 'indicator weights must sum to 100'
        : `children's weights must sum to their parent's weight ${expected}`;
    report(path, `${what}; they sum to ${sum / 1000}`);
  }
  indicators.forEach((indicator, i) => {
    const here = [...path, i];
    const first = seen.get(indicator.code);
    if (first !== undefined)
      report([...here, 'code'], `duplicate indicator code '${indicator.code}' (first defined at ${first})`);
    else seen.set(indicator.code, here.join('.'));
    if (indicator.children)
      checkIndicators(indicator.children, [...here, 'children'], indicator.weight, seen, report);
  });
}

function checkEvaluation(evaluation: EvaluationRules, report: Report) {
  checkIndicators(evaluation.indicators, ['evaluation', 'indicators'], 100, new Map(), report);
  checkUnique(
    evaluation.releaseBands,
    (b) => String(b.minScore),
    (i) => ['evaluation', 'releaseBands', i, 'minScore'],
    'band minScore',
    report,
  );
}

/** The rule-set schema with the county's own activity types allowed. */
export function makeRuleSetSchema(options: RuleSetOptions = {}) {
  const activityTypes: ReadonlySet<string> = new Set(knownActivityTypes(options.extraActivityTypes));
  return ruleSetShape.superRefine((ruleSet, ctx) => {
    const report: Report = (path, message) => ctx.addIssue({ code: 'custom', path, message });
    checkUnique(
      ruleSet.levels,
      (l) => l.code,
      (i) => ['levels', i, 'code'],
      'level code',
      report,
    );
    checkUnique(
      ruleSet.phases,
      (p) => p.code,
      (i) => ['phases', i, 'code'],
      'phase code',
      report,
    );
    checkRequirements(ruleSet, activityTypes, report);
    checkSpecialPeriods(ruleSet.specialPeriods, report);
    checkEvaluation(ruleSet.evaluation, report);
  });
}

/** The rule-set schema for a county with only the base activity types. */
export const ruleSetSchema = makeRuleSetSchema();

export interface ValidationError {
  path: string;
  message: string;
}

export type ValidationResult<T> = { ok: true; value: T } | { ok: false; errors: ValidationError[] };

/**
 * Issues as API.md's `errors`: a dotted path into the body and a message. An unknown field is
 * reported at its own path (the object's path plus the key), which is where the fix goes.
 */
export function formatIssues(error: { issues: readonly z.core.$ZodIssue[] }): ValidationError[] {
  return error.issues.flatMap((issue) => {
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: [...path, key].join('.'), message: `unknown field '${key}'` }));
    }
    return [{ path: path.join('.'), message: issue.message }];
  });
}

// Friendlier wording for the two issues zod words most tersely.
const parseErrors: z.core.$ZodErrorMap = (issue) => {
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'required';
  if (issue.code === 'invalid_type') return `expected ${issue.expected}`;
  return undefined;
};

const schemaCache = new Map<string, ReturnType<typeof makeRuleSetSchema>>();

function schemaFor(extra: readonly string[] = []) {
  const key = [...extra].sort().join('\n');
  let schema = schemaCache.get(key);
  if (!schema) {
    schema = makeRuleSetSchema({ extraActivityTypes: extra });
    schemaCache.set(key, schema);
  }
  return schema;
}

/** Parse a rule set posted by a client: the value with defaults filled in, or every error found. */
export function validateRuleSet(input: unknown, options: RuleSetOptions = {}): ValidationResult<RuleSet> {
  const result = schemaFor(options.extraActivityTypes).safeParse(input, { error: parseErrors });
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, errors: formatIssues(result.error) };
}
