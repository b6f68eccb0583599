import { FedsynthError } from '../errors/fedsynth-error';

/** The GAN families fedsynth trains; each has one builder. */
export const MODEL_FAMILIES = ['seed', 'medgan', 'wgan-gp'] as const;
export type ModelFamily = (typeof MODEL_FAMILIES)[number];

export function isModelFamily(value: unknown): value is ModelFamily {
  return typeof value === 'string' && (MODEL_FAMILIES as readonly string[]).includes(value);
}

/** Adam settings; each network has its own optimizer, so each can differ. */
export interface AdamSettings {
  learningRate: number;
  beta1: number;
  beta2: number;
}

/**
 * The original notebook's networks, kept as the baseline to beat: ten-unit layers, a relu
 * generator output and a relu "probability" out of the discriminator.
 */
export interface SeedModelOptions {
  family: 'seed';
  vocabularySize: number;
  /** Noise dimensions fed to the generator. */
  noiseDim: number;
  /** Units of every hidden layer (10 in the notebook). */
  hiddenUnits: number;
  /** Slope of LeakyReLU for negative inputs (Keras' default 0.3). */
  leakyAlpha: number;
  discriminatorSteps: number;
  adam: AdamSettings;
  /** Seeds the weight initialisation. */
  initSeed: number;
}

/** Shared by medGAN and medWGAN: autoencoder, residual generator, decoder fine-tuning. */
export interface AutoencodingGanOptions {
  vocabularySize: number;
  /**
   * Width of the autoencoder's code, of the generator's blocks and of the noise: the
   * shortcut connections add a block's input to its output, so all three must agree.
   */
  latentDim: number;
  generatorBlocks: number;
  /**
   * Activation of the last generator block. medGAN's code uses tanh there for binary data
   * (ReLU in the blocks before it), which keeps the generator's output in the range of the
   * encoder's tanh codes the decoder was pre-trained on.
   */
  generatorOutputActivation: 'tanh' | 'relu';
  /** Hidden layer widths of the discriminator / critic (its output is one unit). */
  discriminatorDims: number[];
  /** Feed each record with its batch's mean (medGAN's minibatch averaging, against mode collapse). */
  minibatchAveraging: boolean;
  /** L2 penalty scale on kernels, as (scale/2)·Σw² (medGAN: 1e-3). */
  l2: number;
  /** Batch-norm moving-average momentum and epsilon (medGAN: 0.99, 1e-3). */
  batchNormMomentum: number;
  batchNormEpsilon: number;
  discriminatorSteps: number;
  /** Adam for the discriminator and the generator (+ decoder). */
  adam: AdamSettings;
  /** Adam for autoencoder pre-training. */
  autoencoderAdam: AdamSettings;
  initSeed: number;
}

export interface MedganModelOptions extends AutoencodingGanOptions {
  family: 'medgan';
}

export interface WganGpModelOptions extends AutoencodingGanOptions {
  family: 'wgan-gp';
  /** Gradient penalty weight λ (Gulrajani et al.: 10). */
  gradientPenalty: number;
}

export type ModelOptions = SeedModelOptions | MedganModelOptions | WganGpModelOptions;

/** What a caller may set: everything but the vocabulary size is optional. */
export type ModelOptionsInput = { vocabularySize: number } & Partial<Omit<SeedModelOptions, 'family' | 'adam'>> &
  Partial<Omit<WganGpModelOptions, 'family' | 'adam' | 'autoencoderAdam'>> & {
    adam?: Partial<AdamSettings>;
    autoencoderAdam?: Partial<AdamSettings>;
  };

const MEDGAN_ADAM: AdamSettings = { learningRate: 1e-3, beta1: 0.9, beta2: 0.999 };

function autoencodingDefaults(input: ModelOptionsInput, adam: AdamSettings, discriminatorSteps: number, minibatchAveraging: boolean): AutoencodingGanOptions {
  return {
    vocabularySize: input.vocabularySize,
    latentDim: input.latentDim ?? 128,
    generatorBlocks: input.generatorBlocks ?? 2,
    generatorOutputActivation: input.generatorOutputActivation ?? 'tanh',
    discriminatorDims: input.discriminatorDims ? [...input.discriminatorDims] : [256, 128],
    minibatchAveraging: input.minibatchAveraging ?? minibatchAveraging,
    l2: input.l2 ?? 1e-3,
    batchNormMomentum: input.batchNormMomentum ?? 0.99,
    batchNormEpsilon: input.batchNormEpsilon ?? 1e-3,
    discriminatorSteps: input.discriminatorSteps ?? discriminatorSteps,
    adam: { ...adam, ...input.adam },
    autoencoderAdam: { ...MEDGAN_ADAM, ...input.autoencoderAdam },
    initSeed: input.initSeed ?? 1,
  };
}

/** Fills in each family's published defaults and checks the result. */
export function resolveModelOptions(family: ModelFamily, input: ModelOptionsInput): ModelOptions {
  let options: ModelOptions;
  switch (family) {
    case 'seed':
      options = {
        family,
        vocabularySize: input.vocabularySize,
        noiseDim: input.noiseDim ?? 10,
        hiddenUnits: input.hiddenUnits ?? 10,
        leakyAlpha: input.leakyAlpha ?? 0.3,
        discriminatorSteps: input.discriminatorSteps ?? 1,
        adam: { ...MEDGAN_ADAM, ...input.adam },
        initSeed: input.initSeed ?? 1,
      };
      break;
    case 'medgan':
      // Choi et al. 2017: Adam 1e-3, two discriminator steps per generator step, minibatch averaging.
      options = { family, ...autoencodingDefaults(input, MEDGAN_ADAM, 2, true) };
      break;
    case 'wgan-gp':
      // Gulrajani et al. 2017: Adam(β1 0.5, β2 0.9), 5 critic steps, λ = 10, but a learning
      // rate of 1e-3 (medGAN's) rather than their 1e-4: with 5 critic batches per generator
      // update, 1e-4 left the generator at ~300 codes per record after 18 epochs of the
      // 20,000-patient experiment, where 1e-3 reached r 0.97 in 16. The penalty is per
      // record, so records must not see each other: no minibatch averaging by default.
      options = {
        family,
        ...autoencodingDefaults(input, { learningRate: 1e-3, beta1: 0.5, beta2: 0.9 }, 5, false),
        gradientPenalty: input.gradientPenalty ?? 10,
      };
      break;
    default:
      throw new FedsynthError(`unknown model family '${String(family)}' (use one of: ${MODEL_FAMILIES.join(', ')})`, 'MODEL_UNKNOWN_FAMILY');
  }
  validateModelOptions(options);
  return options;
}

function positiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new FedsynthError(`model option ${name} must be a positive whole number, got ${value}`, 'MODEL_BAD_OPTION');
  }
}

function finiteAtLeast(name: string, value: number, min: number, exclusive = false): void {
  if (!Number.isFinite(value) || value < min || (exclusive && value === min)) {
    throw new FedsynthError(`model option ${name} must be a number ${exclusive ? '>' : '≥'} ${min}, got ${value}`, 'MODEL_BAD_OPTION');
  }
}

function validateAdam(prefix: string, adam: AdamSettings): void {
  finiteAtLeast(`${prefix}.learningRate`, adam.learningRate, 0, true);
  for (const key of ['beta1', 'beta2'] as const) {
    if (!(adam[key] >= 0 && adam[key] < 1)) {
      throw new FedsynthError(`model option ${prefix}.${key} must be in [0, 1), got ${adam[key]}`, 'MODEL_BAD_OPTION');
    }
  }
}

export function validateModelOptions(options: ModelOptions): void {
  positiveInteger('vocabularySize', options.vocabularySize);
  positiveInteger('discriminatorSteps', options.discriminatorSteps);
  validateAdam('adam', options.adam);
  if (!Number.isFinite(options.initSeed)) throw new FedsynthError(`model option initSeed must be a finite number`, 'MODEL_BAD_OPTION');
  if (options.family === 'seed') {
    positiveInteger('noiseDim', options.noiseDim);
    positiveInteger('hiddenUnits', options.hiddenUnits);
    finiteAtLeast('leakyAlpha', options.leakyAlpha, 0);
    return;
  }
  positiveInteger('latentDim', options.latentDim);
  positiveInteger('generatorBlocks', options.generatorBlocks);
  if (options.generatorOutputActivation !== 'tanh' && options.generatorOutputActivation !== 'relu') {
    throw new FedsynthError(`model option generatorOutputActivation must be tanh or relu, got ${String(options.generatorOutputActivation)}`, 'MODEL_BAD_OPTION');
  }
  if (options.discriminatorDims.length === 0) {
    throw new FedsynthError('model option discriminatorDims needs at least one hidden layer', 'MODEL_BAD_OPTION');
  }
  options.discriminatorDims.forEach((d, i) => positiveInteger(`discriminatorDims[${i}]`, d));
  finiteAtLeast('l2', options.l2, 0);
  if (!(options.batchNormMomentum >= 0 && options.batchNormMomentum < 1)) {
    throw new FedsynthError(`model option batchNormMomentum must be in [0, 1), got ${options.batchNormMomentum}`, 'MODEL_BAD_OPTION');
  }
  finiteAtLeast('batchNormEpsilon', options.batchNormEpsilon, 0, true);
  validateAdam('autoencoderAdam', options.autoencoderAdam);
  if (options.family === 'wgan-gp') finiteAtLeast('gradientPenalty', options.gradientPenalty, 0);
}
