import * as tf from '@tensorflow/tfjs';
import { FedsynthError } from '../errors/fedsynth-error';

/**
 * Marginal matching: besides fooling the discriminator, the generator is trained so that the
 * code prevalences of each fake batch match a target vector p (e.g. a site's noisy,
 * privacy-charged code counts ÷ records).
 *
 * Why: medGAN's minibatch averaging shows the discriminator each batch's mean beside every
 * record, which is how it learns to punish wrong prevalences. Under DP-SGD it must be off
 * (a record's score may not depend on the other records of its batch), and the generator
 * then drifts on prevalences (federated runs without it reach r ≈ 0.85 even without noise).
 * A released prevalence vector restores that signal for the price of one Gaussian release,
 * and the generator's use of it is post-processing.
 *
 * Loss, per generator step: weight × Σ_codes KL(Bernoulli(p_c) ‖ Bernoulli(q_c)), with q_c
 * the fake batch's mean output for code c. Summed over codes like the reconstruction loss;
 * KL rather than squared error so that a rare code's relative error counts (the gradient is
 * (q − p) / (q(1 − q))).
 */
export interface MarginalTarget {
  /** Target prevalence per code (column order of the model's vocabulary), each in [0, 1]. */
  readonly prevalence: ArrayLike<number>;
  /** weight ≥ 0 of the matching term beside the adversarial loss; 0 turns it off. */
  readonly weight: number;
}

/** Targets are kept this far inside (0, 1) so the KL's logarithms stay finite. */
export const MARGINAL_FLOOR = 1e-6;

export function validateMarginalTarget(target: MarginalTarget, vocabularySize: number): void {
  const bad = (message: string) => new FedsynthError(`training option marginals: ${message}`, 'TRAIN_BAD_OPTION');
  if (!(Number.isFinite(target.weight) && target.weight >= 0)) throw bad(`weight must be a finite number ≥ 0, got ${target.weight}`);
  if (target.prevalence.length !== vocabularySize) {
    throw bad(`prevalence has ${target.prevalence.length} entries but the model has ${vocabularySize} codes`);
  }
  for (let c = 0; c < target.prevalence.length; c++) {
    const p = target.prevalence[c];
    if (!(p >= 0 && p <= 1)) throw bad(`prevalence[${c}] must be in [0, 1], got ${p}`);
  }
}

/** The target as a tensor, clamped into [floor, 1 − floor]. Caller disposes. */
export function marginalTargetTensor(target: MarginalTarget): tf.Tensor1D {
  const clamped = Float32Array.from(target.prevalence, (p) => Math.min(1 - MARGINAL_FLOOR, Math.max(MARGINAL_FLOOR, p)));
  return tf.tensor1d(clamped, 'float32');
}

/** Σ_c KL(Bernoulli(p_c) ‖ Bernoulli(q_c)), q = the batch mean of `fake` (outputs in [0, 1]). */
export function marginalMatchingLoss(fake: tf.Tensor2D, target: tf.Tensor1D): tf.Scalar {
  return tf.tidy(() => {
    const q = tf.clipByValue(tf.mean(fake, 0), MARGINAL_FLOOR, 1 - MARGINAL_FLOOR);
    const oneMinusP = tf.sub(1, target);
    const kl = tf.add(tf.mul(target, tf.log(tf.div(target, q))), tf.mul(oneMinusP, tf.log(tf.div(oneMinusP, tf.sub(1, q)))));
    return tf.sum(kl) as tf.Scalar;
  });
}

/** The same quantity on plain numbers: reference for tests and for logs. */
export function bernoulliKlSum(target: ArrayLike<number>, batchMean: ArrayLike<number>): number {
  const clamp = (x: number) => Math.min(1 - MARGINAL_FLOOR, Math.max(MARGINAL_FLOOR, x));
  let total = 0;
  for (let c = 0; c < target.length; c++) {
    const p = clamp(target[c]);
    const q = clamp(batchMean[c]);
    total += p * Math.log(p / q) + (1 - p) * Math.log((1 - p) / (1 - q));
  }
  return total;
}
