/**
 * Log-space arithmetic for the privacy accountant. The sampled Gaussian's moments mix
 * terms like exp(k²/2σ²) (overflow for k = 1,000, σ = 0.5) with erfc tails of 1e-300
 * (underflow), so every sum is kept as a logarithm.
 */

/** log(exp(a) + exp(b)) without overflow; -Infinity is the log of 0. */
export function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const hi = Math.max(a, b);
  return hi + Math.log1p(Math.exp(Math.min(a, b) - hi));
}

/** log(exp(a) − exp(b)) for a ≥ b; -Infinity when they are equal. */
export function logSubExp(a: number, b: number): number {
  if (b === -Infinity) return a;
  if (b > a) throw new RangeError(`logSubExp needs a ≥ b, got a = ${a}, b = ${b}`);
  if (a === b) return -Infinity;
  // log(e^a − e^b) = a + log(1 − e^(b−a)); expm1 keeps precision when b is close to a.
  return a + Math.log(-Math.expm1(b - a));
}

const LOG_SQRT_PI = 0.5 * Math.log(Math.PI);
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
/** Below this the series for erf is used (erfc = 1 − erf), above it the continued fraction. */
const CONTINUED_FRACTION_FROM = 2;

/**
 * erf(x) for 0 ≤ x < 2 from the all-positive series
 *   erf(x) = (2/√π)·e^(−x²)·Σ 2ⁿ·x^(2n+1) / (1·3·5···(2n+1)),
 * which has no cancellation (unlike the alternating Taylor series).
 */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 0; n < 200; n++) {
    term *= (2 * x2) / (2 * n + 3);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
}

/**
 * log(√π·e^(x²)·erfc(x)) for x ≥ 2 from the continued fraction
 *   √π·e^(x²)·erfc(x) = 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …))))
 * evaluated with the modified Lentz method (57 terms at x = 2, 18 at x = 5).
 */
function logScaledErfcContinuedFraction(x: number): number {
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 5000; k++) {
    const a = k / 2;
    d = x + a * d;
    if (d === 0) d = tiny;
    c = x + a / c;
    if (c === 0) c = tiny;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) return -Math.log(f);
  }
  throw new Error(`erfc continued fraction did not converge at x = ${x}`);
}

/** log(erfc(x)) for any real x, accurate in both tails (erfc(40) ≈ 1e-697 is fine). */
export function logErfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity) return -Infinity;
  if (x === -Infinity) return Math.LN2;
  if (x < 0) {
    // erfc(x) = 1 + erf(|x|) ∈ (1, 2): no precision problem.
    const ax = -x;
    return Math.log1p(ax < CONTINUED_FRACTION_FROM ? erfSeries(ax) : 1 - Math.exp(logErfc(ax)));
  }
  if (x < CONTINUED_FRACTION_FROM) return Math.log1p(-erfSeries(x));
  return -x * x - LOG_SQRT_PI + logScaledErfcContinuedFraction(x);
}

/** erfc(x) (underflows to 0 past x ≈ 26.5; use logErfc in the tails). */
export function erfc(x: number): number {
  return Math.exp(logErfc(x));
}

/** log Φ(x), the standard normal CDF: Φ(x) = erfc(−x/√2)/2. */
export function logNormalCdf(x: number): number {
  return logErfc(-x / Math.SQRT2) - Math.LN2;
}
