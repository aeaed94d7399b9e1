/**
 * The rules engine: the rule-set schema and the pure evaluation of compliance, ledger cycles
 * and settlement. It imports nothing of the app and reads no clock: "today" is an argument.
 */
export {
  ACTIVITY_TYPE_LABELS,
  BASE_ACTIVITY_TYPES,
  type BaseActivityType,
  isBaseActivityType,
  knownActivityTypes,
  type Labels,
} from './activity-types.ts';
export type {
  ApplyingInterval,
  CompiledHistory,
  EffectiveFlag,
  EffectiveLevel,
  SuperviseeFacts,
  Track,
} from './applicability.ts';
export { applyingTracks } from './applicability.ts';
export {
  type ActivityFact,
  type ComplianceBatchInput,
  type ComplianceInput,
  type ComplianceItem,
  type ComplianceStatus,
  compileHistory,
  evaluateCompliance,
  evaluateComplianceBatch,
} from './compliance.ts';
export * from './dates.ts';
export { releaseRatioFor, type ScoreResult, totalScore } from './evaluation.ts';
export {
  createRuleSetLookup,
  type PublishedRuleSet,
  type RuleSetLookup,
  type RuleSetSpan,
  ruleSetInForce,
  ruleSetSpans,
} from './history.ts';
export {
  type CycleEndDay,
  cycleBounds,
  cycleOf,
  cyclesBetween,
  type LedgerCycle,
  ledgerDueBy,
} from './ledger-cycle.ts';
export { deqing2017, PRESETS, type Preset, type PresetId, provincialThreeLevel } from './presets/index.ts';
export * from './schema.ts';
export {
  computeSettlement,
  type Settlement,
  type SettlementEnrolment,
  type SettlementInput,
} from './settlement.ts';
