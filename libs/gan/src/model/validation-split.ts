import { selectRows, type BinaryMatrix } from '../data/binary-matrix';
import type { Rng } from '../data/simulate/prng';

/**
 * A seeded split of matrix rows into training and validation parts (rows keep their order
 * inside each part). With fraction 0, or too few rows to spare one, everything trains.
 */
export function splitValidation(matrix: BinaryMatrix, fraction: number, rng: Rng): { train: BinaryMatrix; validation?: BinaryMatrix } {
  const size = Math.round(matrix.rows * fraction);
  if (fraction <= 0 || size < 1 || size >= matrix.rows) return { train: matrix };
  const order = rng.shuffle(Array.from({ length: matrix.rows }, (_, i) => i));
  return {
    validation: selectRows(matrix, order.slice(0, size).sort((a, b) => a - b)),
    train: selectRows(matrix, order.slice(size).sort((a, b) => a - b)),
  };
}
