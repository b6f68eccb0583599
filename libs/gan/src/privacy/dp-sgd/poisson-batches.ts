import * as tf from '@tensorflow/tfjs';
import { denseRowsAt, type BinaryMatrix } from '../../data/binary-matrix';
import type { DpRandomness } from '../dp-randomness';
import { poissonSample } from './poisson-sample';

/**
 * `steps` Poisson-sampled batches of a matrix as dense tensors [batch, codes]; a batch may be
 * empty. The caller owns (and disposes) each tensor.
 */
export function* poissonBatches(matrix: BinaryMatrix, sampleRate: number, steps: number, random: DpRandomness): Generator<tf.Tensor2D> {
  for (let s = 0; s < steps; s++) {
    const rows = poissonSample(matrix.rows, sampleRate, random);
    yield tf.tensor2d(denseRowsAt(matrix, rows), [rows.length, matrix.cols], 'float32');
  }
}
