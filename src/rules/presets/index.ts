/** Rule sets a county can start from and then edit: the case study's, and a provincial one. */
import type { Labels } from '../activity-types.ts';
import type { RuleSet } from '../schema.ts';
import { deqing2017 } from './deqing-2017.ts';
import { provincialThreeLevel } from './provincial-three-level.ts';

export interface Preset {
  id: string;
  name: Labels;
  /** Shared with every caller: copy it (structuredClone) before editing. */
  ruleSet: RuleSet;
}

export const PRESETS = {
  'deqing-2017': {
    id: 'deqing-2017',
    name: { zh: '德清县 2017 年购买社区矫正服务', en: 'Deqing County 2017 purchased services' },
    ruleSet: deqing2017,
  },
  'provincial-three-level': {
    id: 'provincial-three-level',
    name: { zh: '省级分类管理（严管/普管/宽管）', en: 'Provincial three-level classification' },
    ruleSet: provincialThreeLevel,
  },
} as const satisfies Record<string, Preset>;

export type PresetId = keyof typeof PRESETS;

export { deqing2017, provincialThreeLevel };
