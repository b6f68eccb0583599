import * as tf from '@tensorflow/tfjs';
import type { ParameterStore } from '../parameter-store';
import { glorotUniform, type SeedSource } from './initializers';

export type DenseActivation = 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'leakyrelu';

export interface DenseWeights {
  readonly kernel: tf.Variable;
  readonly bias?: tf.Variable;
}

export interface AddDenseOptions {
  inputs: number;
  units: number;
  /** medGAN's generator layers have no bias: the batch norm after them has its own offset. */
  useBias?: boolean;
  seeds: SeedSource;
}

/** Registers `<prefix>/kernel` (penalised by L2) and `<prefix>/bias`. */
export function addDense(store: ParameterStore, prefix: string, options: AddDenseOptions): DenseWeights {
  const kernel = store.add(`${prefix}/kernel`, glorotUniform([options.inputs, options.units], options.seeds.next()), { penalized: true });
  if (options.useBias === false) return { kernel };
  const bias = store.add(`${prefix}/bias`, tf.zeros([options.units]));
  return { kernel, bias };
}

/** One layer of a stack of dense layers: its weights and the activation after it. */
export interface DenseStackLayer {
  readonly weights: DenseWeights;
  readonly activation: DenseActivation;
  readonly leakyAlpha?: number;
}

/**
 * A network that is nothing but dense layers applied row by row: record i's output depends
 * on record i alone. DP-SGD's per-record gradients rely on exactly that (see privacy/dp-sgd).
 */
export type DenseStack = readonly DenseStackLayer[];

export interface DenseCallOptions {
  activation?: DenseActivation;
  leakyAlpha?: number;
}

const ACTIVATIONS: Readonly<Record<DenseActivation, (x: tf.Tensor2D, alpha: number) => tf.Tensor2D>> = {
  linear: (x) => x,
  relu: (x) => tf.relu(x),
  sigmoid: (x) => tf.sigmoid(x),
  tanh: (x) => tf.tanh(x),
  leakyrelu: (x, alpha) => tf.leakyRelu(x, alpha) as tf.Tensor2D,
};

/**
 * x · kernel + bias, then the activation, as separate ops. Not tf.fused.matMul: its gradient
 * computes the input's gradient even when nothing needs it, and for a first layer on
 * [256 × 1071] records that wasted matMul costs as much as the weight gradient itself.
 */
export function dense(x: tf.Tensor2D, weights: DenseWeights, options: DenseCallOptions = {}): tf.Tensor2D {
  const product = tf.matMul(x, weights.kernel) as tf.Tensor2D;
  const pre = weights.bias ? tf.add<tf.Tensor2D>(product, weights.bias) : product;
  return ACTIVATIONS[options.activation ?? 'linear'](pre, options.leakyAlpha ?? 0.3);
}
