import * as tf from '@tensorflow/tfjs';
import { denseRowsAt, type BinaryMatrix } from './binary-matrix';
import { createRng } from './simulate/prng';

export interface BatchOptions {
  batchSize: number;
  /** Shuffle record order each epoch (seeded). Default true. */
  shuffle?: boolean;
  seed?: number;
  /** Drop a last batch smaller than batchSize (batch norm dislikes tiny batches). Default false. */
  dropRemainder?: boolean;
}

/**
 * One epoch of dense float32 batches as tensors [batch, vocabulary]. Only one batch is
 * dense at a time, so a 46,520 × 1,071 cohort never needs its 200 MB dense form. The caller
 * owns (and must dispose) each tensor it receives.
 */
export function* matrixBatches(matrix: BinaryMatrix, options: BatchOptions): Generator<tf.Tensor2D> {
  const { batchSize } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batch size must be a positive integer, got ${batchSize}`);
  const order = Array.from({ length: matrix.rows }, (_, i) => i);
  if (options.shuffle ?? true) createRng(options.seed ?? 1).shuffle(order);
  for (let start = 0; start < order.length; start += batchSize) {
    const rows = order.slice(start, start + batchSize);
    if (rows.length < batchSize && options.dropRemainder) break;
    yield tf.tensor2d(denseRowsAt(matrix, rows), [rows.length, matrix.cols], 'float32');
  }
}
