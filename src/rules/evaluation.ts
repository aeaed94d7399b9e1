/**
 * Performance evaluation (API.md "Settlement of a contract"): scores per indicator, the total,
 * and the share of activity funds it releases.
 */
import type { Indicator, ReleaseBand, ValidationError } from './schema.ts';

/** The `release` of the highest band whose minScore ≤ totalScore; 0 when none. */
export function releaseRatioFor(totalScore: number, releaseBands: readonly ReleaseBand[]): number {
  let best: ReleaseBand | undefined;
  for (const band of releaseBands) {
    if (band.minScore <= totalScore && (!best || band.minScore > best.minScore)) best = band;
  }
  return best?.release ?? 0;
}

export type ScoreResult = { ok: true; totalScore: number } | { ok: false; errors: ValidationError[] };

// Scores are summed in thousandths so that 33.3 + 33.3 + 33.4 is exactly 100.
const milli = (x: number) => Math.round(x * 1000);

function descendants(indicator: Indicator): Indicator[] {
  return (indicator.children ?? []).flatMap((child) => [child, ...descendants(child)]);
}

/**
 * Check scores against the indicator tree and total them. Each indicator is scored from 0 to
 * its weight, either directly or — for one with children — through its children; an unknown
 * code, a score out of range, a part scored twice or an indicator left unscored is an error
 * at `scores.<code>`.
 */
export function totalScore(
  scores: Readonly<Record<string, number>>,
  indicators: readonly Indicator[],
): ScoreResult {
  const errors: ValidationError[] = [];
  const all = indicators.flatMap((i) => [i, ...descendants(i)]);
  const known = new Map(all.map((i) => [i.code, i]));
  for (const [code, score] of Object.entries(scores)) {
    const indicator = known.get(code);
    if (!indicator) {
      errors.push({
        path: `scores.${code}`,
        message: `unknown indicator '${code}'; indicators: ${[...known.keys()].join(', ')}`,
      });
    } else if (
      typeof score !== 'number' ||
      !Number.isFinite(score) ||
      score < 0 ||
      score > indicator.weight
    ) {
      errors.push({
        path: `scores.${code}`,
        message: `score must be a number from 0 to ${indicator.weight}`,
      });
    }
  }

  const scoreOf = (indicator: Indicator): number => {
    const own = scores[indicator.code];
    const parts = descendants(indicator).filter((d) => scores[d.code] !== undefined);
    if (own !== undefined) {
      for (const part of parts) {
        errors.push({
          path: `scores.${part.code}`,
          message: `'${indicator.code}' is scored as a whole; score it or its parts, not both`,
        });
      }
      return milli(own);
    }
    if (!indicator.children) {
      errors.push({
        path: `scores.${indicator.code}`,
        message: `indicator '${indicator.code}' is not scored`,
      });
      return 0;
    }
    return indicator.children.reduce((sum, child) => sum + scoreOf(child), 0);
  };
  const total = indicators.reduce((sum, i) => sum + scoreOf(i), 0);
  return errors.length ? { ok: false, errors } : { ok: true, totalScore: total / 1000 };
}
