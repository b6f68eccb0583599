import type * as tf from '@tensorflow/tfjs';
import type { ForwardMode } from './layers/batch-norm';
import type { DenseStack } from './layers/dense';

/** The autoencoder medGAN pre-trains on real records; the generator works in its code space. */
export interface Autoencoder {
  /** Records [n, V] → codes [n, latent]. */
  encode(records: tf.Tensor2D): tf.Tensor2D;
  /** Codes → logits [n, V]; sigmoid(logits) are the code probabilities. */
  decodeLogits(codes: tf.Tensor2D): tf.Tensor2D;
}

/**
 * The forward passes of one model. Pure functions of the model's variables and their
 * inputs: no tensor is kept between calls, so callers control lifetimes with tf.tidy.
 */
export interface GanNetworks {
  readonly noiseDim: number;
  readonly vocabularySize: number;
  /** Noise [n, noiseDim] → synthetic records [n, V] as code probabilities (decoder folded in). */
  generate(noise: tf.Tensor2D, mode: ForwardMode): tf.Tensor2D;
  /**
   * Records [n, V] → one score per record [n, 1]: a logit (medGAN), a clipped probability
   * (seed) or a critic value (WGAN-GP); the model's objective knows which.
   */
  discriminate(records: tf.Tensor2D): tf.Tensor2D;
  /**
   * Scores two batches as discriminate(real) and discriminate(fake) would, each batch on its
   * own (minibatch averaging takes each batch's own mean), but in one pass over the stacked
   * rows: one large matMul instead of two per layer, forward and backward. Optional: callers
   * fall back to two discriminate calls. `realMeanShift` [V], with minibatch averaging only, is
   * added to the real batch's mean before the mean path sees it (site-mean-correction.ts).
   */
  discriminatePair?(real: tf.Tensor2D, fake: tf.Tensor2D, realMeanShift?: tf.Tensor1D): [tf.Tensor2D, tf.Tensor2D];
  readonly autoencoder?: Autoencoder;
  /**
   * The networks that see real records, as the plain dense stacks they are, for DP-SGD's
   * per-record gradients. Each computes exactly what discriminate() / decodeLogits(encode())
   * compute. Absent when a record's output depends on other records of its batch
   * (minibatch averaging), because then no per-record gradient exists.
   */
  readonly perRecordStacks?: { readonly discriminator: DenseStack; readonly autoencoder?: DenseStack };
}
