import { dpStepsPerEpoch } from '../privacy/dp-sgd/privacy-spent';

/** What decides how many minibatches of real records a training phase takes. */
export interface BatchPlan {
  readonly phase: 'autoencoder' | 'gan';
  /** Training records. */
  readonly rows: number;
  readonly epochs: number;
  readonly batchSize: number;
  /** Ends the phase after this many batches (a round of local steps). */
  readonly maxBatches?: number;
  /** Under DP: each record joins each Poisson batch with probability q. */
  readonly dpSampleRate?: number;
}

/**
 * Batches of real records in one epoch of a phase. The autoencoder keeps a short last batch;
 * the GAN takes full batches only (batch norm and minibatch averaging estimate statistics
 * from the batch), unless the data is smaller than one batch. Under DP an epoch is ⌈1/q⌉
 * Poisson batches, whatever the batch size.
 */
export function batchesPerEpoch(plan: Omit<BatchPlan, 'epochs' | 'maxBatches'>): number {
  if (plan.dpSampleRate !== undefined) return dpStepsPerEpoch(plan.dpSampleRate);
  const batchSize = Math.min(plan.batchSize, plan.rows);
  return plan.phase === 'autoencoder' ? Math.ceil(plan.rows / batchSize) : Math.floor(plan.rows / batchSize);
}

/**
 * Batches of real records a whole phase takes, as train() iterates them: every epoch's, or
 * maxBatches if that comes first. In the GAN phase each is one discriminator update. A
 * federated site reports this as its local steps, and the coordinator checks it with this
 * same function before FedNova divides by it.
 */
export function plannedBatches(plan: BatchPlan): number {
  const total = plan.epochs * batchesPerEpoch(plan);
  return plan.maxBatches === undefined ? total : Math.min(total, plan.maxBatches);
}
