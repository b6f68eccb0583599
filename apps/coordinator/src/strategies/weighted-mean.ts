import type { WeightSet } from '@fedsynth/protocol';
import { CoordinatorError } from '../errors/coordinator-error';
import { alignUpdates, allocateLike, largestTensor, type AggregationReference, type LabelledWeights } from './aggregation-input';

/** An update and its weight in the average (FedAvg: the site's record count). */
export interface WeightedUpdate extends LabelledWeights {
  weight: number;
}

/** Each weight divided by their sum, in float64; refuses non-positive or non-finite weights. */
export function normalisedWeights(updates: readonly WeightedUpdate[]): Float64Array {
  let total = 0;
  for (const u of updates) {
    if (!Number.isFinite(u.weight) || u.weight <= 0) {
      throw new CoordinatorError(`${u.label} has weight ${u.weight}; weights must be finite and > 0`, 'INVALID_WEIGHT');
    }
    total += u.weight;
  }
  const coefficients = new Float64Array(updates.length);
  for (let k = 0; k < updates.length; k++) coefficients[k] = updates[k]!.weight / total;
  return coefficients;
}

/**
 * acc[i] = Σ_k coefficients[k] · sources[k][i] for i < length, in float64 so that summing
 * many float32 updates loses nothing before the final rounding. No allocation: callers
 * pass one scratch buffer for all tensors (the aggregation hot loop). One pass per source
 * over the whole tensor: blocking the loop to keep the accumulator in L1 measured no faster.
 */
export function accumulateWeightedSum(
  sources: readonly Float32Array[],
  coefficients: Float64Array,
  acc: Float64Array,
  length: number,
): void {
  const first = sources[0]!;
  const c0 = coefficients[0]!;
  for (let i = 0; i < length; i++) acc[i] = c0 * first[i]!;
  for (let k = 1; k < sources.length; k++) {
    const src = sources[k]!;
    const c = coefficients[k]!;
    for (let i = 0; i < length; i++) acc[i] += c * src[i]!;
  }
}

/**
 * The weighted average of the updates, tensor by tensor: Σ w_k x_k / Σ w_k. Tensors are
 * matched by name against the reference (default: the first update); an empty list or a
 * layout mismatch is refused with a CoordinatorError naming both sides.
 */
export function weightedMean(updates: readonly WeightedUpdate[], reference?: AggregationReference): WeightSet {
  const aligned = alignUpdates(updates, reference);
  const coefficients = normalisedWeights(updates);
  const layout = (reference ?? updates[0]!).weights;
  const out = allocateLike(layout);
  const acc = new Float64Array(largestTensor(layout));
  const sources: Float32Array[] = new Array(aligned.length);
  for (let t = 0; t < out.length; t++) {
    for (let k = 0; k < aligned.length; k++) sources[k] = aligned[k]![t]!;
    const target = out[t]!.data;
    accumulateWeightedSum(sources, coefficients, acc, target.length);
    for (let i = 0; i < target.length; i++) target[i] = acc[i]!;
  }
  return out;
}
