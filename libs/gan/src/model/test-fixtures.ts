import { matrixFromRows, type BinaryMatrix } from '../data/binary-matrix';
import { createRng } from '../data/simulate/prng';
import type { ModelOptionsInput } from './model-options';

/**
 * A small structured cohort for tests: codes come in pairs (2k, 2k+1) that always occur
 * together, with prevalence falling with k, so a model that learns anything reproduces it.
 */
export function pairedCodesMatrix(rows: number, cols: number, seed = 1): BinaryMatrix {
  const rng = createRng(seed);
  const pairs = Math.floor(cols / 2);
  const records: number[][] = [];
  for (let r = 0; r < rows; r++) {
    const codes: number[] = [];
    for (let k = 0; k < pairs; k++) {
      if (rng.bernoulli(0.6 / (k + 1))) codes.push(2 * k, 2 * k + 1);
    }
    records.push(codes);
  }
  return matrixFromRows(records, cols);
}

/** Architecture options small enough for unit tests on the cpu backend. */
export const TINY_MODEL: Omit<ModelOptionsInput, 'vocabularySize'> = {
  latentDim: 8,
  discriminatorDims: [16, 8],
  noiseDim: 4,
  hiddenUnits: 6,
};
