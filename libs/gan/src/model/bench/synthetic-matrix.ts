import type { BinaryMatrix } from '../../data/binary-matrix';
import { createRng } from '../../data/simulate/prng';

export interface SyntheticMatrixOptions {
  rows: number;
  cols: number;
  /** Mean codes per record (MIMIC-III: ~11 distinct codes per patient). */
  codesPerRecord: number;
  seed: number;
}

/**
 * A random sparse binary matrix with Zipf-like code prevalence, for benchmarks that need
 * MIMIC-III's shape (46,520 × 1,071, ~1% dense) but not its statistics. Built straight into
 * CSR form, so a large one costs a few MB.
 */
export function syntheticMatrix(options: SyntheticMatrixOptions): BinaryMatrix {
  const { rows, cols, codesPerRecord } = options;
  const rng = createRng(options.seed);
  // Cumulative Zipf(1.1) weights over the columns; a code is drawn by binary search.
  const cumulative = new Float64Array(cols);
  let total = 0;
  for (let c = 0; c < cols; c++) cumulative[c] = total += 1 / Math.pow(c + 1, 1.1);
  const draw = () => {
    const u = rng.next() * total;
    let lo = 0;
    let hi = cols - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const offsets = new Uint32Array(rows + 1);
  const indices: number[] = [];
  const row = new Set<number>();
  for (let r = 0; r < rows; r++) {
    row.clear();
    const n = Math.min(cols, 1 + rng.poisson(codesPerRecord - 1));
    while (row.size < n) row.add(draw());
    indices.push(...Array.from(row).sort((a, b) => a - b));
    offsets[r + 1] = indices.length;
  }
  return { rows, cols, offsets, indices: Uint32Array.from(indices) };
}
