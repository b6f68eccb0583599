import type { BinaryMatrix } from '../data/binary-matrix';

/** How many records hold exactly 0, 1, 2, … codes (index = number of codes, up to the largest seen). */
export function codesPerRecordHistogram(m: BinaryMatrix): number[] {
  const histogram: number[] = [0];
  for (let r = 0; r < m.rows; r++) {
    const k = m.offsets[r + 1] - m.offsets[r];
    while (histogram.length <= k) histogram.push(0);
    histogram[k]++;
  }
  return histogram;
}

/** A histogram scaled to sum to 1 (left as zeros when empty). */
function normalise(histogram: readonly number[], length: number): number[] {
  const total = histogram.reduce((s, v) => s + v, 0);
  return Array.from({ length }, (_, i) => (total > 0 ? (histogram[i] ?? 0) / total : 0));
}

/**
 * Total variation distance between two count histograms, ½ Σ |p − q| after normalising:
 * 0 for the same shape, 1 when they share no bin. It ignores how far apart bins are.
 */
export function totalVariationDistance(a: readonly number[], b: readonly number[]): number {
  const length = Math.max(a.length, b.length);
  const p = normalise(a, length);
  const q = normalise(b, length);
  let sum = 0;
  for (let i = 0; i < length; i++) sum += Math.abs(p[i] - q[i]);
  return sum / 2;
}

/**
 * Earth mover's (Wasserstein-1) distance between two count histograms whose bins are 0, 1, 2, …:
 * Σ |CDF_p − CDF_q|. Unlike total variation it is measured in codes, so "one code too many per
 * record" reads as 1 however the mass is spread.
 */
export function wassersteinDistance(a: readonly number[], b: readonly number[]): number {
  const length = Math.max(a.length, b.length);
  const p = normalise(a, length);
  const q = normalise(b, length);
  let cdfGap = 0;
  let sum = 0;
  for (let i = 0; i < length; i++) {
    cdfGap += p[i] - q[i];
    sum += Math.abs(cdfGap);
  }
  return sum;
}
