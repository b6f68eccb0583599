import type { BinaryMatrix } from '../data/binary-matrix';

/** 1 for each record holding code c, 0 otherwise (the label vector for predicting c). */
export function columnLabels(m: BinaryMatrix, c: number): Uint8Array {
  const out = new Uint8Array(m.rows);
  for (let r = 0; r < m.rows; r++) {
    for (let p = m.offsets[r]; p < m.offsets[r + 1]; p++) {
      const code = m.indices[p];
      if (code >= c) {
        // Rows are sorted, so the search can stop at the first code not below c.
        if (code === c) out[r] = 1;
        break;
      }
    }
  }
  return out;
}
