import * as tf from '@tensorflow/tfjs';
import type { FusedAdam } from '../../model/fused-adam';
import type { GanModel } from '../../model/gan-model';
import { applyGradients, noise } from '../../model/train-steps';
import { privateGradients, type DpStepSettings } from './private-gradients';
import { autoencoderRecordTerms, discriminatorRecordTerms } from './record-terms';

function optimizerFor(model: GanModel, which: 'discriminator' | 'autoencoder'): FusedAdam {
  const optimizer = model.optimizers()[which];
  if (!optimizer) throw new Error(`the ${model.family} family has no ${which}`);
  return optimizer;
}

export interface DpDiscriminatorStepOptions {
  /** Generated records scored against the real ones (the plain step uses as many as real ones). */
  fakeCount: number;
  noiseSeed: number;
  /** Seeds the gradient penalty's interpolation (WGAN-GP only). */
  lossSeed: number;
}

/**
 * One DP-SGD update of the discriminator (critic) on a Poisson-sampled batch of real
 * records (any size, even 0) against `fakeCount` fresh fakes. Returns the batch's loss,
 * which is computed from real records and is not itself private (see the README).
 */
export function dpDiscriminatorStep(model: GanModel, real: tf.Tensor2D, settings: DpStepSettings, options: DpDiscriminatorStepOptions): number {
  return tf.tidy(() => {
    const fake = model.networks.generate(noise(model, options.fakeCount, options.noiseSeed), { training: true });
    const terms = discriminatorRecordTerms(model, real, fake, options.lossSeed);
    const grads = privateGradients(terms, settings);
    applyGradients(optimizerFor(model, 'discriminator'), model.stepParameters.discriminator, model.l2, (p) => grads.get(p.variable));
    return terms.loss.dataSync()[0];
  });
}

/** One DP-SGD update of the autoencoder on a Poisson-sampled batch of real records; returns its loss. */
export function dpAutoencoderStep(model: GanModel, records: tf.Tensor2D, settings: DpStepSettings): number {
  return tf.tidy(() => {
    const terms = autoencoderRecordTerms(model, records);
    const grads = privateGradients(terms, settings);
    applyGradients(optimizerFor(model, 'autoencoder'), model.stepParameters.autoencoder, model.l2, (p) => grads.get(p.variable));
    return terms.loss.dataSync()[0];
  });
}
