import { BaseStrategy, GLOBAL_LABEL, type SelectionStrategyOptions } from './base.strategy';
import { coordinateMedian } from './coordinate-median';
import type { AggregateTrainInput, AggregateTrainOutput } from './strategy';

export type FedMedianOptions = SelectionStrategyOptions;

/**
 * Coordinate-wise median of the sites' weights: a robust option when some sites may send
 * wrong updates (a minority cannot move any coordinate beyond the honest values' range).
 * Record counts weight the metrics only, not the median.
 */
export class FedMedian extends BaseStrategy {
  readonly name = 'fedmedian';

  constructor(options: FedMedianOptions = {}) {
    super(options);
  }

  aggregateTrain(input: AggregateTrainInput): AggregateTrainOutput {
    const { results, updates } = this.orderedUpdates(input);
    const weights = coordinateMedian(updates, { label: GLOBAL_LABEL, weights: input.globalWeights });
    return { weights, ...this.trainMetrics(input, results), state: [] };
  }
}
