/**
 * Deqing County, Zhejiang, 2017 (德清县政府购买社区矫正服务): the case study's rules, and the
 * reference defaults (DESIGN.md §4; domain/rule-examples.md A). Levels, phases, the National Day
 * period and the release bands follow API.md's example of this same rule set.
 */
import type { RuleSet } from '../schema.ts';
import { THREE_LEVELS, TWO_PART_EVALUATION } from './shared.ts';

export const deqing2017: RuleSet = {
  name: '德清县社区矫正服务 2017',
  effectiveFrom: '2017-01-01',
  timezone: 'Asia/Shanghai',
  levels: THREE_LEVELS,
  phases: [
    { code: 'intake', label: '入矫初期', from: 'start', days: 30 },
    { code: 'release', label: '解矫前', from: 'end', days: 30 },
  ],
  requirements: [
    // "每人每月参加教育学习时间不少于8小时；……参加社区服务时间不少于8小时"
    {
      id: 'education',
      label: '教育学习每月不少于8小时',
      activityTypes: ['education'],
      measure: 'hours',
      min: 8,
      window: { calendar: 'month' },
    },
    {
      id: 'community-service',
      label: '社区服务每月不少于8小时',
      activityTypes: ['community_service'],
      measure: 'hours',
      min: 8,
      window: { calendar: 'month' },
    },
    // "每月至少上门走访一次，重点社区矫正人员（由甲方确定）每半月至少走访一次"
    {
      id: 'visit',
      label: '每月至少上门走访一次',
      activityTypes: ['home_visit'],
      measure: 'count',
      min: 1,
      window: { calendar: 'month' },
    },
    {
      id: 'visit-key',
      label: '重点对象每半月至少走访一次',
      activityTypes: ['home_visit'],
      measure: 'count',
      min: 1,
      window: { calendar: 'half_month' },
      appliesTo: { keyPerson: true },
    },
    // "每星期对社区矫正人员至少电话回访一次"
    {
      id: 'phone-followup',
      label: '每星期至少电话回访一次',
      activityTypes: ['phone_followup'],
      measure: 'count',
      min: 1,
      window: { calendar: 'week' },
    },
  ],
  // "重点时段、重大活动期间……根据需要随时开展走访、回访": the county adds such periods as they come.
  specialPeriods: [
    {
      name: '国庆',
      from: '2026-09-28',
      to: '2026-10-08',
      requirements: [
        {
          id: 'holiday-call',
          label: '国庆期间每周电话回访',
          activityTypes: ['phone_followup'],
          measure: 'count',
          min: 1,
          window: { calendar: 'week' },
        },
      ],
    },
  ],
  // "台账……于每月25日前交司法所确认"
  ledger: { cycleEndDay: 25, submitWithinDays: 0 },
  incidents: { acknowledgeWithinHours: 24, escalateAfterHours: 48 },
  // "2017年服务价格为1000元/人/年"，分工作经费和活动经费两部分
  pricing: { model: 'per_supervisee_year', unitPriceFen: 100000, workFundsShare: 0.5 },
  evaluation: TWO_PART_EVALUATION,
};
