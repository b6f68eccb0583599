import * as tf from '@tensorflow/tfjs';
import { FedsynthError } from '../errors/fedsynth-error';
import type { GanModel } from './gan-model';

/**
 * One weight tensor as plain data: the unit the federation sends, averages and sends back.
 * Plain Float32Arrays rather than tf.Tensors, so the coordinator can average them without
 * TensorFlow.js and nobody has to remember to dispose them.
 */
export interface NamedWeight {
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

export interface WeightSpec {
  readonly name: string;
  readonly shape: readonly number[];
  /** False for batch-norm moving statistics: averaged like the rest, but never trained. */
  readonly trainable: boolean;
}

/** Names, shapes and trainability of every weight, in a fixed order. */
export function weightSpecs(model: GanModel): WeightSpec[] {
  return model.params.list().map((p) => ({ name: p.name, shape: [...p.variable.shape], trainable: p.trainable }));
}

/**
 * Every weight of the model — autoencoder, generator (batch-norm moving statistics
 * included) and discriminator — as named copies, in the model's fixed order.
 */
export function getWeights(model: GanModel): NamedWeight[] {
  return model.params.list().map((p) => ({
    name: p.name,
    shape: [...p.variable.shape],
    // A copy: the cpu backend hands out its own storage, which a caller averaging in place would corrupt.
    values: new Float32Array(p.variable.dataSync()),
  }));
}

export interface SetWeightsOptions {
  /** Accept a subset of the model's weights (e.g. only the generator); default false. */
  partial?: boolean;
  /**
   * Setting weights does not touch the optimizers by default: Adam keeps its moment estimates
   * and step count, which then act as momentum carried from this site's earlier rounds into the
   * averaged weights (what FedAvg with local Adam does). True discards them, so Adam starts from
   * zero on the new weights, e.g. when they come from a model trained elsewhere.
   */
  resetOptimizers?: boolean;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

const shapeText = (shape: readonly number[]) => `[${shape.join(', ')}]`;

/**
 * Replaces the model's weights by name. Everything is checked before anything is written, so
 * a bad set (unknown name, wrong shape, wrong length, NaN) leaves the model as it was; the
 * error names the offending tensor.
 */
export function setWeights(model: GanModel, weights: readonly NamedWeight[], options: SetWeightsOptions = {}): void {
  const given = new Map<string, NamedWeight>();
  for (const w of weights) {
    if (given.has(w.name)) throw new FedsynthError(`weight '${w.name}' is given twice`, 'MODEL_BAD_WEIGHTS');
    given.set(w.name, w);
  }
  for (const w of weights) {
    if (!model.params.has(w.name)) {
      throw new FedsynthError(`weight '${w.name}' does not exist in this ${model.family} model`, 'MODEL_BAD_WEIGHTS');
    }
    const expected = model.params.get(w.name).shape;
    if (!sameShape(w.shape, expected)) {
      throw new FedsynthError(`weight '${w.name}' has shape ${shapeText(w.shape)} but the model expects ${shapeText(expected)}`, 'MODEL_BAD_WEIGHTS');
    }
    const size = expected.reduce((a, b) => a * b, 1);
    if (w.values.length !== size) {
      throw new FedsynthError(`weight '${w.name}' holds ${w.values.length} values but shape ${shapeText(expected)} needs ${size}`, 'MODEL_BAD_WEIGHTS');
    }
    for (let i = 0; i < w.values.length; i++) {
      if (!Number.isFinite(w.values[i])) {
        throw new FedsynthError(`weight '${w.name}' holds a non-finite value (${w.values[i]}) at index ${i}`, 'MODEL_BAD_WEIGHTS');
      }
    }
  }
  if (!options.partial) {
    const missing = model.params.list().filter((p) => !given.has(p.name)).map((p) => p.name);
    if (missing.length > 0) {
      throw new FedsynthError(`missing ${missing.length} weight(s): ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`, 'MODEL_BAD_WEIGHTS');
    }
  }
  for (const w of weights) {
    const variable = model.params.get(w.name);
    // Copied for the same reason: the cpu backend would otherwise keep the caller's array.
    tf.tidy(() => variable.assign(tf.tensor(new Float32Array(w.values), variable.shape, 'float32')));
  }
  if (options.resetOptimizers) model.resetOptimizers();
}
