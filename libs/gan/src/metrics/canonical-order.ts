import { type BinaryMatrix, selectRows } from '../data/binary-matrix';

/** Orders rows a and b of m by their ascending code lists, compared element by element; a prefix sorts first. */
export function compareRows(m: BinaryMatrix, a: number, b: number): number {
  const { offsets, indices } = m;
  const aEnd = offsets[a + 1];
  const bEnd = offsets[b + 1];
  let i = offsets[a];
  let j = offsets[b];
  for (; i < aEnd && j < bEnd; i++, j++) {
    if (indices[i] !== indices[j]) return indices[i] - indices[j];
  }
  return aEnd - i - (bEnd - j);
}

/**
 * The same records in a canonical (lexicographic) order. Metrics that subsample or shuffle
 * with a seed start from this order, so their result depends only on which records a matrix
 * holds and on the seed — never on the order the records happened to be stored in.
 */
export function canonicalRowOrder(m: BinaryMatrix): BinaryMatrix {
  const order = Array.from({ length: m.rows }, (_, i) => i);
  // Ties (identical records) are interchangeable, so an unstable sort would be fine too.
  order.sort((a, b) => compareRows(m, a, b));
  return selectRows(m, order);
}
