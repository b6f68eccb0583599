import type { WeightSet } from '@fedsynth/protocol';
import { CoordinatorError } from '../errors/coordinator-error';
import { alignUpdates, allocateLike } from './aggregation-input';
import { BaseStrategy, GLOBAL_LABEL, type SelectionStrategyOptions } from './base.strategy';
import { isRunningStatistic } from './fed-avg.strategy';
import type { AggregateTrainInput, AggregateTrainOutput, SiteTrainResult } from './strategy';
import { normalisedWeights } from './weighted-mean';

export interface FedNovaOptions extends SelectionStrategyOptions {
  /** Server learning rate η > 0 on the normalised update. Default 1 (FedNova as published). */
  serverLearningRate?: number;
}

/** An update with FedNova's inputs: its record share p and its local step count τ. */
export interface NormalisedUpdate {
  label: string;
  weights: WeightSet;
  recordCount: number;
  localSteps: number;
}

/**
 * FedNova (Wang et al. 2020, "Tackling the objective inconsistency problem in heterogeneous
 * federated optimization"): each site's update is divided by the number of local steps it
 * took before the record-weighted average, and the average is applied as τ_eff steps:
 *
 *   x ← x + η · Σ_i c_i (x_i − x),   c_i = p_i · τ_eff / τ_i,   τ_eff = Σ_i p_i τ_i,   p_i = n_i / Σ n
 *
 * Why: with local epochs a site of n records takes about n / batch steps, so its update is
 * about n times longer, and FedAvg weights it by n once more. The average then pulls toward
 * the larger sites' case mix (weight ∝ n²): a biased mixture, not the pooled population.
 * FedNova keeps the record-count weighting of the direction and drops the extra factor. When
 * every site takes the same number of steps, c_i = p_i and it is exactly FedAvg. That premise
 * (an update grows with its steps) holds for local SGD; a medGAN site's update after a local
 * epoch does not grow so, and FedNova measured worse than FedAvg there (coordinator README).
 * Not the default.
 *
 * Batch-norm running statistics are not trained by steps: they take the plain
 * record-weighted average, as in FedAvg.
 */
export class FedNova extends BaseStrategy {
  readonly name = 'fednova';
  readonly needsLocalSteps = true;
  readonly serverLearningRate: number;

  constructor(options: FedNovaOptions = {}) {
    const { serverLearningRate = 1, ...selection } = options;
    super(selection);
    if (!(serverLearningRate > 0 && Number.isFinite(serverLearningRate))) {
      throw new CoordinatorError(`FedNova: serverLearningRate must be a finite number > 0, got ${serverLearningRate}`, 'INVALID_OPTION');
    }
    this.serverLearningRate = serverLearningRate;
  }

  aggregateTrain(input: AggregateTrainInput): AggregateTrainOutput {
    const { results, updates } = this.orderedUpdates(input);
    const normalised = results.map((r, k) => ({ label: updates[k]!.label, weights: r.weights, recordCount: r.recordCount, localSteps: stepsOf(r, input.round) }));
    const weights = fedNovaStep(input.globalWeights, normalised, this.serverLearningRate);
    return { weights, ...this.trainMetrics(input, results), state: [] };
  }
}

/** The run driver refuses a result without a step count when the strategy is FedNova, so a missing one here is a bug. */
function stepsOf(result: SiteTrainResult, round: number): number {
  const steps = result.localSteps;
  if (steps === undefined || !Number.isInteger(steps) || steps < 1) {
    throw new CoordinatorError(`round ${round}: FedNova needs each site's local step count, and site ${JSON.stringify(result.siteId)}'s result has ${steps ?? 'none'}`, 'INVALID_WEIGHT');
  }
  return steps;
}

/** The coefficients c_i = p_i · τ_eff / τ_i and p_i, in float64. Pure. */
export function fedNovaCoefficients(updates: readonly Pick<NormalisedUpdate, 'label' | 'recordCount' | 'localSteps'>[]): { step: Float64Array; records: Float64Array } {
  const records = normalisedWeights(updates.map((u) => ({ label: u.label, weights: [], weight: u.recordCount })));
  let tauEff = 0;
  for (let k = 0; k < updates.length; k++) {
    const tau = updates[k]!.localSteps;
    if (!(Number.isInteger(tau) && tau >= 1)) throw new CoordinatorError(`${updates[k]!.label} took ${tau} local steps; FedNova needs a whole number ≥ 1`, 'INVALID_WEIGHT');
    tauEff += records[k]! * tau;
  }
  const step = new Float64Array(updates.length);
  for (let k = 0; k < updates.length; k++) step[k] = (records[k]! * tauEff) / updates[k]!.localSteps;
  return { step, records };
}

/** x + η Σ c_i (x_i − x) per trained weight; running statistics take Σ p_i x_i. Pure. */
export function fedNovaStep(global: WeightSet, updates: readonly NormalisedUpdate[], eta: number): WeightSet {
  const aligned = alignUpdates(updates, { label: GLOBAL_LABEL, weights: global });
  const { step, records } = fedNovaCoefficients(updates);
  const out = allocateLike(global);
  for (let t = 0; t < global.length; t++) {
    const x = global[t]!.data;
    const target = out[t]!.data;
    const sources = aligned.map((a) => a[t]!);
    if (isRunningStatistic(global[t]!.name)) {
      for (let i = 0; i < x.length; i++) {
        let acc = 0;
        for (let k = 0; k < sources.length; k++) acc += records[k]! * sources[k]![i]!;
        target[i] = acc;
      }
      continue;
    }
    for (let i = 0; i < x.length; i++) {
      let acc = 0;
      for (let k = 0; k < sources.length; k++) acc += step[k]! * (sources[k]![i]! - x[i]!);
      target[i] = x[i]! + eta * acc;
    }
  }
  return out;
}
