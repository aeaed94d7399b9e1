import { describe, expect, it } from 'vitest';
import { releaseRatioFor, totalScore } from './evaluation.ts';
import { deqing2017 } from './presets/deqing-2017.ts';

const bands = [
  { minScore: 80, release: 0.9 },
  { minScore: 90, release: 1 },
  { minScore: 0, release: 0 },
  { minScore: 60, release: 0.6 },
];

describe('releaseRatioFor', () => {
  it.each([
    [100, 1],
    [90, 1],
    [89.9, 0.9],
    [80, 0.9],
    [60, 0.6],
    [59.5, 0],
    [0, 0],
  ])('score %s releases %s', (score, release) => {
    expect(releaseRatioFor(score, bands)).toBe(release);
  });

  it('releases nothing below the lowest band', () => {
    expect(releaseRatioFor(50, [{ minScore: 60, release: 0.6 }])).toBe(0);
    expect(releaseRatioFor(50, [])).toBe(0);
  });
});

describe('totalScore', () => {
  const flat = [
    { code: 'business', weight: 70 },
    { code: 'financial', weight: 30 },
  ];

  it('sums each indicator scored from 0 to its weight', () => {
    expect(totalScore({ business: 65, financial: 28 }, flat)).toEqual({ ok: true, totalScore: 93 });
    expect(totalScore({ business: 0, financial: 0 }, flat)).toEqual({ ok: true, totalScore: 0 });
    expect(totalScore({ business: 70, financial: 30 }, flat)).toEqual({ ok: true, totalScore: 100 });
  });

  it('sums decimals exactly', () => {
    const thirds = [
      { code: 'a', weight: 33.3 },
      { code: 'b', weight: 33.3 },
      { code: 'c', weight: 33.4 },
    ];
    expect(totalScore({ a: 33.3, b: 33.3, c: 33.4 }, thirds)).toEqual({ ok: true, totalScore: 100 });
    expect(totalScore({ a: 0.1, b: 0.2, c: 0 }, thirds)).toEqual({ ok: true, totalScore: 0.3 });
  });

  it('refuses scores out of range, unknown indicators and unscored ones, at scores.<code>', () => {
    expect(totalScore({ business: 71, financial: -1, extra: 3 }, flat)).toEqual({
      ok: false,
      errors: [
        { path: 'scores.business', message: 'score must be a number from 0 to 70' },
        { path: 'scores.financial', message: 'score must be a number from 0 to 30' },
        { path: 'scores.extra', message: "unknown indicator 'extra'; indicators: business, financial" },
      ],
    });
    expect(totalScore({ business: 60 }, flat)).toEqual({
      ok: false,
      errors: [{ path: 'scores.financial', message: "indicator 'financial' is not scored" }],
    });
  });

  it('scores a tree by its parts or by a whole branch, but not both', () => {
    const tree = deqing2017.evaluation.indicators;
    const parts = {
      goals: 15,
      completion: 20,
      management: 15,
      effect: 10,
      funds_use: 14,
      financial_management: 15,
    };
    expect(totalScore(parts, tree)).toEqual({ ok: true, totalScore: 89 });
    expect(totalScore({ business: 60, funds_use: 10, financial_management: 12 }, tree)).toEqual({
      ok: true,
      totalScore: 82,
    });
    const both = totalScore({ ...parts, business: 60 }, tree);
    expect(both.ok).toBe(false);
    expect(!both.ok && both.errors.map((e) => e.path)).toEqual([
      'scores.goals',
      'scores.completion',
      'scores.management',
      'scores.effect',
    ]);
    const missing = totalScore({ goals: 15, completion: 20, management: 15, financial: 30 }, tree);
    expect(!missing.ok && missing.errors).toEqual([
      { path: 'scores.effect', message: "indicator 'effect' is not scored" },
    ]);
  });
});
