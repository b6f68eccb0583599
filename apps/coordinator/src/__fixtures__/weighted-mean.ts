import type { WeightSet } from '@fedsynth/protocol';
import { maxDifference as maxDifferenceOrInfinity } from '../faults/deterministic-update';

export { recordWeightedMean } from '../faults/deterministic-update';

/**
 * The largest element-wise |global − expected|, as in the fault suite, with the tensor names
 * checked first as an expectation: a mismatch fails naming the tensors, not as Infinity.
 */
export function maxDifference(global: WeightSet, expected: ReadonlyMap<string, Float64Array>): number {
  expect(global.map((t) => t.name).sort()).toEqual([...expected.keys()].sort());
  return maxDifferenceOrInfinity(global, expected);
}
