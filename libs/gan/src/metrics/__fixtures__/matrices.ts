import { type BinaryMatrix, matrixFromRows, selectRows } from '../../data/binary-matrix';
import { createRng } from '../../data/simulate/prng';

/** A matrix from literal rows, for hand-computed examples. */
export function m(rows: number[][], cols: number): BinaryMatrix {
  return matrixFromRows(rows, cols);
}

/** The same records in a seeded random order. */
export function shuffledRows(matrix: BinaryMatrix, seed: number): BinaryMatrix {
  const order = createRng(seed).shuffle(Array.from({ length: matrix.rows }, (_, i) => i));
  return selectRows(matrix, order);
}

/** Rows [start, end) as a matrix. */
export function rowRange(matrix: BinaryMatrix, start: number, end: number): BinaryMatrix {
  return selectRows(matrix, Array.from({ length: end - start }, (_, i) => start + i));
}
