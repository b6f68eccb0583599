import * as tf from '@tensorflow/tfjs';
import type { ParameterStore } from '../parameter-store';

export interface BatchNormWeights {
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;
  /** Not trained: exponential averages of the batch statistics, used when sampling. */
  readonly movingMean: tf.Variable;
  readonly movingVariance: tf.Variable;
}

/** Registers gamma, beta (trainable) and moving_mean, moving_variance (not trainable). */
export function addBatchNorm(store: ParameterStore, prefix: string, units: number): BatchNormWeights {
  return {
    gamma: store.add(`${prefix}/gamma`, tf.ones([units])),
    beta: store.add(`${prefix}/beta`, tf.zeros([units])),
    movingMean: store.add(`${prefix}/moving_mean`, tf.zeros([units]), { trainable: false }),
    movingVariance: store.add(`${prefix}/moving_variance`, tf.ones([units]), { trainable: false }),
  };
}

/**
 * How a network with batch norm runs. Training uses the batch's own statistics; only the
 * step that trains the network moves the averages, so a discriminator step (which also
 * runs the generator) leaves every generator weight as it was.
 */
export interface ForwardMode {
  training: boolean;
  updateStatistics?: boolean;
  /**
   * Overrides the layer's momentum for this pass: 0 sets the averages to this batch's own
   * statistics (recalibrating a generator on a large noise batch after its weights were averaged).
   */
  statisticsMomentum?: number;
}

export interface BatchNormSettings {
  momentum: number;
  epsilon: number;
}

/**
 * (x − mean) · gamma / √(variance + ε) + beta, written with elementwise ops rather than
 * tf.batchNorm: the latter's gradient tiles the statistics up to the batch's shape, and the
 * wasm backend's Tile made it the slowest op of a generator step.
 */
function normalize(x: tf.Tensor2D, mean: tf.Tensor, variance: tf.Tensor, w: BatchNormWeights, epsilon: number): tf.Tensor2D {
  const scale = tf.mul(tf.rsqrt(tf.add(variance, epsilon)), w.gamma);
  return tf.add(tf.mul(tf.sub(x, mean), scale), w.beta);
}

export function batchNorm(x: tf.Tensor2D, w: BatchNormWeights, mode: ForwardMode, settings: BatchNormSettings): tf.Tensor2D {
  if (!mode.training) return normalize(x, w.movingMean, w.movingVariance, w, settings.epsilon);
  const { mean, variance } = tf.moments(x, 0);
  if (mode.updateStatistics) {
    // assign() is not recorded on the gradient tape, so the averages carry no gradient.
    const m = mode.statisticsMomentum ?? settings.momentum;
    w.movingMean.assign(tf.add(tf.mul(w.movingMean, m), tf.mul(mean, 1 - m)));
    w.movingVariance.assign(tf.add(tf.mul(w.movingVariance, m), tf.mul(variance, 1 - m)));
  }
  return normalize(x, mean, variance, w, settings.epsilon);
}
