/**
 * The activity types every county has. A county may add its own (a rule set's requirements may
 * name them once the county has defined them); these codes are stable and never renamed, since
 * recorded activities and published rule sets refer to them.
 */

export const BASE_ACTIVITY_TYPES = [
  'home_visit',
  'phone_followup',
  'education',
  'community_service',
  'individual_education',
  'report_in_person',
  'written_report',
  'psych_assessment',
  'psych_counselling',
  'risk_assessment',
  'group_activity',
  'skills_training',
  'employment_help',
  'hardship_aid',
  'legal_publicity',
  'verification_callback',
  // Not in the API's minimum list, but named by the design (from the case study's services).
  'crisis_intervention',
] as const;

export type BaseActivityType = (typeof BASE_ACTIVITY_TYPES)[number];

export interface Labels {
  zh: string;
  en: string;
}

export const ACTIVITY_TYPE_LABELS: Readonly<Record<BaseActivityType, Labels>> = {
  home_visit: { zh: '上门走访', en: 'Home visit' },
  phone_followup: { zh: '电话回访', en: 'Phone follow-up' },
  education: { zh: '教育学习', en: 'Education and study' },
  community_service: { zh: '社区服务', en: 'Community service' },
  individual_education: { zh: '个别教育', en: 'Individual education' },
  report_in_person: { zh: '当面报告', en: 'Report in person' },
  written_report: { zh: '书面报告', en: 'Written report' },
  psych_assessment: { zh: '心理评估', en: 'Psychological assessment' },
  psych_counselling: { zh: '心理咨询', en: 'Psychological counselling' },
  risk_assessment: { zh: '风险评估', en: 'Risk assessment' },
  group_activity: { zh: '小组活动', en: 'Group activity' },
  skills_training: { zh: '技能培训', en: 'Skills training' },
  employment_help: { zh: '就业指导/推荐', en: 'Employment help' },
  hardship_aid: { zh: '困难帮扶', en: 'Hardship aid' },
  legal_publicity: { zh: '法制宣传', en: 'Legal publicity' },
  verification_callback: { zh: '回访核查', en: 'Verification call-back' },
  crisis_intervention: { zh: '危机干预', en: 'Crisis intervention' },
};

const BASE_SET: ReadonlySet<string> = new Set(BASE_ACTIVITY_TYPES);

export function isBaseActivityType(code: string): code is BaseActivityType {
  return BASE_SET.has(code);
}

/** The base types followed by the county's own, without duplicates. */
export function knownActivityTypes(extraActivityTypes: readonly string[] = []): string[] {
  return [...new Set<string>([...BASE_ACTIVITY_TYPES, ...extraActivityTypes])];
}
