import { dpSampleRate, plannedBatches } from '@fedsynth/gan';
import type { TrainResult } from '@fedsynth/protocol';
import type { FederatedRunOptions } from '../federation/run-options';

/**
 * Why a result's local step count cannot be used, or undefined when it can. FedNova divides
 * each update by its steps τ, so a site claiming fewer than it took would multiply its own
 * update: the count must be exactly what the run's task plans for the records the site
 * trained on (libs/gan's plannedBatches, which the site's trainer iterates by). Pure.
 */
export function localStepsProblem(result: Pick<TrainResult, 'phase' | 'recordCount' | 'localSteps'>, options: Pick<FederatedRunOptions, 'train' | 'dp'>): string | undefined {
  const { localEpochs, localSteps, batchSize } = options.train;
  const planned = plannedBatches({
    phase: result.phase,
    rows: result.recordCount,
    epochs: localSteps ?? localEpochs,
    batchSize,
    ...(localSteps !== undefined ? { maxBatches: localSteps } : {}),
    // The site's q, as its privacy ledger plans it: the expected batch over its records.
    ...(options.dp ? { dpSampleRate: dpSampleRate(batchSize, result.recordCount) } : {}),
  });
  if (result.localSteps === undefined) return `the update reports no local step count (update the site agent); the task plans ${planned}`;
  if (result.localSteps === planned) return undefined;
  const work = localSteps !== undefined ? `${localSteps} local steps` : `${localEpochs} local epoch(s) of batch ${batchSize}${options.dp ? ' (DP: Poisson batches)' : ''}`;
  return `the update reports ${result.localSteps} local steps, but ${work} on its ${result.recordCount} records make ${planned} in ${result.phase === 'gan' ? 'a GAN' : 'an autoencoder'} round`;
}
