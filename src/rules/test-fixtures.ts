/** Builders for the rules tests: small, valid documents with only what a test is about. */

import type { SuperviseeFacts } from './applicability.ts';
import type { ActivityFact } from './compliance.ts';
import type { PublishedRuleSet } from './history.ts';
import { type Requirement, type RuleSet, type RuleSetInput, validateRuleSet } from './schema.ts';

export function req(
  id: string,
  activityTypes: string[],
  measure: Requirement['measure'],
  min: number,
  window: Requirement['window'],
  appliesTo?: Requirement['appliesTo'],
): Requirement {
  return { id, activityTypes, measure, min, window, ...(appliesTo ? { appliesTo } : {}) };
}

/** A valid rule set; throws with the validation errors if the overrides make it invalid. */
export function ruleSet(overrides: Partial<RuleSetInput> = {}): RuleSet {
  const input: RuleSetInput = {
    name: 'test',
    effectiveFrom: '2020-01-01',
    levels: [{ code: 'strict' }, { code: 'normal' }, { code: 'lenient' }],
    requirements: [],
    pricing: { model: 'fixed', amountFen: 0 },
    evaluation: { indicators: [{ code: 'all', weight: 100 }], releaseBands: [{ minScore: 0, release: 1 }] },
    ...overrides,
  };
  const result = validateRuleSet(input);
  if (!result.ok) throw new Error(`invalid test rule set: ${JSON.stringify(result.errors)}`);
  return result.value;
}

let nextId = 1;

export function published(
  rs: RuleSet,
  publishedAt = '2020-01-01T00:00:00Z',
  version = nextId,
): PublishedRuleSet {
  return { id: `rs-${nextId++}`, version, publishedAt, ruleSet: rs };
}

export function supervisee(overrides: Partial<SuperviseeFacts> & { level?: string } = {}): SuperviseeFacts {
  const { level = 'normal', ...rest } = overrides;
  const termStart = rest.termStart ?? '2026-01-01';
  return {
    id: 'sv-1',
    termStart,
    termEnd: '2027-12-31',
    sentenceType: 'probation',
    levels: [{ level, effectiveFrom: termStart }],
    keyPerson: [{ value: false, effectiveFrom: termStart }],
    ableToWork: [{ value: true, effectiveFrom: termStart }],
    ...rest,
  };
}

let nextActivity = 1;

export function act(type: string, occurredOn: string, minutes = 60): ActivityFact {
  return { id: `a-${nextActivity++}`, type, occurredOn, minutes };
}
