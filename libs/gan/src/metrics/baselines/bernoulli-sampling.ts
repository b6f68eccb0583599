import type { Rng } from '../../data/simulate/prng';

/**
 * Calls emit(i) for each i in 0..n-1 independently with probability p. Instead of n coin flips
 * it jumps straight to the next success (the gap is geometric), so the cost is the number of
 * successes — about 11 per record rather than 1,071 for diagnosis data.
 */
export function forEachBernoulliSuccess(n: number, p: number, rng: Rng, emit: (i: number) => void): void {
  if (!(p > 0)) return;
  if (p >= 1) {
    for (let i = 0; i < n; i++) emit(i);
    return;
  }
  const logFailure = Math.log1p(-p);
  for (let i = -1; ; ) {
    // 1 − next() lies in (0, 1], so the log is finite.
    i += 1 + Math.floor(Math.log(1 - rng.next()) / logFailure);
    if (i >= n) return;
    emit(i);
  }
}
