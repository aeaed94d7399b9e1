/**
 * Reproducible spot-check samples. Each candidate gets the draw key SHA-256(`seed:activityId`);
 * the sample is the ⌈share × N⌉ candidates with the smallest keys. Anyone holding the seed and
 * the list of activity ids can redo the draw (with a spreadsheet or one line of Python), the
 * result does not depend on the order the database returns rows in, and nobody can steer it
 * without changing the seed, which is recorded before the findings are.
 */
import { sha256Hex } from '../lib/ids';
import { fromDecimal } from '../rules/rational';

/** ⌈share × population⌉, computed exactly (0.1 × 30 is 3, not 4), and at least 1 of a non-empty population. */
export function sampleSize(population: number, share: number): number {
  if (population <= 0) return 0;
  const r = fromDecimal(share);
  const n = Number((BigInt(population) * r.n + r.d - 1n) / r.d);
  return Math.min(population, Math.max(1, n));
}

export async function drawSample(ids: readonly string[], share: number, seed: string): Promise<string[]> {
  const n = sampleSize(ids.length, share);
  const keyed = await Promise.all(ids.map(async (id) => ({ id, key: await sha256Hex(`${seed}:${id}`) })));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.id < b.id ? -1 : 1));
  return keyed.slice(0, n).map((x) => x.id);
}
