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
  /** One weight per code: logit(pooled) − logit(site); absent when the record scores are left alone. */
  readonly perCode?: Float32Array;
  /** Σ_j log((1 − pooled_j) / (1 − site_j)). */
  readonly offset: number;
  /**
   * pooled − site per code, added to each real batch's mean on the discriminator's minibatch-
   * averaging path (absent: left alone). Why: that path compares every batch's mean with the
   * real batches' means, which at a site are its own prevalences, so each site's
   * discriminator tells the generator to produce that site's prevalences whatever the
   * generator's per-record scores say; centred on the pooled prevalences, the real batch
   * means are what a centralised discriminator sees (with the site's sampling noise).
   */
  readonly meanShift?: Float32Array;
  /** The number of codes. */
  readonly codes: number;
}

/** Which parts of the discriminator's view a site corrects: record scores, real batch means, or both (the default). */
export interface SiteCorrectionParts {
  readonly scores: boolean;
  readonly batchMeans: boolean;
}

/** What a site passes to training: the pooled and its own prevalences, and its record count (for smoothing). */
export interface SiteScoreCorrectionInput {
  readonly pooled: ArrayLike<number>;
  readonly site: ArrayLike<number>;
  readonly siteRecords: number;
  /** Default: both parts. */
  readonly parts?: SiteCorrectionParts;
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
  const parts = input.parts ?? { scores: true, batchMeans: true };
  const bad = (message: string) => new FedsynthError(`training option siteCorrection: ${message}`, 'TRAIN_BAD_OPTION');
  if (pooled.length !== site.length) throw bad(`${pooled.length} pooled prevalences but ${site.length} of the site's`);
  if (!(Number.isInteger(siteRecords) && siteRecords >= 1)) throw bad(`siteRecords must be a whole number ≥ 1, got ${siteRecords}`);
  const floor = 0.5 / (siteRecords + 1);
  const clamp = (p: number) => Math.min(1 - floor, Math.max(floor, p));
  if (!parts.scores && !parts.batchMeans) throw bad('corrects neither the scores nor the batch means');
  const perCode = new Float32Array(pooled.length);
  const meanShift = new Float32Array(pooled.length);
  let offset = 0;
  for (let j = 0; j < pooled.length; j++) {
    const p = pooled[j];
    const q = site[j];
    if (!(p >= 0 && p <= 1) || !(q >= 0 && q <= 1)) throw bad(`prevalences of code ${j} must be in [0, 1], got pooled ${p}, site ${q}`);
    const pc = clamp(p);
    const qc = clamp(q);
    perCode[j] = logit(pc) - logit(qc);
    offset += Math.log((1 - pc) / (1 - qc));
    meanShift[j] = p - q;
  }
  return { codes: pooled.length, offset: parts.scores ? offset : 0, ...(parts.scores ? { perCode } : {}), ...(parts.batchMeans ? { meanShift } : {}) };
}

/** The correction's tensors for a training phase: perCode as a [V, 1] column. Caller disposes (disposeCorrectionTensors). */
export interface SiteScoreCorrectionTensors {
  readonly perCode?: tf.Tensor2D;
  readonly offset: number;
  readonly meanShift?: tf.Tensor1D;
}

export function siteScoreCorrectionTensors(correction: SiteScoreCorrection): SiteScoreCorrectionTensors {
  const { perCode, meanShift, offset } = correction;
  return {
    offset,
    ...(perCode ? { perCode: tf.tensor2d(perCode, [perCode.length, 1], 'float32') } : {}),
    ...(meanShift ? { meanShift: tf.tensor1d(meanShift, 'float32') } : {}),
  };
}

export function disposeCorrectionTensors(tensors: SiteScoreCorrectionTensors): void {
  tensors.perCode?.dispose();
  tensors.meanShift?.dispose();
}

/** s + c_s(x) for a batch of generator outputs `fake` [n, V] and their scores [n, 1] (the scores as they are without perCode). */
export function correctScores(scores: tf.Tensor2D, fake: tf.Tensor2D, correction: SiteScoreCorrectionTensors): tf.Tensor2D {
  if (!correction.perCode) return scores;
  return tf.add(tf.add(scores, tf.matMul(fake, correction.perCode)), correction.offset) as tf.Tensor2D;
}
