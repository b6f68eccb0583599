import type { WeightSet } from '@fedsynth/protocol';
import { CoordinatorError } from '../errors/coordinator-error';
import type { AggregationReference, LabelledWeights } from './aggregation-input';
import { reduceSortedColumns } from './coordinate-median';

/** How many values are dropped at each end of a coordinate for `count` updates. */
export function trimCount(count: number, trimFraction: number): number {
  if (!(trimFraction >= 0 && trimFraction < 0.5)) {
    throw new CoordinatorError(`trimFraction must be in [0, 0.5), got ${trimFraction}`, 'INVALID_OPTION');
  }
  return Math.floor(count * trimFraction);
}

/**
 * Coordinate-wise trimmed mean (Yin et al. 2018): per coordinate, drop the ⌊β·K⌋ smallest
 * and largest of the K values and average the rest. β = 0 is the plain mean, β → 0.5 the
 * median. Unweighted for the same reason as the median (self-reported record counts).
 */
export function trimmedMean(
  updates: readonly LabelledWeights[],
  options: { trimFraction: number; reference?: AggregationReference },
): WeightSet {
  const trim = trimCount(updates.length, options.trimFraction);
  return reduceSortedColumns(updates, options.reference, (sorted, count) => {
    let sum = 0;
    for (let k = trim; k < count - trim; k++) sum += sorted[k]!;
    return sum / (count - 2 * trim);
  });
}
