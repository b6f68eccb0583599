import { FedsynthError } from '../errors/fedsynth-error';
import { resolveDpOptions, type DpOptions, type ResolvedDpOptions } from '../privacy/dp-sgd/dp-options';
import type { ModelOptionsInput } from './model-options';
import type { MarginalTarget } from './marginal-matching';
import { siteMeanCorrection, type SiteMeanCorrection, type SiteMeanCorrectionInput } from './site-mean-correction';

export interface TrainOptions {
  /** Adversarial epochs: passes of the (training part of the) records through the discriminator. */
  epochs: number;
  /** Autoencoder pre-training epochs (medGAN, medWGAN; ignored by seed). Default 100, as in the paper. */
  pretrainEpochs?: number;
  /** Records per discriminator / generator batch. Default 256 (medGAN: 1000). */
  batchSize?: number;
  /** Records per autoencoder batch. Default 100, as in medGAN. */
  autoencoderBatchSize?: number;
  /**
   * Share of records kept out of training to measure the autoencoder's validation loss (medGAN:
   * 0.1). Default 0.1 when there is pre-training, else unused. 0 trains on every record.
   */
  validationFraction?: number;
  /** Seeds batch order, noise, the validation split and (for a new model) the initial weights. Default 1. */
  seed?: number;
  /**
   * Ends each phase after this many batches of real records (autoencoder updates; discriminator
   * updates in the GAN phase), mid-epoch if need be: a federated round of local steps rather
   * than whole epochs. The epochs still bound each phase, so pass at least
   * ⌈maxBatches / batches per epoch⌉ (maxBatches itself always suffices). Default: no limit.
   */
  maxBatches?: number;
  /** Stops training between two steps; the run then ends with `stopped: true`. */
  signal?: AbortSignal;
  /** Architecture options for a model built by train() from a family name. */
  model?: Omit<ModelOptionsInput, 'vocabularySize'>;
  /**
   * Train the networks that see real records (autoencoder, discriminator) with DP-SGD:
   * Poisson-sampled batches of expected size sampleRate × records (so batchSize and
   * autoencoderBatchSize must not be set), per-record clipping and Gaussian noise. The
   * model must not use minibatch averaging (off by default under dp). The validation
   * split defaults to 0 under dp. See the README's "Differential privacy".
   */
  dp?: DpOptions;
  /**
   * Also train the generator to match these code prevalences (weight × Σ KL per code of the
   * fake batch's mean; see marginal-matching.ts): the substitute for minibatch averaging
   * under DP, fed with a privacy-charged release. Weight 0 or absent: off.
   */
  marginals?: MarginalTarget;
  /**
   * Federated GAN rounds only: the pooled and this site's own prevalences; the real batches'
   * means on the discriminator's minibatch-averaging path are centred on the pooled ones
   * (site-mean-correction.ts).
   */
  siteCorrection?: SiteMeanCorrectionInput;
}

export interface ResolvedTrainOptions {
  epochs: number;
  pretrainEpochs: number;
  batchSize: number;
  autoencoderBatchSize: number;
  validationFraction: number;
  seed: number;
  maxBatches?: number;
  signal?: AbortSignal;
  dp?: ResolvedDpOptions;
  marginals?: MarginalTarget;
  siteCorrection?: SiteMeanCorrection;
}

function wholeNumber(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min) {
    throw new FedsynthError(`training option ${name} must be a whole number ≥ ${min}, got ${value}`, 'TRAIN_BAD_OPTION');
  }
  return value;
}

export function resolveTrainOptions(options: TrainOptions, hasAutoencoder: boolean): ResolvedTrainOptions {
  const dp = options.dp === undefined ? undefined : resolveDpOptions(options.dp);
  if (dp) {
    for (const name of ['batchSize', 'autoencoderBatchSize'] as const) {
      if (options[name] !== undefined) {
        throw new FedsynthError(
          `training option ${name} cannot be combined with dp: under DP-SGD every record joins a batch with probability dp.sampleRate, ` +
            'so batches vary in size around sampleRate × records; set dp.sampleRate instead',
          'TRAIN_BAD_OPTION',
        );
      }
    }
  }
  if (options.marginals && !(Number.isFinite(options.marginals.weight) && options.marginals.weight >= 0)) {
    throw new FedsynthError(`training option marginals: weight must be a finite number ≥ 0, got ${options.marginals.weight}`, 'TRAIN_BAD_OPTION');
  }
  const pretrainEpochs = hasAutoencoder ? wholeNumber('pretrainEpochs', options.pretrainEpochs ?? 100, 0) : 0;
  // Under DP every record should count towards training; a held-out share would only feed a
  // validation loss computed from records without noise.
  const validationFraction = pretrainEpochs > 0 ? (options.validationFraction ?? (dp ? 0 : 0.1)) : 0;
  if (!(validationFraction >= 0 && validationFraction < 1)) {
    throw new FedsynthError(`training option validationFraction must be in [0, 1), got ${validationFraction}`, 'TRAIN_BAD_OPTION');
  }
  const seed = options.seed ?? 1;
  if (!Number.isFinite(seed)) throw new FedsynthError(`training option seed must be a finite number, got ${seed}`, 'TRAIN_BAD_OPTION');
  return {
    epochs: wholeNumber('epochs', options.epochs, 0),
    pretrainEpochs,
    batchSize: wholeNumber('batchSize', options.batchSize ?? 256, 1),
    autoencoderBatchSize: wholeNumber('autoencoderBatchSize', options.autoencoderBatchSize ?? 100, 1),
    validationFraction,
    seed,
    ...(options.maxBatches !== undefined ? { maxBatches: wholeNumber('maxBatches', options.maxBatches, 1) } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(dp ? { dp } : {}),
    ...(options.marginals && options.marginals.weight > 0 ? { marginals: options.marginals } : {}),
    ...(options.siteCorrection ? { siteCorrection: siteMeanCorrection(options.siteCorrection) } : {}),
  };
}
