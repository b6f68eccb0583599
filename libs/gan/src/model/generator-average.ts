import * as tf from '@tensorflow/tfjs';
import type { GanModel } from './gan-model';
import type { Parameter } from './parameter-store';

/**
 * An exponential moving average of the generator's weights (generator blocks and, for
 * medGAN/medWGAN, the decoder it fine-tunes): Yazıcı et al. 2019, "The Unusual Effectiveness
 * of Averaging in GAN Training". Adversarial training makes the generator circle around a
 * good solution rather than settle on it; sampling from the average of its recent weights
 * removes most of that wobble at the cost of one multiply-add per weight per step.
 *
 * The first update copies the weights; then the decay warms up as min(decay, (1 + t) / (10 + t))
 * so that the first, poor generators are forgotten quickly. Batch-norm moving statistics are averages already and are not
 * touched. Use `update()` after each generator step, `withAverage(fn)` to run fn (sampling,
 * evaluation, export) on the averaged weights, `commit()` to keep them.
 */
/** The decay `fedsynth train` uses for medgan and wgan-gp (libs/gan README, "Models"). */
export const DEFAULT_GENERATOR_AVERAGE_DECAY = 0.998;

export class GeneratorAverage {
  private readonly params: readonly Parameter[];
  private readonly shadows: tf.Variable[];
  private updates = 0;

  constructor(
    model: GanModel,
    readonly decay = DEFAULT_GENERATOR_AVERAGE_DECAY,
  ) {
    if (!(decay >= 0 && decay < 1)) throw new RangeError(`generator average decay must be in [0, 1), got ${decay}`);
    this.params = model.stepParameters.generator;
    this.shadows = this.params.map((p) => tf.variable(p.variable.clone(), false));
  }

  /** Folds the generator's current weights into the average. */
  update(): void {
    const t = this.updates++;
    const decay = t === 0 ? 0 : Math.min(this.decay, (1 + t) / (10 + t));
    tf.tidy(() => {
      this.params.forEach((p, i) => {
        const shadow = this.shadows[i];
        shadow.assign(tf.add(tf.mul(shadow, decay), tf.mul(p.variable, 1 - decay)));
      });
    });
  }

  /** Runs `fn` with the averaged weights in the model, then restores the trained ones. */
  async withAverage<T>(fn: () => T | Promise<T>): Promise<T> {
    const saved = this.params.map((p) => p.variable.clone());
    try {
      this.params.forEach((p, i) => p.variable.assign(this.shadows[i]));
      return await fn();
    } finally {
      this.params.forEach((p, i) => p.variable.assign(saved[i]));
      saved.forEach((t) => t.dispose());
    }
  }

  /** Puts the averaged weights into the model for good (end of training, before export). */
  commit(): void {
    this.params.forEach((p, i) => p.variable.assign(this.shadows[i]));
  }

  dispose(): void {
    this.shadows.forEach((s) => s.dispose());
  }
}
