import { describe, expect, it } from 'vitest';
import { evaluateCompliance } from './compliance.ts';
import { cycleOf } from './ledger-cycle.ts';
import { PRESETS } from './presets/index.ts';
import { validateRuleSet } from './schema.ts';
import { act, published, supervisee } from './test-fixtures.ts';

describe('PRESETS', () => {
  it.each(Object.values(PRESETS))('$id is a valid rule set, complete as written', (preset) => {
    expect(validateRuleSet(preset.ruleSet)).toEqual({ ok: true, value: preset.ruleSet });
    expect(preset.name.zh).not.toBe('');
    expect(preset.name.en).not.toBe('');
  });

  it('are keyed by their ids', () => {
    expect(Object.keys(PRESETS)).toEqual(['deqing-2017', 'provincial-three-level']);
    for (const [key, preset] of Object.entries(PRESETS)) expect(preset.id).toBe(key);
  });
});

describe('Deqing 2017', () => {
  const history = [published(PRESETS['deqing-2017'].ruleSet, '2016-12-20T00:00:00Z')];
  const ids = (keyPerson: boolean) =>
    evaluateCompliance({
      history,
      supervisee: supervisee({ keyPerson: [{ value: keyPerson, effectiveFrom: '2026-01-01' }] }),
      activities: [],
      from: '2026-04-01',
      to: '2026-04-30',
      today: '2026-04-01',
    }).map((i) => `${i.requirementId} ${i.windowStart} ${i.required}`);

  it('asks everyone for 8 h of study, 8 h of service and a visit a month, and a call a week', () => {
    expect(ids(false)).toEqual([
      'community-service 2026-04-01 8',
      'education 2026-04-01 8',
      'phone-followup 2026-03-30 1',
      'phone-followup 2026-04-06 1',
      'phone-followup 2026-04-13 1',
      'phone-followup 2026-04-20 1',
      'phone-followup 2026-04-27 1',
      'visit 2026-04-01 1',
    ]);
  });

  it('asks a visit every half month of key persons', () => {
    expect(ids(true).filter((s) => s.startsWith('visit-key'))).toEqual([
      'visit-key 2026-04-01 1',
      'visit-key 2026-04-16 1',
    ]);
  });

  it('closes ledgers on the 25th', () => {
    expect(cycleOf('2026-03-26', PRESETS['deqing-2017'].ruleSet.ledger.cycleEndDay).cycle).toBe('2026-04');
  });
});

describe('provincial three-level', () => {
  const history = [published(PRESETS['provincial-three-level'].ruleSet, '2020-06-01T00:00:00Z')];
  const ids = (level: string, from: string, to: string, ableToWork = true) => [
    ...new Set(
      evaluateCompliance({
        history,
        // 2026-03-02 is a Monday; the 60-day intake phase runs to 2026-04-30.
        supervisee: supervisee({
          termStart: '2026-03-02',
          level,
          ableToWork: [{ value: ableToWork, effectiveFrom: '2026-03-02' }],
        }),
        activities: [act('psych_assessment', '2026-03-20')],
        from,
        to,
        today: from,
      }).map((i) => i.requirementId),
    ),
  ];

  it('holds a normal supervisee to strict obligations during intake, then to the normal ones', () => {
    expect(ids('normal', '2026-04-01', '2026-04-30')).toEqual([
      'community-service-intake',
      'community-service-normal',
      'education-intake',
      'education-normal',
      'individual-education-intake',
      'individual-education-normal',
      'psych-assessment',
      'report-in-person-intake',
      'report-in-person-normal',
      'risk-assessment',
      'written-report-intake',
      'written-report-normal',
    ]);
    // The week of 27 April still has intake days; from 4 May on, none.
    expect(ids('normal', '2026-05-01', '2026-05-03').filter((id) => id.endsWith('-intake'))).toEqual([
      'individual-education-intake',
      'report-in-person-intake',
      'written-report-intake',
    ]);
    expect(ids('normal', '2026-05-04', '2026-05-31').filter((id) => id.endsWith('-intake'))).toEqual([]);
  });

  it('gives strict supervisees no separate intake obligations, and no service to those unable to work', () => {
    expect(ids('strict', '2026-03-02', '2026-03-31').filter((id) => id.endsWith('-intake'))).toEqual([]);
    expect(ids('lenient', '2026-06-01', '2026-06-30', false)).toEqual([
      'education-lenient',
      'individual-education-lenient',
      'report-in-person-lenient',
      'risk-assessment',
      'written-report-lenient',
    ]);
  });
});
