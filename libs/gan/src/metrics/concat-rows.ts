import type { BinaryMatrix } from '../data/binary-matrix';

/** The records of a followed by those of b (same vocabulary). */
export function concatRows(a: BinaryMatrix, b: BinaryMatrix): BinaryMatrix {
  if (a.cols !== b.cols) throw new RangeError(`cannot stack ${a.cols} and ${b.cols} columns`);
  const offsets = new Uint32Array(a.rows + b.rows + 1);
  offsets.set(a.offsets);
  const shift = a.indices.length;
  for (let r = 1; r <= b.rows; r++) offsets[a.rows + r] = b.offsets[r] + shift;
  const indices = new Uint32Array(a.indices.length + b.indices.length);
  indices.set(a.indices);
  indices.set(b.indices, shift);
  return { rows: a.rows + b.rows, cols: a.cols, offsets, indices };
}
