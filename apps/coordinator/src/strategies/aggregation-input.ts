import type { NamedTensor, WeightSet } from '@fedsynth/protocol';
import { CoordinatorError } from '../errors/coordinator-error';
import { alignToLayout } from '../weights/weight-layout';

/** One set of weights to aggregate, labelled for error messages (e.g. `site "h2"'s update`). */
export interface LabelledWeights {
  label: string;
  weights: readonly NamedTensor[];
}

/** The layout every update is checked against, and how to name it in messages. */
export interface AggregationReference {
  label: string;
  weights: readonly NamedTensor[];
}

/**
 * The updates' data as `[update][tensor]`, in the reference's tensor order. Refuses an
 * empty list and any layout that differs from the reference (naming both sides), so the
 * math below can index without further checks. Without a reference the first update is
 * the reference.
 */
export function alignUpdates(updates: readonly LabelledWeights[], reference?: AggregationReference): Float32Array[][] {
  if (updates.length === 0) throw new CoordinatorError('nothing to aggregate: no updates were given', 'EMPTY_AGGREGATION');
  const ref = reference ?? updates[0]!;
  if (ref.weights.length === 0) {
    throw new CoordinatorError(`nothing to aggregate: ${ref.label} holds no tensors`, 'EMPTY_AGGREGATION');
  }
  return updates.map((u) => alignToLayout(ref.weights, u.weights, { expected: ref.label, actual: u.label }));
}

/** Empty tensors with the reference's names and shapes, ready to be filled. */
export function allocateLike(reference: readonly NamedTensor[]): WeightSet {
  return reference.map((t) => ({ name: t.name, shape: t.shape.slice(), data: new Float32Array(t.data.length) }));
}

/** Length of the largest tensor: the size of one reusable scratch buffer. */
export function largestTensor(reference: readonly NamedTensor[]): number {
  let max = 0;
  for (const t of reference) if (t.data.length > max) max = t.data.length;
  return max;
}
