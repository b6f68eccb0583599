import * as tf from '@tensorflow/tfjs';
import { FedsynthError } from '../errors/fedsynth-error';

/**
 * A federated site's correction of what its discriminator's minibatch-averaging path sees.
 *
 * Why: medGAN's discriminator scores each record beside its batch's mean, and learns to tell a
 * real batch by its mean. At a site every real batch's mean is near that site's prevalences,
 * so each site's discriminator holds the generator to that site's case mix, whatever the
 * federation's target. Averaged over the sites, FedAvg's generator then follows the sites'
 * *geometric* mixture (per code σ(Σ_s w_s·logit π_s)), in which a code common at one site only
 * comes out at a fraction of its pooled prevalence, even with every site matching the pooled
 * prevalences (root README, "Why: the geometric mixture, and where it comes from"). Adding pooled − site to each
 * real batch's mean centres the real means on the pooled prevalences, with the site's own
 * sampling noise: what a centralised discriminator sees. The per-record path is left alone.
 */
export interface SiteMeanCorrection {
  /** pooled − site prevalence per code. */
  readonly meanShift: Float32Array;
}

/** What a site passes to training: the pooled and its own prevalences. */
export interface SiteMeanCorrectionInput {
  readonly pooled: ArrayLike<number>;
  readonly site: ArrayLike<number>;
}

export function siteMeanCorrection(input: SiteMeanCorrectionInput): SiteMeanCorrection {
  const { pooled, site } = input;
  const bad = (message: string) => new FedsynthError(`training option siteCorrection: ${message}`, 'TRAIN_BAD_OPTION');
  if (pooled.length !== site.length) throw bad(`${pooled.length} pooled prevalences but ${site.length} of the site's`);
  const meanShift = new Float32Array(pooled.length);
  for (let j = 0; j < pooled.length; j++) {
    const p = pooled[j];
    const q = site[j];
    if (!(p >= 0 && p <= 1) || !(q >= 0 && q <= 1)) throw bad(`prevalences of code ${j} must be in [0, 1], got pooled ${p}, site ${q}`);
    meanShift[j] = p - q;
  }
  return { meanShift };
}

/** The shift as a tensor for a training phase. Caller disposes. */
export function meanShiftTensor(correction: SiteMeanCorrection): tf.Tensor1D {
  return tf.tensor1d(correction.meanShift, 'float32');
}
