import type { BinaryMatrix } from '../data/binary-matrix';

function rowKey(m: BinaryMatrix, r: number): string {
  return m.indices.subarray(m.offsets[r], m.offsets[r + 1]).join(',');
}

/**
 * Share of candidate records whose code set exactly equals some reference record. Real patients
 * share code sets too (short records especially), so read it beside the same rate for held-out
 * records against the training set.
 */
export function exactCopyRate(candidates: BinaryMatrix, reference: BinaryMatrix): number {
  if (candidates.rows === 0) return 0;
  const known = new Set<string>();
  for (let r = 0; r < reference.rows; r++) known.add(rowKey(reference, r));
  let copies = 0;
  for (let r = 0; r < candidates.rows; r++) if (known.has(rowKey(candidates, r))) copies++;
  return copies / candidates.rows;
}
