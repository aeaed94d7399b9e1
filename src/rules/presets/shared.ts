/** Pieces both presets use as they are. */
import type { EvaluationRules, Level } from '../schema.ts';

export const THREE_LEVELS: Level[] = [
  { code: 'strict', label: '严管' },
  { code: 'normal', label: '普管' },
  { code: 'lenient', label: '宽管' },
];

/**
 * The case study's indicator system: business (goals, completion, management, effect) and
 * financial (use of funds, financial management). The split of each part's weight is ours;
 * the case study names the indicators but not their weights.
 */
export const TWO_PART_EVALUATION: EvaluationRules = {
  indicators: [
    {
      code: 'business',
      label: '业务指标',
      weight: 70,
      children: [
        { code: 'goals', label: '目标设定情况', weight: 15 },
        { code: 'completion', label: '项目完成程度', weight: 25 },
        { code: 'management', label: '组织管理水平', weight: 15 },
        { code: 'effect', label: '效益指标', weight: 15 },
      ],
    },
    {
      code: 'financial',
      label: '财务指标',
      weight: 30,
      children: [
        { code: 'funds_use', label: '资金使用情况', weight: 15 },
        { code: 'financial_management', label: '财务管理状况', weight: 15 },
      ],
    },
  ],
  releaseBands: [
    { minScore: 90, release: 1 },
    { minScore: 80, release: 0.9 },
    { minScore: 60, release: 0.6 },
    { minScore: 0, release: 0 },
  ],
};
