import { type BinaryMatrix, columnCounts } from '../data/binary-matrix';

/** Share of records holding each code (all zeros for a matrix without rows). */
export function prevalence(m: BinaryMatrix): Float64Array {
  const counts = columnCounts(m);
  const out = new Float64Array(m.cols);
  if (m.rows === 0) return out;
  for (let c = 0; c < m.cols; c++) out[c] = counts[c] / m.rows;
  return out;
}

/**
 * Up to k codes with the highest prevalence, most common first; ties go to the lower column
 * so the choice is deterministic. Codes nobody holds are never chosen.
 */
export function mostCommonCodes(prevalences: ArrayLike<number>, k: number): number[] {
  const codes: number[] = [];
  for (let c = 0; c < prevalences.length; c++) if (prevalences[c] > 0) codes.push(c);
  codes.sort((a, b) => prevalences[b] - prevalences[a] || a - b);
  return codes.slice(0, Math.max(0, k));
}
