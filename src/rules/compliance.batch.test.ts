/** A county's month in one request: 3,000 supervisees, ~30 activities each, both presets. */
import { describe, expect, it } from 'vitest';
import type { SuperviseeFacts } from './applicability.ts';
import {
  type ActivityFact,
  compileHistory,
  evaluateCompliance,
  evaluateComplianceBatch,
} from './compliance.ts';
import { addDays } from './dates.ts';
import { PRESETS } from './presets/index.ts';
import { published } from './test-fixtures.ts';

const TYPES = [
  'home_visit',
  'phone_followup',
  'education',
  'community_service',
  'report_in_person',
  'written_report',
  'individual_education',
  'risk_assessment',
];
const LEVELS = ['strict', 'normal', 'lenient'];

// A small deterministic generator, so the workload is the same on every run.
function lcg(seed: number) {
  let x = seed;
  return (n: number) => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x % n;
  };
}

function county(n: number) {
  const next = lcg(7);
  return Array.from({ length: n }, (_, i) => {
    const termStart = addDays('2024-06-01', next(700));
    const supervisee: SuperviseeFacts = {
      id: `sv-${i}`,
      termStart,
      termEnd: addDays(termStart, 180 + next(900)),
      sentenceType: 'probation',
      levels: [
        { level: LEVELS[next(3)]!, effectiveFrom: termStart },
        { level: LEVELS[next(3)]!, effectiveFrom: addDays('2026-03-01', next(31)) },
      ],
      keyPerson: [{ value: next(5) === 0, effectiveFrom: termStart }],
      ableToWork: [{ value: next(4) !== 0, effectiveFrom: termStart }],
    };
    const activities: ActivityFact[] = Array.from({ length: 30 }, (_, k) => ({
      id: `a-${i}-${k}`,
      type: TYPES[next(TYPES.length)]!,
      occurredOn: addDays('2026-02-20', next(45)),
      minutes: 30 + next(180),
    }));
    return { supervisee, activities };
  });
}

describe('evaluateComplianceBatch', () => {
  const history = [
    published(PRESETS['deqing-2017'].ruleSet, '2016-12-01T00:00:00Z'),
    published(
      { ...PRESETS['provincial-three-level'].ruleSet, effectiveFrom: '2026-03-16' },
      '2026-03-01T00:00:00Z',
    ),
  ];
  const supervisees = county(3000);
  const range = { from: '2026-03-01', to: '2026-03-31', today: '2026-03-20' };

  it('answers like one call per supervisee', () => {
    const batch = evaluateComplianceBatch({ history, supervisees: supervisees.slice(0, 50), ...range });
    expect(batch.map((b) => b.superviseeId)).toEqual(supervisees.slice(0, 50).map((s) => s.supervisee.id));
    for (const [i, { supervisee, activities }] of supervisees.slice(0, 50).entries()) {
      expect(batch[i]!.items).toEqual(evaluateCompliance({ history, supervisee, activities, ...range }));
    }
  });

  // How fast is the bench's question (`npm run bench`, engine-only case); here only what it answers.
  it("evaluates a county's month of 3,000 supervisees from a compiled history, like the uncompiled one", () => {
    const compiled = compileHistory(history);
    const result = evaluateComplianceBatch({ history: compiled, supervisees, ...range });
    const items = result.reduce((n, r) => n + r.items.length, 0);
    expect(items).toBeGreaterThan(3000 * 10);
    const sample = supervisees.slice(0, 200);
    expect(evaluateComplianceBatch({ history: compiled, supervisees: sample, ...range })).toEqual(
      evaluateComplianceBatch({ history, supervisees: sample, ...range }),
    );
  });
});
