import { BaseStrategy, GLOBAL_LABEL, type SelectionStrategyOptions } from './base.strategy';
import type { AggregateTrainInput, AggregateTrainOutput } from './strategy';
import { trimCount, trimmedMean } from './trimmed-mean';

export interface FedTrimmedMeanOptions extends SelectionStrategyOptions {
  /** Fraction β of sites trimmed at each end of every coordinate, in [0, 0.5). Default 0.2. */
  trimFraction?: number;
}

export const DEFAULT_TRIM_FRACTION = 0.2;

/**
 * Coordinate-wise trimmed mean: drops the ⌊β·K⌋ highest and lowest values per coordinate
 * before averaging. Tolerates up to ⌊β·K⌋ bad sites while using more of the honest values
 * than the median does.
 */
export class FedTrimmedMean extends BaseStrategy {
  readonly name = 'fedtrimmedmean';
  readonly trimFraction: number;

  constructor(options: FedTrimmedMeanOptions = {}) {
    super(options);
    this.trimFraction = options.trimFraction ?? DEFAULT_TRIM_FRACTION;
    trimCount(1, this.trimFraction); // validates the fraction now, not at the first round
  }

  aggregateTrain(input: AggregateTrainInput): AggregateTrainOutput {
    const { results, updates } = this.orderedUpdates(input);
    const weights = trimmedMean(updates, {
      trimFraction: this.trimFraction,
      reference: { label: GLOBAL_LABEL, weights: input.globalWeights },
    });
    return { weights, ...this.trainMetrics(input, results), state: [] };
  }
}
