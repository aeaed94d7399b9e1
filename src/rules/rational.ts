/**
 * Exact fractions over BigInt, for money. Decimal inputs (a share of 0.3, a release of 0.9) are
 * taken at the decimal value the author wrote — JavaScript prints a number as the shortest
 * decimal that reads back the same — rather than at the binary float nearest to it.
 */

export interface Ratio {
  /** Numerator. */
  readonly n: bigint;
  /** Denominator, always > 0. */
  readonly d: bigint;
}

export function ratio(n: bigint | number, d: bigint | number = 1n): Ratio {
  const nn = BigInt(n);
  const dd = BigInt(d);
  if (dd === 0n) throw new RangeError('denominator must not be 0');
  return dd < 0n ? { n: -nn, d: -dd } : { n: nn, d: dd };
}

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/;

/** The exact value of a number's decimal representation: 0.1 → 1/10, 1e-7 → 1/10000000. */
export function fromDecimal(x: number): Ratio {
  if (!Number.isFinite(x)) throw new RangeError(`not a finite number: ${x}`);
  const m = DECIMAL.exec(String(x));
  if (!m) throw new RangeError(`cannot read ${x} as a decimal`);
  const fraction = m[3] ?? '';
  const exponent = Number(m[4] ?? 0) - fraction.length;
  const digits = BigInt(`${m[1]}${m[2]}${fraction}`);
  return exponent >= 0 ? ratio(digits * 10n ** BigInt(exponent)) : ratio(digits, 10n ** BigInt(-exponent));
}

export function add(a: Ratio, b: Ratio): Ratio {
  return { n: a.n * b.d + b.n * a.d, d: a.d * b.d };
}

export function mul(a: Ratio, b: Ratio): Ratio {
  return { n: a.n * b.n, d: a.d * b.d };
}

export function div(a: Ratio, b: Ratio): Ratio {
  return ratio(a.n * b.d, a.d * b.n);
}

/** -1, 0 or 1. */
export function compare(a: Ratio, b: Ratio): -1 | 0 | 1 {
  const x = a.n * b.d;
  const y = b.n * a.d;
  return x < y ? -1 : x > y ? 1 : 0;
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b; // BigInt division truncates toward zero
  return a % b < 0n ? q - 1n : q;
}

/** Nearest integer, halves rounded up (towards +∞): 2.5 → 3, -2.5 → -2. */
export function roundHalfUp(r: Ratio): bigint {
  return floorDiv(2n * r.n + r.d, 2n * r.d);
}
