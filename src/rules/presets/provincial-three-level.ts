/**
 * A provincial three-level classification (分类管理：严管/普管/宽管), domain/rule-examples.md B.
 *
 * Strict (严管) obligations are the province's: report in person weekly, a written report weekly,
 * individual education weekly, study ≥ 12 h a month, and for those able to work public-benefit
 * activity (community service) ≥ 12 h a month. The first two months after intake are strict
 * whatever the assessed level: the `intake` phase (60 days from termStart) carries the strict
 * numbers for normal and lenient supervisees (strict ones already have them).
 *
 * The province leaves the lighter levels to the county; our defaults, lighter step by step:
 *
 * | obligation                          | strict / intake | normal (普管)  | lenient (宽管) |
 * |-------------------------------------|-----------------|----------------|----------------|
 * | report in person (当面报告)          | 1 a week        | 1 a half month | 1 a month      |
 * | written report (书面报告)            | 1 a week        | 1 a half month | 1 a month      |
 * | individual education (个别教育)      | 1 a week        | 1 a month      | 1 a quarter    |
 * | study (教育学习), hours a month       | 12              | 8              | 4              |
 * | community service if able to work   | 12              | 8              | 4              |
 *
 * And for everyone: a risk assessment every 365 days from the term's start, and a
 * psychological assessment within 30 days of it.
 */
import type { CalendarUnit } from '../dates.ts';
import type { AppliesTo, Requirement, RuleSet } from '../schema.ts';
import { THREE_LEVELS, TWO_PART_EVALUATION } from './shared.ts';

interface Numbers {
  report: CalendarUnit;
  writtenReport: CalendarUnit;
  individualEducation: CalendarUnit;
  studyHours: number;
  serviceHours: number;
}

const STRICT: Numbers = {
  report: 'week',
  writtenReport: 'week',
  individualEducation: 'week',
  studyHours: 12,
  serviceHours: 12,
};
const NORMAL: Numbers = {
  report: 'half_month',
  writtenReport: 'half_month',
  individualEducation: 'month',
  studyHours: 8,
  serviceHours: 8,
};
const LENIENT: Numbers = {
  report: 'month',
  writtenReport: 'month',
  individualEducation: 'quarter',
  studyHours: 4,
  serviceHours: 4,
};

/** The five classified obligations for one group, with ids suffixed by the group's name. */
function obligations(group: string, label: string, appliesTo: AppliesTo, n: Numbers): Requirement[] {
  const count = (id: string, type: string, unit: CalendarUnit, what: string): Requirement => ({
    id: `${id}-${group}`,
    label: `${label}：${what}`,
    activityTypes: [type],
    measure: 'count',
    min: 1,
    window: { calendar: unit },
    appliesTo,
  });
  return [
    count('report-in-person', 'report_in_person', n.report, '当面报告'),
    count('written-report', 'written_report', n.writtenReport, '书面报告'),
    count('individual-education', 'individual_education', n.individualEducation, '个别教育'),
    {
      id: `education-${group}`,
      label: `${label}：教育学习每月不少于${n.studyHours}小时`,
      activityTypes: ['education'],
      measure: 'hours',
      min: n.studyHours,
      window: { calendar: 'month' },
      appliesTo,
    },
    {
      id: `community-service-${group}`,
      label: `${label}：有劳动能力的，公益活动每月不少于${n.serviceHours}小时`,
      activityTypes: ['community_service'],
      measure: 'hours',
      min: n.serviceHours,
      window: { calendar: 'month' },
      appliesTo: { ...appliesTo, ableToWork: true },
    },
  ];
}

export const provincialThreeLevel: RuleSet = {
  name: '社区矫正对象分类管理（严管/普管/宽管）',
  effectiveFrom: '2020-07-01',
  timezone: 'Asia/Shanghai',
  levels: THREE_LEVELS,
  phases: [{ code: 'intake', label: '入矫初期（两个月）', from: 'start', days: 60 }],
  requirements: [
    ...obligations('strict', '严管', { levels: ['strict'] }, STRICT),
    ...obligations('intake', '入矫初期', { phases: ['intake'], levels: ['normal', 'lenient'] }, STRICT),
    ...obligations('normal', '普管', { levels: ['normal'] }, NORMAL),
    ...obligations('lenient', '宽管', { levels: ['lenient'] }, LENIENT),
    {
      id: 'risk-assessment',
      label: '每年风险评估一次',
      activityTypes: ['risk_assessment'],
      measure: 'count',
      min: 1,
      window: { everyDaysFromStart: 365 },
    },
    {
      id: 'psych-assessment',
      label: '入矫30日内心理评估',
      activityTypes: ['psych_assessment'],
      measure: 'count',
      min: 1,
      window: { withinDaysOfStart: 30 },
    },
  ],
  specialPeriods: [],
  ledger: { cycleEndDay: 'last', submitWithinDays: 5, confirmWithinDays: 10 },
  incidents: { acknowledgeWithinHours: 24, escalateAfterHours: 48 },
  pricing: {
    model: 'per_service_hour',
    budgetFen: 50_000_000,
    minHours: 5_000,
    maxHours: 6_000,
    workFundsShare: 0.3,
  },
  evaluation: TWO_PART_EVALUATION,
};
