import * as tf from '@tensorflow/tfjs';
import type { DenseStack } from '../../model/layers/dense';
import { activationSlope, forwardStack, timesSlope } from './dense-stack-pass';
import type { RankOneTerm } from './per-record-gradients';

export interface PenaltyTerms {
  /** Each row's penalty (‖∇ₓD(x̂_i)‖ − 1)² [rows]. */
  readonly penalty: tf.Tensor1D;
  /** Per layer of the stack: the rank-one factors of ∂(λ·penalty_i)/∂W_l. */
  readonly kernelTerms: RankOneTerm[];
}

/**
 * WGAN-GP's gradient penalty at the interpolated points x̂, row by row, with the factors of
 * each row's penalty gradient with respect to every kernel.
 *
 * For a critic of dense layers with piecewise-linear activations (relu, leaky relu, linear)
 * the input gradient is itself a dense network run backwards with fixed slopes:
 *   δ_L = φ'_L,   o_l = δ_l·W_lᵀ,   δ_(l−1) = o_l ⊙ φ'_(l−1),   ∇ₓD(x̂) = o_1.
 * The slopes φ'_l depend on the weights only through where y_l changes sign, so their
 * derivative is 0 almost everywhere (TensorFlow.js' nested gradients treat them the same
 * way), and the penalty P = (‖o_1‖ − 1)² reaches W_l only through o_l = δ_l·W_lᵀ: record
 * i's gradient is the outer product q_lᵀ·δ_l with q_l = ∂P_i/∂o_l — one more rank-one term
 * per layer, q_l propagated forward: q_1 = ∂P/∂o_1, q_(l+1) = (q_l·W_l) ⊙ φ'_l. Biases
 * do not reach P at all. This is what lets DP-SGD clip each real record's penalty together
 * with its own critic term without a backward pass per record.
 */
export function criticPenaltyTerms(stack: DenseStack, between: tf.Tensor2D, lambda: number): PenaltyTerms {
  for (const layer of stack) {
    if (layer.activation !== 'relu' && layer.activation !== 'leakyrelu' && layer.activation !== 'linear') {
      throw new Error(`the per-record gradient penalty needs piecewise-linear activations, got '${layer.activation}'`);
    }
  }
  const rows = between.shape[0];
  const forward = forwardStack(stack, between);
  const slopes = stack.map((layer, l) => activationSlope(layer, forward.pre[l], forward.outputs[l]));
  const last = stack.length - 1;
  // δ_l for every layer, from the output back to the input.
  const deltas: tf.Tensor2D[] = new Array<tf.Tensor2D>(stack.length);
  deltas[last] = slopes[last] ?? (tf.ones([rows, stack[last].weights.kernel.shape[1]!]) as tf.Tensor2D);
  let inputGradient: tf.Tensor2D | undefined;
  for (let l = last; l >= 0; l--) {
    const o = tf.matMul(deltas[l], stack[l].weights.kernel, false, true) as tf.Tensor2D;
    if (l > 0) deltas[l - 1] = timesSlope(o, slopes[l - 1]);
    else inputGradient = o;
  }
  // The same tiny constant as the taped objective, so both compute the same norm.
  const norm = tf.sqrt(tf.add(tf.sum(tf.square(inputGradient!), 1), 1e-12));
  const excess = tf.sub(norm, 1);
  const penalty = tf.square(excess) as tf.Tensor1D;
  // q_1 = ∂(λ·(‖u‖ − 1)²)/∂u = 2λ·(‖u‖ − 1)/‖u‖ · u
  let q = tf.mul(inputGradient!, tf.reshape(tf.mul(tf.div(excess, norm), 2 * lambda), [rows, 1])) as tf.Tensor2D;
  const kernelTerms: RankOneTerm[] = [];
  for (let l = 0; l <= last; l++) {
    kernelTerms.push({ input: q, outputGrad: deltas[l] });
    if (l < last) q = timesSlope(tf.matMul(q, stack[l].weights.kernel) as tf.Tensor2D, slopes[l]);
  }
  return { penalty, kernelTerms };
}
