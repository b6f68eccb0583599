import type { BinaryMatrix } from '../../data/binary-matrix';
import { createRng } from '../../data/simulate/prng';
import { prevalence } from '../prevalence';
import { forEachBernoulliSuccess } from './bernoulli-sampling';
import { matrixFromColumnMajorPairs } from './matrix-from-pairs';

/**
 * Records whose codes are drawn independently, each at its own probability. Fitted to the
 * training prevalences this is the "perfect prevalence, no correlation" baseline: any generator
 * must beat it on co-occurrence, prediction and detection to show it learnt more than counts.
 */
export function sampleIndependentMarginals(probabilities: ArrayLike<number>, rows: number, seed: number): BinaryMatrix {
  const rng = createRng(seed);
  const pairRows: number[] = [];
  const pairCols: number[] = [];
  for (let c = 0; c < probabilities.length; c++) {
    forEachBernoulliSuccess(rows, probabilities[c], rng, (r) => {
      pairRows.push(r);
      pairCols.push(c);
    });
  }
  return matrixFromColumnMajorPairs(rows, probabilities.length, pairRows, pairCols);
}

/** The independent-marginals baseline: `rows` records sampled at the training set's code rates. */
export function independentMarginalsBaseline(train: BinaryMatrix, rows: number, seed: number): BinaryMatrix {
  return sampleIndependentMarginals(prevalence(train), rows, seed);
}
