import { createModel, getWeights, isModelFamily, setWeights, train, type BinaryMatrix, type GanModel, type MarginalTarget, type SiteMeanCorrectionInput, type TrainLog } from '@fedsynth/gan';
import type { Metrics, PrivacySpent, TrainResult, TrainTask, WeightSet } from '@fedsynth/protocol';
import { decodeModelSpec } from './model-spec-codec';

/**
 * TrainResult metric: wall milliseconds of the round's local training loop at the site (the
 * epochs only, not loading or reading back the weights). An aggregate timing, not data; the
 * coordinator's round-overhead benchmark compares it with the round's wall time.
 */
export const LOCAL_TRAIN_MS_METRIC = 'localTrainMs';

export interface LocalTrainerOptions {
  /** Called with every training log (progress bars, heartbeats). Losses only, never data. */
  onLog?: (log: TrainLog) => void;
}

/** A DP task as the site accepted it (see SitePrivacyLedger.plan). */
export interface LocalDpPlan {
  /** q: each record joins each batch with this probability. */
  sampleRate: number;
  noiseMultiplier: number;
  clipNorm: number;
  /** δ of the site's accountant. */
  delta: number;
  /** The site's privacy loss once this task is done: reported in the TrainResult. */
  after: PrivacySpent;
  /** DP-SGD steps charged for this task: training may not take more (checked before anything is sent). */
  chargedSteps: number;
}

/**
 * Trains the site's model for one TrainTask: global weights in, local epochs of the task's
 * phase on the site's own matrix, new weights out. The model is kept between tasks so each
 * site's Adam moments carry over rounds (FedAvg with local Adam).
 */
export class LocalTrainer {
  private model: GanModel | undefined;

  constructor(private readonly options: LocalTrainerOptions = {}) {}

  /**
   * With `dp`, the networks that see records (autoencoder, discriminator) train with DP-SGD.
   * With `marginals` (GAN rounds of a run with marginal matching), the generator also matches
   * the site's prevalences; with `siteCorrection` (pooled runs that ask for it) the real batch
   * means its discriminator compares fakes with are centred on the pooled prevalences.
   */
  async run(task: TrainTask, matrix: BinaryMatrix, dp?: LocalDpPlan, marginals?: MarginalTarget, siteCorrection?: SiteMeanCorrectionInput): Promise<TrainResult> {
    const model = this.modelFor(task, matrix.cols);
    setWeights(model, task.weights.map((t) => ({ name: t.name, shape: t.shape, values: t.data })));
    const { localEpochs, localSteps, batchSize, seed } = task.options;
    // One phase per round: the autoencoder rounds pre-train, the GAN rounds train adversarially.
    // Local steps: maxBatches ends the phase part-way through an epoch; every epoch has at
    // least one batch, so localSteps epochs always reach that far.
    const count = localSteps ?? localEpochs;
    const epochs = {
      ...(task.phase === 'gan' ? { epochs: count, pretrainEpochs: 0 } : { epochs: 0, pretrainEpochs: count }),
      ...(localSteps !== undefined ? { maxBatches: localSteps } : {}),
    };
    // Under DP, batches are Poisson samples of expected size q·records, not fixed batches.
    const batching = dp
      ? { dp: { clipNorm: dp.clipNorm, noiseMultiplier: dp.noiseMultiplier, sampleRate: dp.sampleRate, delta: dp.delta } }
      : { batchSize, autoencoderBatchSize: batchSize };
    const run = train(model, matrix, { ...epochs, ...batching, validationFraction: 0, seed, ...(marginals ? { marginals } : {}), ...(siteCorrection ? { siteCorrection } : {}) });
    let metrics: Metrics = {};
    let stepsTaken = 0;
    // Minibatches of real records this round trained on (libs/gan's plannedBatches): FedNova's τ.
    let batchesThisRound = 0;
    const started = performance.now();
    for await (const log of run) {
      this.options.onLog?.(log);
      if (log.kind === 'epoch') metrics = dp ? releasableUnderDp(finiteLosses(log.losses)) : finiteLosses(log.losses);
      if (log.kind === 'epoch') batchesThisRound = log.batches;
      if (log.kind === 'epoch' && log.privacy) stepsTaken = log.privacy.steps.autoencoder + log.privacy.steps.discriminator;
    }
    // The ledger charged the planned steps before training; weights from more steps than that
    // would carry a privacy loss nobody accounted for, so they never leave.
    if (dp && stepsTaken > dp.chargedSteps) {
      throw new Error(`training took ${stepsTaken} DP-SGD steps but ${dp.chargedSteps} were charged to the privacy ledger; the update is not sent`);
    }
    metrics[LOCAL_TRAIN_MS_METRIC] = performance.now() - started;
    const weights: WeightSet = getWeights(model).map((w) => ({ name: w.name, shape: [...w.shape], data: w.values }));
    // Public under DP too: it follows from the task and the record count (the DP-SGD steps the ledger charged).
    return { runId: task.runId, round: task.round, phase: task.phase, recordCount: matrix.rows, weights, metrics, ...(dp ? { privacy: dp.after } : {}), ...(batchesThisRound > 0 ? { localSteps: batchesThisRound } : {}) };
  }

  dispose(): void {
    this.model?.dispose();
    this.model = undefined;
  }

  private modelFor(task: TrainTask, vocabularySize: number): GanModel {
    if (this.model && this.model.family === task.modelFamily && this.model.networks.vocabularySize === vocabularySize) return this.model;
    if (!isModelFamily(task.modelFamily)) throw new Error(`unknown model family ${JSON.stringify(task.modelFamily)}`);
    this.dispose();
    const spec = decodeModelSpec(task.options.extra);
    this.model = createModel(task.modelFamily, {
      ...spec,
      vocabularySize,
      adam: { learningRate: task.options.learningRate },
      autoencoderAdam: { learningRate: task.options.learningRate },
    });
    return this.model;
  }
}

/**
 * Under DP only what is post-processing of the DP-trained networks may leave: the generator's
 * loss (the DP discriminator scoring fake records). The discriminator's and the autoencoder's
 * losses are means over real records without noise, outside the accountant, so they stay home.
 */
export function releasableUnderDp(metrics: Metrics): Metrics {
  return 'g' in metrics ? { g: metrics['g']! } : {};
}

function finiteLosses(losses: Readonly<Record<string, number | undefined>>): Metrics {
  const metrics: Metrics = {};
  for (const [name, value] of Object.entries(losses)) if (typeof value === 'number' && Number.isFinite(value)) metrics[name] = value;
  return metrics;
}
