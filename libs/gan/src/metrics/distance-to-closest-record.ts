import type { BinaryMatrix } from '../data/binary-matrix';
import { type HammingIndex, nearestDistances } from './hamming-neighbours';
import { mean } from './summary-stats';

export interface DistanceToClosestRecord {
  /**
   * Share of synthetic records closer to the training records than to the held-out ones (ties
   * count half). With equally many training and held-out records, a generator that learnt the
   * population rather than the patients scores 0.5; memorisation pushes it towards 1.
   */
  shareCloserToTrain: number;
  /** Mean Hamming distance from a synthetic record to its closest training record. */
  meanDistanceToTrain: number;
  /** Mean Hamming distance from a synthetic record to its closest held-out record. */
  meanDistanceToHoldout: number;
}

/**
 * Distance-to-closest-record comparison. `train` must index as many records as `holdout`
 * (subsample the larger), otherwise the bigger set wins nearness by sheer numbers.
 */
export function distanceToClosestRecord(synthetic: BinaryMatrix, train: HammingIndex, holdout: HammingIndex): DistanceToClosestRecord {
  if (train.size !== holdout.size) {
    throw new RangeError(`DCR needs equally large reference sets, got ${train.size} and ${holdout.size}`);
  }
  const toTrain = nearestDistances(synthetic, train);
  const toHoldout = nearestDistances(synthetic, holdout);
  let closer = 0;
  for (let r = 0; r < synthetic.rows; r++) {
    if (toTrain[r] < toHoldout[r]) closer += 1;
    else if (toTrain[r] === toHoldout[r]) closer += 0.5;
  }
  return {
    shareCloserToTrain: closer / synthetic.rows,
    meanDistanceToTrain: mean(toTrain),
    meanDistanceToHoldout: mean(toHoldout),
  };
}
