import * as tf from '@tensorflow/tfjs';
import type { DpRandomness } from '../dp-randomness';
import { clipFactors, perRecordSquaredNorms, weightedGradientSums } from './per-record-gradients';
import type { RecordTerms } from './record-terms';

/** The DP-SGD settings of one step. */
export interface DpStepSettings {
  /** C: every real record's gradient is scaled down to L2 norm ≤ C. */
  readonly clipNorm: number;
  /** σ: the noise on the clipped sum has standard deviation σ·C. */
  readonly noiseMultiplier: number;
  /**
   * q·records, the divisor of the noisy sum. Fixed rather than the sampled batch's size,
   * which depends on whether a record was sampled and would itself leak.
   */
  readonly expectedBatchSize: number;
  readonly randomness: DpRandomness;
}

/**
 * DP-SGD's gradient for one step:
 *   ( Σ_real c_i·∇ℓ_i + N(0, σ²C²·I) ) / (q·N)  +  Σ_fake c_j·∇ℓ_j / fakes,
 * with c_i = min(1, C/‖∇ℓ_i‖) over all of the network's parameters. Only the real records'
 * sum needs the noise: the fakes come from the generator and fresh noise, which given the
 * earlier (already private) updates do not depend on the data, so their term is
 * post-processing. They are clipped at the same C anyway so that the two halves of the
 * discriminator's loss keep comparable weight. Returns a gradient per parameter.
 */
export function privateGradients(terms: RecordTerms, settings: DpStepSettings): Map<tf.Variable, tf.Tensor> {
  const { clipNorm, noiseMultiplier, expectedBatchSize, randomness } = settings;
  const total = terms.realRows + terms.fakeRows;
  const clip = clipFactors(perRecordSquaredNorms(terms.layers, total), clipNorm);
  const scale = tf.concat([tf.fill([terms.realRows], 1 / expectedBatchSize), tf.fill([terms.fakeRows], terms.fakeRows > 0 ? 1 / terms.fakeRows : 0)]);
  const sums = weightedGradientSums(terms.layers, tf.mul(clip, scale));
  if (noiseMultiplier === 0) return sums;
  const sd = (noiseMultiplier * clipNorm) / expectedBatchSize;
  const noisy = new Map<tf.Variable, tf.Tensor>();
  for (const [variable, sum] of sums) {
    const noise = tf.tensor(randomness.normals(sum.size), sum.shape, 'float32');
    noisy.set(variable, tf.add(sum, tf.mul(noise, sd)));
  }
  return noisy;
}
