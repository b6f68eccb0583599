/** Arithmetic mean; NaN for an empty list. */
export function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum / values.length;
}

/**
 * Pearson correlation of two equally long vectors. When either vector is constant the
 * coefficient is undefined; we return 1 if the vectors are identical (a perfect match is a
 * perfect match) and 0 otherwise (a constant carries no signal to correlate with).
 */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`pearson needs equal lengths, got ${a.length} and ${b.length}`);
  const n = a.length;
  const ma = mean(a);
  const mb = mean(b);
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  let identical = true;
  for (let i = 0; i < n; i++) {
    const da = a[i] - ma;
    const db = b[i] - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
    if (a[i] !== b[i]) identical = false;
  }
  if (saa === 0 || sbb === 0) return identical ? 1 : 0;
  // Clamp away rounding that can push |r| a hair above 1.
  return Math.max(-1, Math.min(1, sab / Math.sqrt(saa * sbb)));
}

/** Root mean squared difference of two equally long vectors. */
export function rootMeanSquaredError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`rmse needs equal lengths, got ${a.length} and ${b.length}`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] - b[i]) ** 2;
  return a.length === 0 ? 0 : Math.sqrt(sum / a.length);
}

/** The value itself when finite, otherwise null — JSON has no NaN, and null says "undefined here". */
export function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}

/** Mean of the non-null values; null when there are none. */
export function meanOfPresent(values: readonly (number | null)[]): number | null {
  const present = values.filter((v): v is number => v !== null);
  return present.length === 0 ? null : mean(present);
}
