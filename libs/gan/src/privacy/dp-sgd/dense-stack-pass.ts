import * as tf from '@tensorflow/tfjs';
import type { DenseStack, DenseStackLayer } from '../../model/layers/dense';

/** What a forward pass through a dense stack keeps for the backward pass. */
export interface StackForward {
  /** Each layer's input a_l [rows, in_l]; inputs[0] is the stack's input. */
  readonly inputs: tf.Tensor2D[];
  /** Each layer's pre-activation y_l = a_l·W_l + b_l [rows, out_l]. */
  readonly pre: tf.Tensor2D[];
  /** Each layer's output φ_l(y_l); outputs[l] is inputs[l + 1], the last is the stack's output. */
  readonly outputs: tf.Tensor2D[];
}

function activate(layer: DenseStackLayer, y: tf.Tensor2D): tf.Tensor2D {
  switch (layer.activation) {
    case 'linear':
      return y;
    case 'relu':
      return tf.relu(y);
    case 'sigmoid':
      return tf.sigmoid(y);
    case 'tanh':
      return tf.tanh(y);
    case 'leakyrelu':
      return tf.leakyRelu(y, layer.leakyAlpha ?? 0.3) as tf.Tensor2D;
  }
}

/** The forward pass of dense() layer by layer, keeping every layer's input and pre-activation. */
export function forwardStack(stack: DenseStack, x: tf.Tensor2D): StackForward {
  const inputs: tf.Tensor2D[] = [];
  const pre: tf.Tensor2D[] = [];
  const outputs: tf.Tensor2D[] = [];
  let a = x;
  for (const layer of stack) {
    const product = tf.matMul(a, layer.weights.kernel) as tf.Tensor2D;
    const y = layer.weights.bias ? tf.add<tf.Tensor2D>(product, layer.weights.bias) : product;
    inputs.push(a);
    pre.push(y);
    a = activate(layer, y);
    outputs.push(a);
  }
  return { inputs, pre, outputs };
}

/**
 * φ'(y) of layer `l`, elementwise, from its pre-activation and output; undefined for a linear
 * layer (slope 1). relu's slope at exactly 0 is 0 and leaky relu's is α there, as in the
 * TensorFlow.js gradients, so the results match autodiff to the last bit of the mask.
 */
export function activationSlope(layer: DenseStackLayer, y: tf.Tensor2D, out: tf.Tensor2D): tf.Tensor2D | undefined {
  switch (layer.activation) {
    case 'linear':
      return undefined;
    case 'relu':
      return tf.step(y, 0) as tf.Tensor2D;
    case 'leakyrelu':
      return tf.step(y, layer.leakyAlpha ?? 0.3) as tf.Tensor2D;
    case 'sigmoid':
      return tf.mul(out, tf.sub(1, out)) as tf.Tensor2D;
    case 'tanh':
      return tf.sub(1, tf.square(out)) as tf.Tensor2D;
  }
}

/** x ⊙ slope, or x itself for a linear layer. */
export function timesSlope(x: tf.Tensor2D, slope: tf.Tensor2D | undefined): tf.Tensor2D {
  return slope ? tf.mul(x, slope) : x;
}

/**
 * The backward pass by hand: given ∂ℓ/∂(stack output) row by row, the gradient of each
 * row's loss with respect to every layer's pre-activation, g_l = ∂ℓ_i/∂y_l [rows, out_l]:
 *   g_L = ∂ℓ/∂out ⊙ φ'_L,   g_l = (g_(l+1)·W_(l+1)ᵀ) ⊙ φ'_l.
 * Written out rather than taped because DP-SGD needs these intermediate gradients (not the
 * weights' gradients autodiff returns), and because it skips the tape's bookkeeping. The
 * first layer's input gradient (the records') is never computed.
 */
export function backwardStack(stack: DenseStack, forward: StackForward, outputGrad: tf.Tensor2D): tf.Tensor2D[] {
  const grads: tf.Tensor2D[] = new Array<tf.Tensor2D>(stack.length);
  let upstream = outputGrad;
  for (let l = stack.length - 1; l >= 0; l--) {
    const g = timesSlope(upstream, activationSlope(stack[l], forward.pre[l], forward.outputs[l]));
    grads[l] = g;
    if (l > 0) upstream = tf.matMul(g, stack[l].weights.kernel, false, true) as tf.Tensor2D;
  }
  return grads;
}
