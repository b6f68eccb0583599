import type * as tf from '@tensorflow/tfjs';
import type { BinaryMatrix } from '../data/binary-matrix';
import { createRng, type Rng } from '../data/simulate/prng';
import { matrixBatches } from '../data/tensor-batches';
import { FedsynthError } from '../errors/fedsynth-error';
import { assertDpCompatible } from '../privacy/dp-sgd/dp-options';
import { dpAutoencoderStep, dpDiscriminatorStep } from '../privacy/dp-sgd/dp-steps';
import { poissonBatches } from '../privacy/dp-sgd/poisson-batches';
import type { DpStepSettings } from '../privacy/dp-sgd/private-gradients';
import { expectedBatchSize, privacySpent, type DpSteps, type PrivacySpent } from '../privacy/dp-sgd/privacy-spent';
import { createModel } from './create-model';
import { marginalTargetTensor, validateMarginalTarget } from './marginal-matching';
import { meanShiftTensor } from './site-mean-correction';
import { batchesPerEpoch } from './planned-batches';
import { assertFiniteLosses } from './finite-losses';
import { flushTinyValues, UPDATES_PER_FLUSH } from './flush-tiny-values';
import type { GanModel } from './gan-model';
import { resolveModelOptions, type ModelFamily, type ModelOptionsInput } from './model-options';
import type { AutoencoderLog, GanLog, TrainLog, TrainSummary } from './train-log';
import { resolveTrainOptions, type ResolvedTrainOptions, type TrainOptions } from './train-options';
import { autoencoderLoss, autoencoderStep, discriminatorStep, generatorStep } from './train-steps';
import { splitValidation } from './validation-split';

/** A running training: iterate it for logs; `model` is the model being trained. */
export type TrainRun = AsyncGenerator<TrainLog, TrainSummary, undefined> & { readonly model: GanModel };

const SEED_RANGE = 2 ** 31 - 1;

/**
 * Lets timers, I/O and signal handlers run between steps. Without it a for-await loop over
 * this generator would only ever hop between microtasks and a Ctrl-C handler (which sets the
 * AbortSignal) could not fire until training ended.
 */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Trains a model on a binary records × codes matrix, as an async generator of step and
 * epoch logs. Pass a family name to build a new model (seeded by `options.seed` unless
 * `options.model.initSeed` says otherwise) or an existing model to continue training it
 * (a federated round). Every step runs in tf.tidy, so the tensors alive between two logs
 * are the model's weights and its optimizers' state. A NaN or infinite loss throws.
 *
 * Stop early with `options.signal` (the run returns `stopped: true`) or by breaking out of
 * the for-await loop; either way the model keeps what it learned so far.
 */
export function train(familyOrModel: ModelFamily | GanModel, matrix: BinaryMatrix, options: TrainOptions): TrainRun {
  if (matrix.rows < 1) throw new FedsynthError('cannot train on a matrix without records', 'TRAIN_NO_DATA');
  const given = typeof familyOrModel === 'string' ? undefined : familyOrModel;
  // Options are checked before a model is built, so a typo leaks no variables.
  const resolved = resolveTrainOptions(options, given ? given.networks.autoencoder !== undefined : familyOrModel !== 'seed');
  if (given && given.networks.vocabularySize !== matrix.cols) {
    throw new FedsynthError(
      `the model was built for ${given.networks.vocabularySize} codes but the matrix has ${matrix.cols} columns; train on the model's vocabulary`,
      'TRAIN_VOCABULARY_MISMATCH',
    );
  }
  const modelInput: ModelOptionsInput = { initSeed: resolved.seed, ...options.model, vocabularySize: matrix.cols };
  // Under DP the discriminator must score each record on its own (see assertDpCompatible):
  // minibatch averaging is off unless asked for, and then refused.
  if (resolved.dp && modelInput.minibatchAveraging === undefined) modelInput.minibatchAveraging = false;
  if (resolved.dp) assertDpCompatible(given ? given.options : resolveModelOptions(familyOrModel as ModelFamily, modelInput));
  if (resolved.marginals) validateMarginalTarget(resolved.marginals, matrix.cols);
  if (resolved.siteCorrection && resolved.dp) {
    // The correction is built from the site's exact prevalences, which no DP accountant charges.
    throw new FedsynthError('training option siteCorrection cannot be combined with dp: it uses the exact prevalences of the records', 'TRAIN_BAD_OPTION');
  }
  if (resolved.siteCorrection && resolved.siteCorrection.meanShift.length !== matrix.cols) {
    throw new FedsynthError(`training option siteCorrection: ${resolved.siteCorrection.meanShift.length} prevalences but the matrix has ${matrix.cols} columns`, 'TRAIN_BAD_OPTION');
  }
  const model = given ?? createModel(familyOrModel as ModelFamily, modelInput);
  if (resolved.siteCorrection && !(model.options.family === 'medgan' && model.options.minibatchAveraging)) {
    // The correction acts on the minibatch-averaging path only (and WGAN-GP's gradient penalty would score unshifted means).
    if (!given) model.dispose();
    throw new FedsynthError(
      model.options.family === 'medgan'
        ? 'training option siteCorrection: correcting the batch means needs minibatch averaging, which this model has off'
        : `training option siteCorrection is for medgan with minibatch averaging, not ${model.options.family}`,
      'TRAIN_BAD_OPTION',
    );
  }
  return Object.assign(runTraining(model, matrix, resolved), { model });
}

interface PhaseContext {
  readonly model: GanModel;
  readonly options: ResolvedTrainOptions;
  readonly rng: Rng;
  readonly startedAt: number;
  readonly aborted: () => boolean;
  /** DP-SGD steps taken so far (under dp), for the accountant. */
  readonly dpSteps: DpSteps;
}

/** What the accountant says about the DP steps so far; undefined without dp. */
function spent(ctx: PhaseContext): PrivacySpent | undefined {
  return ctx.options.dp ? privacySpent(ctx.options.dp, ctx.dpSteps) : undefined;
}

function dpSettings(ctx: PhaseContext, records: number): DpStepSettings | undefined {
  const dp = ctx.options.dp;
  if (!dp) return undefined;
  return { clipNorm: dp.clipNorm, noiseMultiplier: dp.noiseMultiplier, expectedBatchSize: expectedBatchSize(dp.sampleRate, records), randomness: dp.randomness };
}

async function* runTraining(model: GanModel, matrix: BinaryMatrix, options: ResolvedTrainOptions): AsyncGenerator<TrainLog, TrainSummary, undefined> {
  const rng = createRng(options.seed);
  const context: PhaseContext = {
    model,
    options,
    rng,
    startedAt: performance.now(),
    aborted: () => options.signal?.aborted === true,
    dpSteps: { autoencoder: 0, discriminator: 0 },
  };
  const { train: trainMatrix, validation } = splitValidation(matrix, options.validationFraction, rng);
  const ae = options.pretrainEpochs > 0 ? yield* autoencoderPhase(context, trainMatrix, validation) : { epochs: 0, steps: 0, stopped: false, last: {} };
  const gan = ae.stopped ? { epochs: 0, steps: 0, stopped: true, last: {} } : yield* ganPhase(context, trainMatrix);
  return {
    stopped: gan.stopped,
    autoencoderEpochs: ae.epochs,
    autoencoderSteps: ae.steps,
    ganEpochs: gan.epochs,
    ganSteps: gan.steps,
    wallMs: performance.now() - context.startedAt,
    lastLosses: { ...ae.last, ...gan.last },
    ...(options.dp ? { privacy: spent(context)! } : {}),
  };
}

interface PhaseResult<L> {
  epochs: number;
  steps: number;
  stopped: boolean;
  last: Partial<L>;
}

function nextSeed(rng: Rng): number {
  return rng.int(SEED_RANGE);
}

/** Epochs a phase runs: all of them, or as many as maxBatches batches of real records reach into. */
function phaseEpochs(epochs: number, batchesPerEpoch: number, maxBatches: number | undefined): number {
  return maxBatches === undefined ? epochs : Math.min(epochs, Math.ceil(maxBatches / Math.max(1, batchesPerEpoch)));
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

async function* autoencoderPhase(
  ctx: PhaseContext,
  trainMatrix: BinaryMatrix,
  validation: BinaryMatrix | undefined,
): AsyncGenerator<AutoencoderLog, PhaseResult<AutoencoderLog['losses']>, undefined> {
  const { model, options, rng } = ctx;
  const dp = options.dp;
  const settings = dpSettings(ctx, trainMatrix.rows);
  // Under dp, batches are Poisson samples (expected size q·records) and an epoch is ⌈1/q⌉ of them.
  const batchSize = dp ? Math.max(1, Math.round(settings!.expectedBatchSize)) : Math.min(options.autoencoderBatchSize, trainMatrix.rows);
  const stepsPerEpoch = batchesPerEpoch({ phase: 'autoencoder', rows: trainMatrix.rows, batchSize, ...(dp ? { dpSampleRate: dp.sampleRate } : {}) });
  const epochs = phaseEpochs(options.pretrainEpochs, stepsPerEpoch, options.maxBatches);
  const base = { phase: 'autoencoder' as const, epochs, stepsPerEpoch };
  let step = 0;
  let last: AutoencoderLog['losses'] = { ae: NaN };
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const epochStart = performance.now();
    const losses: number[] = [];
    let epochRecords = 0;
    const batches = dp ? poissonBatches(trainMatrix, dp.sampleRate, stepsPerEpoch, dp.randomness) : matrixBatches(trainMatrix, { batchSize, seed: nextSeed(rng) });
    for (const batch of batches) {
      if (ctx.aborted()) {
        batch.dispose();
        return { epochs: epoch - 1, steps: step, stopped: true, last };
      }
      const t0 = performance.now();
      const rows = batch.shape[0];
      let ae: number;
      try {
        ae = settings ? dpAutoencoderStep(model, batch, settings) : autoencoderStep(model, batch);
      } finally {
        batch.dispose();
      }
      if (settings) ctx.dpSteps.autoencoder++;
      epochRecords += rows;
      step++;
      assertFiniteLosses({ ae }, `autoencoder epoch ${epoch}, step ${step}`);
      if (step % UPDATES_PER_FLUSH === 0) await flushTinyValues(model);
      losses.push(ae);
      const now = performance.now();
      yield { ...base, kind: 'step', epoch, step, batches: step, losses: { ae }, recordsPerSec: (rows * 1000) / Math.max(now - t0, 1e-3), elapsedMs: now - ctx.startedAt };
      await yieldToEventLoop();
      // The batch limit ends the phase mid-epoch (a round of local steps); the batch generator is lazy, so no batch is left made.
      if (options.maxBatches !== undefined && step >= options.maxBatches) break;
    }
    const valAe = validation ? validationLoss(model, validation, batchSize) : undefined;
    last = { ae: mean(losses), ...(valAe !== undefined ? { valAe } : {}) };
    assertFiniteLosses(last, `autoencoder epoch ${epoch}`);
    yield { ...base, kind: 'epoch', epoch, step, batches: step, losses: last, ...epochEnd(ctx, epochStart, epochRecords) };
  }
  return { epochs, steps: step, stopped: false, last };
}

/** What both phases' epoch logs end with: the epoch's throughput, the time so far and, under DP, the privacy spent. */
function epochEnd(ctx: PhaseContext, epochStart: number, epochRecords: number): Pick<TrainLog, 'recordsPerSec' | 'elapsedMs' | 'privacy'> {
  const now = performance.now();
  const privacy = spent(ctx);
  return { recordsPerSec: (epochRecords * 1000) / Math.max(now - epochStart, 1e-3), elapsedMs: now - ctx.startedAt, ...(privacy ? { privacy } : {}) };
}

/** Mean reconstruction loss over all validation records. */
function validationLoss(model: GanModel, validation: BinaryMatrix, batchSize: number): number {
  let total = 0;
  for (const batch of matrixBatches(validation, { batchSize, shuffle: false })) {
    try {
      total += autoencoderLoss(model, batch) * batch.shape[0];
    } finally {
      batch.dispose();
    }
  }
  return total / validation.rows;
}

async function* ganPhase(ctx: PhaseContext, trainMatrix: BinaryMatrix): AsyncGenerator<GanLog, PhaseResult<GanLog['losses']>, undefined> {
  const { model, options, rng } = ctx;
  const dSteps = model.options.discriminatorSteps;
  const dp = options.dp;
  const settings = dpSettings(ctx, trainMatrix.rows);
  // Full batches only (unless the data is smaller than one): batch norm and minibatch
  // averaging estimate statistics from the batch, and a 3-record remainder would be noise.
  // Under dp the real batches are Poisson samples of expected size q·records, and the
  // fakes and generator batches have that size (rounded).
  const batchSize = dp ? Math.max(1, Math.round(settings!.expectedBatchSize)) : Math.min(options.batchSize, trainMatrix.rows);
  const realPerEpoch = batchesPerEpoch({ phase: 'gan', rows: trainMatrix.rows, batchSize, ...(dp ? { dpSampleRate: dp.sampleRate } : {}) });
  const stepsPerEpoch = Math.ceil(realPerEpoch / dSteps);
  const epochs = phaseEpochs(options.epochs, realPerEpoch, options.maxBatches);
  const base = { phase: 'gan' as const, epochs, stepsPerEpoch };
  // Real batches taken in this phase, for maxBatches (each is one discriminator update).
  let realBatches = 0;
  const limitReached = () => options.maxBatches !== undefined && realBatches >= options.maxBatches;
  // Each GAN step makes dSteps + 1 optimizer updates.
  const flushEvery = Math.max(1, Math.floor(UPDATES_PER_FLUSH / (dSteps + 1)));
  let step = 0;
  let last: Partial<GanLog['losses']> = {};
  const target = options.marginals && epochs > 0 ? marginalTargetTensor(options.marginals) : undefined;
  const marginals = target ? { target, weight: options.marginals!.weight } : undefined;
  const realMeanShift = options.siteCorrection && epochs > 0 ? meanShiftTensor(options.siteCorrection) : undefined;
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const epochStart = performance.now();
      const dLosses: number[] = [];
      const gLosses: number[] = [];
      let pending: number[] = [];
      let stepStart = performance.now();
      let stepRecords = 0;
      let epochRecords = 0;
      const batches = dp
        ? poissonBatches(trainMatrix, dp.sampleRate, realPerEpoch, dp.randomness)
        : matrixBatches(trainMatrix, { batchSize, seed: nextSeed(rng), dropRemainder: true });
      for (;;) {
        // Past the batch limit the epoch ends here, as if its batches had run out (a short tail still gets its generator step).
        const next = limitReached() ? undefined : batches.next();
        const real: tf.Tensor2D | undefined = next === undefined || next.done ? undefined : next.value;
        if (real) {
          if (ctx.aborted()) {
            real.dispose();
            return { epochs: epoch - 1, steps: step, stopped: true, last };
          }
          if (pending.length === 0) {
            stepStart = performance.now();
            stepRecords = 0;
          }
          const realRows = real.shape[0];
          let d: number;
          try {
            const seeds = { noiseSeed: nextSeed(rng), lossSeed: nextSeed(rng) };
            d = settings
              ? dpDiscriminatorStep(model, real, settings, { ...seeds, fakeCount: batchSize })
              : discriminatorStep(model, real, { ...seeds, ...(realMeanShift ? { realMeanShift } : {}) });
          } finally {
            real.dispose();
          }
          if (settings) ctx.dpSteps.discriminator++;
          realBatches++;
          assertFiniteLosses({ d }, `gan epoch ${epoch}, step ${step + 1}`);
          pending.push(d);
          stepRecords += realRows;
          epochRecords += realRows;
        }
        // A generator update after every dSteps discriminator updates, and one for a short tail.
        if (pending.length === dSteps || (!real && pending.length > 0)) {
          const g = generatorStep(model, { batchSize, noiseSeed: nextSeed(rng), ...(marginals ? { marginals } : {}) });
          step++;
          const losses = { d: mean(pending), g };
          assertFiniteLosses(losses, `gan epoch ${epoch}, step ${step}`);
          if (step % flushEvery === 0) await flushTinyValues(model);
          dLosses.push(losses.d);
          gLosses.push(g);
          pending = [];
          const now = performance.now();
          yield { ...base, kind: 'step', epoch, step, batches: realBatches, losses, recordsPerSec: (stepRecords * 1000) / Math.max(now - stepStart, 1e-3), elapsedMs: now - ctx.startedAt };
          await yieldToEventLoop();
        }
        if (!real) break;
      }
      last = { d: mean(dLosses), g: mean(gLosses) };
      yield { ...base, kind: 'epoch', epoch, step, batches: realBatches, losses: { d: last.d!, g: last.g! }, ...epochEnd(ctx, epochStart, epochRecords) };
    }
  } finally {
    // The target tensors live for the phase; freed however it ends (done, stopped, thrown).
    target?.dispose();
    realMeanShift?.dispose();
  }
  return { epochs, steps: step, stopped: false, last };
}
