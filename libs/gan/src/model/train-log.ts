import type { PrivacySpent } from '../privacy/dp-sgd/privacy-spent';

/** Shared by both phases' logs. */
interface TrainLogBase {
  /** A log after every step, and one after every epoch with the epoch's averages. */
  readonly kind: 'step' | 'epoch';
  /** 1-based epoch within the phase. */
  readonly epoch: number;
  /** Steps done in this phase so far (1-based; for an epoch log, the steps up to its end). */
  readonly step: number;
  /**
   * Minibatches of real records taken in this phase so far: the steps in pre-training, the
   * discriminator updates in a GAN phase (discriminatorSteps of them per step). What
   * plannedBatches counts, and what a federated site reports as its local steps.
   */
  readonly batches: number;
  /** Planned epochs and steps per epoch of this phase, for progress bars and ETAs. */
  readonly epochs: number;
  readonly stepsPerEpoch: number;
  /** Real records consumed per second (over the step, or over the whole epoch). */
  readonly recordsPerSec: number;
  /** Milliseconds since training started. */
  readonly elapsedMs: number;
  /** Under dp, on epoch logs: DP-SGD steps so far (both phases), q, σ, C and the ε spent. */
  readonly privacy?: PrivacySpent;
}

/** Autoencoder pre-training (medGAN, medWGAN). */
export interface AutoencoderLog extends TrainLogBase {
  readonly phase: 'autoencoder';
  /** Summed binary cross-entropy per record; valAe (held-out records) on epoch logs only. */
  readonly losses: { readonly ae: number; readonly valAe?: number };
}

/** Adversarial training: a step is `discriminatorSteps` discriminator updates and one generator update. */
export interface GanLog extends TrainLogBase {
  readonly phase: 'gan';
  /** d: mean discriminator (critic) loss of the step's updates; g: the generator's loss. */
  readonly losses: { readonly d: number; readonly g: number };
}

export type TrainLog = AutoencoderLog | GanLog;

/** What a finished (or stopped) run returns. */
export interface TrainSummary {
  /** True when the AbortSignal fired before the planned epochs were done. */
  readonly stopped: boolean;
  readonly autoencoderEpochs: number;
  readonly autoencoderSteps: number;
  readonly ganEpochs: number;
  readonly ganSteps: number;
  readonly wallMs: number;
  /** Losses of the last epoch of each phase that ran. */
  readonly lastLosses: { ae?: number; valAe?: number; d?: number; g?: number };
  /** Under dp: what the whole run spent (see PrivacySpent). */
  readonly privacy?: PrivacySpent;
}
