import * as tf from '@tensorflow/tfjs';
import { FedsynthError } from '../errors/fedsynth-error';

/**
 * A federated site's correction of its discriminator's score, as its generator sees it.
 *
 * Why: a site's discriminator estimates s_s(x) = log(p_s(x) / p_g(x)), its own records against
 * the fakes. Far from equilibrium (fakes scored D ≈ 0.02, where runs train) medGAN's −log D
 * loss has gradient ≈ −∇s, so FedAvg's averaged generator steps descend −Σ_s w_s·s_s =
 * −log(Π_s p_s^{w_s} / p_g): the target is the sites' *geometric* mixture, in which a code
 * common at one site only comes out at a fraction of its pooled prevalence (root README,
 * "Where the federation loses"). Adding c_s(x) = log(p(x) / p_s(x)), p the pooled
 * distribution, makes Σ_s w_s·(s_s + c_s) = log(p / p_g) exactly: the pooled target. Only the
 * marginals of p and p_s are known (the pooled prevalences, sent for pooled marginal
 * matching, and the site's own), so c_s is taken with codes independent:
 *   c_s(x) = Σ_j x_j·(logit π_j − logit π_sj) + Σ_j log((1 − π_j) / (1 − π_sj)),
 * linear in the generator's output x. Only the generator's loss sees it; the discriminator
 * trains on the site's records as before.
 */
export interface SiteScoreCorrection {
  /** One weight per code: logit(pooled) − logit(site). */
  readonly perCode: Float32Array;
  /** Σ_j log((1 − pooled_j) / (1 − site_j)). */
  readonly offset: number;
}

/** What a site passes to training: the pooled and its own prevalences, and its record count (for smoothing). */
export interface SiteScoreCorrectionInput {
  readonly pooled: ArrayLike<number>;
  readonly site: ArrayLike<number>;
  readonly siteRecords: number;
}

function logit(p: number): number {
  return Math.log(p / (1 - p));
}

/**
 * The correction's terms. Prevalences are kept ½ record inside (0, 1) at the site's size
 * (a code the site never saw counts as half a record), so a code absent at one site gets a
 * large but finite weight.
 */
export function siteScoreCorrection(input: SiteScoreCorrectionInput): SiteScoreCorrection {
  const { pooled, site, siteRecords } = input;
  const bad = (message: string) => new FedsynthError(`training option siteCorrection: ${message}`, 'TRAIN_BAD_OPTION');
  if (pooled.length !== site.length) throw bad(`${pooled.length} pooled prevalences but ${site.length} of the site's`);
  if (!(Number.isInteger(siteRecords) && siteRecords >= 1)) throw bad(`siteRecords must be a whole number ≥ 1, got ${siteRecords}`);
  const floor = 0.5 / (siteRecords + 1);
  const clamp = (p: number) => Math.min(1 - floor, Math.max(floor, p));
  const perCode = new Float32Array(pooled.length);
  let offset = 0;
  for (let j = 0; j < pooled.length; j++) {
    const p = pooled[j];
    const q = site[j];
    if (!(p >= 0 && p <= 1) || !(q >= 0 && q <= 1)) throw bad(`prevalences of code ${j} must be in [0, 1], got pooled ${p}, site ${q}`);
    const pc = clamp(p);
    const qc = clamp(q);
    perCode[j] = logit(pc) - logit(qc);
    offset += Math.log((1 - pc) / (1 - qc));
  }
  return { perCode, offset };
}

/** The correction's tensors for a training phase: perCode as a [V, 1] column. Caller disposes. */
export interface SiteScoreCorrectionTensors {
  readonly perCode: tf.Tensor2D;
  readonly offset: number;
}

export function siteScoreCorrectionTensors(correction: SiteScoreCorrection): SiteScoreCorrectionTensors {
  return { perCode: tf.tensor2d(correction.perCode, [correction.perCode.length, 1], 'float32'), offset: correction.offset };
}

/** s + c_s(x) for a batch of generator outputs `fake` [n, V] and their scores [n, 1]. */
export function correctScores(scores: tf.Tensor2D, fake: tf.Tensor2D, correction: SiteScoreCorrectionTensors): tf.Tensor2D {
  return tf.add(tf.add(scores, tf.matMul(fake, correction.perCode)), correction.offset) as tf.Tensor2D;
}
