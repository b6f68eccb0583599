import * as tf from '@tensorflow/tfjs';
import { FedsynthError } from '../errors/fedsynth-error';

export interface Parameter {
  /** Stable path such as `generator/block1/dense/kernel`: the name the federation averages by. */
  readonly name: string;
  readonly variable: tf.Variable;
  /** False for state that is computed rather than learned (batch-norm moving mean / variance). */
  readonly trainable: boolean;
  /** True for kernels, the only weights the L2 penalty applies to (as in Keras' kernel_regularizer). */
  readonly penalized: boolean;
}

export interface AddParameterOptions {
  trainable?: boolean;
  penalized?: boolean;
}

/**
 * Every weight of a model under a stable, unique name, in creation order. The tf.Variables
 * themselves stay anonymous: TensorFlow.js refuses two variables with the same name in one
 * process, and two models (two sites in a test, a model and its export) must coexist.
 */
export interface ParameterStore {
  /** Takes ownership of `initial` (it becomes the variable's value). */
  add(name: string, initial: tf.Tensor, options?: AddParameterOptions): tf.Variable;
  get(name: string): tf.Variable;
  has(name: string): boolean;
  /** All parameters in creation order. */
  list(): readonly Parameter[];
  /** Parameters whose names start with one of the prefixes, in creation order. */
  withPrefix(...prefixes: string[]): Parameter[];
  dispose(): void;
}

export function createParameterStore(): ParameterStore {
  const byName = new Map<string, Parameter>();
  const ordered: Parameter[] = [];
  let disposed = false;
  return {
    add(name, initial, options = {}) {
      if (disposed) throw new Error('parameter store already disposed');
      if (byName.has(name)) throw new Error(`duplicate parameter name '${name}'`);
      const trainable = options.trainable ?? true;
      const variable = tf.variable(initial, trainable);
      // tf.variable copies the reference, not the data; the initial tensor is no longer needed.
      initial.dispose();
      const parameter: Parameter = { name, variable, trainable, penalized: options.penalized ?? false };
      byName.set(name, parameter);
      ordered.push(parameter);
      return variable;
    },
    get(name) {
      const p = byName.get(name);
      if (!p) throw new FedsynthError(`the model has no weight named '${name}'`, 'MODEL_UNKNOWN_WEIGHT');
      return p.variable;
    },
    has: (name) => byName.has(name),
    list: () => ordered,
    withPrefix: (...prefixes) => ordered.filter((p) => prefixes.some((prefix) => p.name.startsWith(prefix))),
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const p of ordered) p.variable.dispose();
    },
  };
}
