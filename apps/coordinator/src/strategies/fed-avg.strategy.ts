import { BaseStrategy, GLOBAL_LABEL, type SelectionStrategyOptions } from './base.strategy';
import type { AggregateTrainInput, AggregateTrainOutput } from './strategy';
import { weightedMean } from './weighted-mean';

export type FedAvgOptions = SelectionStrategyOptions;

/**
 * FedAvg (McMahan et al. 2017): the new global weights are the average of the sites'
 * weights, each weighted by the number of records it trained on.
 */
export class FedAvg extends BaseStrategy {
  readonly name = 'fedavg';

  constructor(options: FedAvgOptions = {}) {
    super(options);
  }

  aggregateTrain(input: AggregateTrainInput): AggregateTrainOutput {
    const { results, updates } = this.orderedUpdates(input);
    const weights = weightedMean(updates, { label: GLOBAL_LABEL, weights: input.globalWeights });
    return { weights, ...this.trainMetrics(input, results), state: [] };
  }
}
