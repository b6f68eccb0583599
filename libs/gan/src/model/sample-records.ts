import * as tf from '@tensorflow/tfjs';
import type { BinaryMatrix } from '../data/binary-matrix';
import { createRng } from '../data/simulate/prng';
import { FedsynthError } from '../errors/fedsynth-error';
import type { Sampler } from './sampler';

export interface SampleOptions {
  /** Number of synthetic records. */
  count: number;
  /** Seeds the noise; the same seed and model give the same records. Default 1. */
  seed?: number;
  /** Records generated per forward pass (bounds memory: batch × V floats). Default 1000. */
  batchSize?: number;
  /** A code is present when its probability is at least this. Default 0.5 (rounding, as medGAN does). */
  threshold?: number;
}

/**
 * Draws synthetic records: standard normal noise through the generator (and decoder), each
 * probability rounded to 0/1. Returns a sparse matrix, so 46,520 synthetic patients cost a
 * few MB however large the vocabulary.
 */
export function sampleRecords(sampler: Sampler, options: SampleOptions): BinaryMatrix {
  const { count } = options;
  const batchSize = options.batchSize ?? 1000;
  const threshold = options.threshold ?? 0.5;
  if (!Number.isInteger(count) || count < 0) throw new FedsynthError(`the number of records to sample must be a whole number ≥ 0, got ${count}`, 'SAMPLE_BAD_OPTION');
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new FedsynthError(`sampling batch size must be a positive whole number, got ${batchSize}`, 'SAMPLE_BAD_OPTION');
  if (!(threshold > 0 && threshold <= 1)) throw new FedsynthError(`threshold must be in (0, 1], got ${threshold}`, 'SAMPLE_BAD_OPTION');
  const rng = createRng(options.seed ?? 1);
  const V = sampler.vocabularySize;
  const offsets = new Uint32Array(count + 1);
  const indices: number[] = [];
  for (let start = 0; start < count; start += batchSize) {
    const rows = Math.min(batchSize, count - start);
    // Noise drawn record by record from one stream: the records depend on the seed only, not
    // on how they are batched.
    const noise = new Float32Array(rows * sampler.noiseDim);
    for (let i = 0; i < noise.length; i++) noise[i] = rng.normal();
    const probabilities = tf.tidy(() => sampler.probabilities(tf.tensor2d(noise, [rows, sampler.noiseDim])));
    let values: Float32Array;
    try {
      values = probabilities.dataSync() as Float32Array;
    } finally {
      probabilities.dispose();
    }
    for (let r = 0; r < rows; r++) {
      const base = r * V;
      for (let c = 0; c < V; c++) if (values[base + c] >= threshold) indices.push(c);
      offsets[start + r + 1] = indices.length;
    }
  }
  return { rows: count, cols: V, offsets, indices: Uint32Array.from(indices) };
}
