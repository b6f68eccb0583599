import { type BinaryMatrix, matrixFromRows } from '../../data/binary-matrix';
import { createRng } from '../../data/simulate/prng';

export interface ToyCohortOptions {
  records: number;
  codes: number;
  /** Mean codes per record (default 11). */
  meanCodes?: number;
  /** Latent comorbidity groups that make codes co-occur (default 25). */
  groups?: number;
  seed: number;
}

/** Index of the first cumulative weight above u · total (binary search). */
function draw(cumulative: Float64Array, u: number): number {
  const target = u * cumulative[cumulative.length - 1];
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid] > target) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Diagnosis-like records for benchmarks and tests: code popularity falls off as a power law
 * (a few codes in a third of records, most in a handful), record sizes are over-dispersed
 * around `meanCodes`, and each record belongs to a latent group that favours its own 40 codes,
 * so codes co-occur as comorbidities do. Deterministic for a seed; the population (popularity and
 * groups) depends only on `codes` and `groups`, so two seeds give two samples of one population.
 */
export function toyCohort(options: ToyCohortOptions): BinaryMatrix {
  const { records, codes } = options;
  const meanCodes = options.meanCodes ?? 11;
  const groups = options.groups ?? 25;
  const population = createRng(codes * 7919 + groups);
  const popular = new Float64Array(codes);
  let total = 0;
  for (let c = 0; c < codes; c++) total = popular[c] = total + 1 / (c + 3) ** 1.15;
  const groupCumulative = Array.from({ length: groups }, () => {
    const weights = new Float64Array(codes);
    for (let i = 0; i < 40; i++) weights[population.int(codes)] += population.next() + 0.2;
    let sum = 0;
    return weights.map((w) => (sum += w));
  });
  const rng = createRng(options.seed);
  const rows: number[][] = [];
  for (let r = 0; r < records; r++) {
    // Gamma–Poisson (negative binomial) sizes: long right tail like real admissions.
    const size = Math.min(codes, 1 + rng.poisson(rng.gamma(2, (meanCodes - 1) / 2)));
    const group = groupCumulative[rng.int(groups)];
    const chosen = new Set<number>();
    for (let attempt = 0; chosen.size < size && attempt < 20 * size; attempt++) {
      chosen.add(rng.next() < 0.55 ? draw(popular, rng.next()) : draw(group, rng.next()));
    }
    rows.push([...chosen]);
  }
  return matrixFromRows(rows, codes);
}
