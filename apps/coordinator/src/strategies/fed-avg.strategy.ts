import type { WeightSet } from '@fedsynth/protocol';
import { CoordinatorError } from '../errors/coordinator-error';
import { alignToLayout } from '../weights/weight-layout';
import { allocateLike } from './aggregation-input';
import { BaseStrategy, GLOBAL_LABEL, type SelectionStrategyOptions } from './base.strategy';
import type { AggregateTrainInput, AggregateTrainOutput } from './strategy';
import { weightedMean } from './weighted-mean';

export interface FedAvgOptions extends SelectionStrategyOptions {
  /** Server learning rate η > 0 on the averaged update. Default 1 (plain FedAvg). */
  serverLearningRate?: number;
  /** Server momentum β in [0, 1) (FedAvgM). Default 0 (plain FedAvg). */
  serverMomentum?: number;
}

/** Batch-norm running statistics are averaged as they are, never extrapolated (a variance could turn negative). */
export function isRunningStatistic(name: string): boolean {
  return name.endsWith('/moving_mean') || name.endsWith('/moving_variance');
}

/**
 * FedAvg (McMahan et al. 2017): the new global weights are the average of the sites'
 * weights, each weighted by the number of records it trained on.
 *
 * With a server learning rate η or momentum β (FedAvgM, Hsu et al. 2019) the average is
 * read as a pseudo-gradient Δ = avg − x and the server steps
 *
 *   v ← β·v + Δ,   x ← x + η·v
 *
 * on every trained weight (batch-norm running statistics take the plain average). Why: with
 * skewed sites each round moves the global model only by the sites' agreeing part, so a
 * federated run makes less progress per epoch than centralised training; momentum carries
 * that agreeing direction over rounds. v is the strategy state (persisted with the
 * checkpoint, so a restart resumes it). η = 1, β = 0 is exactly FedAvg, computed as before.
 */
export class FedAvg extends BaseStrategy {
  readonly name = 'fedavg';
  readonly serverLearningRate: number;
  readonly serverMomentum: number;

  constructor(options: FedAvgOptions = {}) {
    const { serverLearningRate = 1, serverMomentum = 0, ...selection } = options;
    super(selection);
    const problems: string[] = [];
    if (!(serverLearningRate > 0 && Number.isFinite(serverLearningRate))) problems.push(`serverLearningRate must be a finite number > 0, got ${serverLearningRate}`);
    if (!(serverMomentum >= 0 && serverMomentum < 1)) problems.push(`serverMomentum must be in [0, 1), got ${serverMomentum}`);
    if (problems.length > 0) throw new CoordinatorError(`FedAvg: ${problems.join('; ')}`, 'INVALID_OPTION');
    this.serverLearningRate = serverLearningRate;
    this.serverMomentum = serverMomentum;
  }

  /** Whether the server steps on the average (η ≠ 1 or β > 0) instead of taking it. */
  get hasServerStep(): boolean {
    return this.serverLearningRate !== 1 || this.serverMomentum > 0;
  }

  aggregateTrain(input: AggregateTrainInput): AggregateTrainOutput {
    const { results, updates } = this.orderedUpdates(input);
    const average = weightedMean(updates, { label: GLOBAL_LABEL, weights: input.globalWeights });
    if (!this.hasServerStep) return { weights: average, ...this.trainMetrics(input, results), state: [] };
    const { weights, state } = serverStep(input.globalWeights, average, input.state, this.serverLearningRate, this.serverMomentum);
    return { weights, ...this.trainMetrics(input, results), state };
  }
}

/** x + η·v with v = β·v_prev + (avg − x), per trained weight; statistics take avg. Pure. */
export function serverStep(global: WeightSet, average: WeightSet, previous: WeightSet | undefined, eta: number, beta: number): { weights: WeightSet; state: WeightSet } {
  const velocityIn = previous && previous.length > 0 ? alignToLayout(global, previous, { expected: GLOBAL_LABEL, actual: 'the FedAvg server momentum' }) : undefined;
  const weights = allocateLike(global);
  const state = allocateLike(global);
  for (let t = 0; t < global.length; t++) {
    const x = global[t]!.data;
    const avg = average[t]!.data;
    const out = weights[t]!.data;
    const v = state[t]!.data;
    if (isRunningStatistic(global[t]!.name)) {
      out.set(avg);
      continue;
    }
    const v0 = velocityIn?.[t];
    for (let i = 0; i < x.length; i++) {
      v[i] = (v0 ? beta * v0[i]! : 0) + (avg[i]! - x[i]!);
      out[i] = x[i]! + eta * v[i]!;
    }
  }
  return { weights, state };
}
