import type { WeightSet } from '../tensors/weight-set';
import { SecureAggregationError } from './secure-aggregation-error';

/**
 * The one order in which a site flattens its update and the coordinator unflattens the
 * mean: the tensors of the task's (global) weight set, in their order, row-major. A site
 * masks the update (trained − global) rather than its weights: updates are small, so a
 * tight clip range leaves the fixed-point encoding more precision, and
 * global + Σ n_i (w_i − global) / Σ n_i is exactly FedAvg's Σ n_i w_i / Σ n_i.
 */

/** Number of coordinates of a flattened update of `base`. */
export function updateLength(base: WeightSet): number {
  return base.reduce((acc, t) => acc + t.data.length, 0);
}

/** trained − base, flattened in base's order; trained is matched by tensor name. */
export function flattenUpdate(trained: WeightSet, base: WeightSet): Float32Array {
  const byName = new Map(trained.map((t) => [t.name, t]));
  if (byName.size !== trained.length) throw new SecureAggregationError('INVALID_INPUT', 'the trained weights name a tensor twice');
  if (trained.length !== base.length) {
    throw new SecureAggregationError('INVALID_INPUT', `the trained weights have ${trained.length} tensors, the task's ${base.length}`);
  }
  const out = new Float32Array(updateLength(base));
  let offset = 0;
  for (const tensor of base) {
    const mine = byName.get(tensor.name);
    if (!mine) throw new SecureAggregationError('INVALID_INPUT', `the trained weights lack tensor '${tensor.name}'`);
    if (mine.data.length !== tensor.data.length) {
      throw new SecureAggregationError('INVALID_INPUT', `tensor '${tensor.name}' has ${mine.data.length} values, the task's ${tensor.data.length}`);
    }
    for (let i = 0; i < tensor.data.length; i++) out[offset + i] = mine.data[i]! - tensor.data[i]!;
    offset += tensor.data.length;
  }
  return out;
}

/** base + update (flattened as flattenUpdate), as a new weight set with base's names and shapes. */
export function applyUpdate(base: WeightSet, update: Float32Array): WeightSet {
  if (update.length !== updateLength(base)) {
    throw new SecureAggregationError('INVALID_INPUT', `an update of ${update.length} values for weights of ${updateLength(base)}`);
  }
  let offset = 0;
  return base.map((tensor) => {
    const data = new Float32Array(tensor.data.length);
    for (let i = 0; i < data.length; i++) data[i] = tensor.data[i]! + update[offset + i]!;
    offset += data.length;
    return { name: tensor.name, shape: [...tensor.shape], data };
  });
}
