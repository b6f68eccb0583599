import type { WeightSet } from '@fedsynth/protocol';
import { alignUpdates, allocateLike, type AggregationReference, type LabelledWeights } from './aggregation-input';

/**
 * Sorts values[0..count) ascending in place. Insertion sort: the count is the number of
 * sites (a handful), where it beats a general sort and allocates nothing.
 */
export function sortPrefix(values: Float64Array, count: number): void {
  for (let i = 1; i < count; i++) {
    const v = values[i]!;
    let j = i - 1;
    while (j >= 0 && values[j]! > v) {
      values[j + 1] = values[j]!;
      j--;
    }
    values[j + 1] = v;
  }
}

/**
 * Fills `out` by applying `reduce` to the sorted values of each coordinate across the
 * updates. Shared by the median and the trimmed mean; one scratch column, no per-element
 * allocation.
 */
export function reduceSortedColumns(
  updates: readonly LabelledWeights[],
  reference: AggregationReference | undefined,
  reduce: (sorted: Float64Array, count: number) => number,
): WeightSet {
  const aligned = alignUpdates(updates, reference);
  const out = allocateLike((reference ?? updates[0]!).weights);
  const count = aligned.length;
  const column = new Float64Array(count);
  const sources: Float32Array[] = new Array(count);
  for (let t = 0; t < out.length; t++) {
    for (let k = 0; k < count; k++) sources[k] = aligned[k]![t]!;
    const target = out[t]!.data;
    for (let i = 0; i < target.length; i++) {
      for (let k = 0; k < count; k++) column[k] = sources[k]![i]!;
      sortPrefix(column, count);
      target[i] = reduce(column, count);
    }
  }
  return out;
}

function median(sorted: Float64Array, count: number): number {
  const mid = count >> 1;
  return count % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Coordinate-wise median (Yin et al. 2018): robust to fewer than half the sites sending
 * arbitrary values. Unweighted on purpose: record counts are self-reported, and weighting
 * by them would let one site claiming many records move the median at will.
 */
export function coordinateMedian(updates: readonly LabelledWeights[], reference?: AggregationReference): WeightSet {
  return reduceSortedColumns(updates, reference, median);
}
