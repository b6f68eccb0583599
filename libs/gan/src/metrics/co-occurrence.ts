import type { BinaryMatrix } from '../data/binary-matrix';
import { prevalence } from './prevalence';

/**
 * Pearson (phi) correlations between the given codes' columns as a k × k row-major matrix,
 * computed from sparse co-counts: r_ab = (N·n_ab − n_a·n_b) / √(n_a(N−n_a)·n_b(N−n_b)).
 * The diagonal is 1. A code that is constant in m (never or always present) has no defined
 * correlation; we use 0 off the diagonal, which is what "no co-occurrence signal" should cost.
 */
export function codeCorrelations(m: BinaryMatrix, codes: readonly number[]): Float64Array {
  const k = codes.length;
  const position = new Int32Array(m.cols).fill(-1);
  codes.forEach((c, i) => {
    position[c] = i;
  });
  const single = new Float64Array(k);
  const pair = new Float64Array(k * k);
  const present = new Int32Array(k);
  for (let r = 0; r < m.rows; r++) {
    let count = 0;
    for (let p = m.offsets[r]; p < m.offsets[r + 1]; p++) {
      const i = position[m.indices[p]];
      if (i >= 0) present[count++] = i;
    }
    for (let x = 0; x < count; x++) {
      const a = present[x];
      single[a]++;
      for (let y = x + 1; y < count; y++) pair[a * k + present[y]]++;
    }
  }
  const n = m.rows;
  const out = new Float64Array(k * k);
  for (let a = 0; a < k; a++) {
    out[a * k + a] = 1;
    for (let b = a + 1; b < k; b++) {
      // Pairs were counted in whichever order the columns appeared; the codes list need not be sorted.
      const nab = pair[a * k + b] + pair[b * k + a];
      const denominator = Math.sqrt(single[a] * (n - single[a]) * single[b] * (n - single[b]));
      const r = denominator > 0 ? (n * nab - single[a] * single[b]) / denominator : 0;
      out[a * k + b] = r;
      out[b * k + a] = r;
    }
  }
  return out;
}

/** Codes held by at least `minPrevalence` of the records (ascending column order). */
export function codesAbovePrevalence(m: BinaryMatrix, minPrevalence: number): number[] {
  const p = prevalence(m);
  const codes: number[] = [];
  for (let c = 0; c < m.cols; c++) if (p[c] > 0 && p[c] >= minPrevalence) codes.push(c);
  return codes;
}

export interface CoOccurrenceDistance {
  /** How many codes passed the prevalence filter (d in the formula). */
  codes: number;
  /** ‖corr(real) − corr(synthetic)‖_F / d² · 10⁶ over those codes; 0 when no code passes. */
  distance: number;
}

/**
 * How far synthetic co-occurrence is from real co-occurrence, over the codes common enough in
 * the real data for a correlation to mean something (prevalence ≥ minPrevalence, default 1%).
 */
export function coOccurrenceDistance(real: BinaryMatrix, synthetic: BinaryMatrix, minPrevalence = 0.01): CoOccurrenceDistance {
  const codes = codesAbovePrevalence(real, minPrevalence);
  const d = codes.length;
  if (d === 0) return { codes: 0, distance: 0 };
  const a = codeCorrelations(real, codes);
  const b = codeCorrelations(synthetic, codes);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] - b[i]) ** 2;
  return { codes: d, distance: (Math.sqrt(sum) / (d * d)) * 1e6 };
}
