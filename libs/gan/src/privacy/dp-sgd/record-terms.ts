import * as tf from '@tensorflow/tfjs';
import { FedsynthError } from '../../errors/fedsynth-error';
import type { GanModel } from '../../model/gan-model';
import type { DenseStack } from '../../model/layers/dense';
import { criticPenaltyTerms } from './critic-penalty-terms';
import { backwardStack, forwardStack } from './dense-stack-pass';
import type { LayerGradientTerms } from './per-record-gradients';

/**
 * Every row's gradient of a network's loss, in factored form, for one DP-SGD step. Rows
 * [0, realRows) are real records; the rest (discriminator only) are generated ones.
 */
export interface RecordTerms {
  readonly layers: LayerGradientTerms[];
  readonly realRows: number;
  readonly fakeRows: number;
  /** The step's loss as the plain step reports it (a mean per batch), for logs. */
  readonly loss: tf.Scalar;
}

function stacks(model: GanModel) {
  const stacksOf = model.networks.perRecordStacks;
  if (model.family === 'seed') {
    throw new FedsynthError('DP-SGD is implemented for the medgan and wgan-gp families; the seed family is the notebook baseline', 'DP_UNSUPPORTED_MODEL');
  }
  if (!stacksOf) {
    throw new FedsynthError(
      `DP-SGD needs a discriminator that scores each record on its own, but this ${model.family} model uses minibatch averaging ` +
        "(a record's score depends on its batch's mean, so one record's gradient is not its own). Build it with minibatchAveraging: false",
      'DP_MINIBATCH_AVERAGING',
    );
  }
  return stacksOf;
}

/** Factors of a dense stack's per-row gradient: a_lᵀ·g_l per layer, g_l the bias gradient. */
function forwardTerms(stack: DenseStack, inputs: readonly tf.Tensor2D[], grads: readonly tf.Tensor2D[]): LayerGradientTerms[] {
  return stack.map((layer, l) => ({
    kernel: layer.weights.kernel,
    ...(layer.weights.bias ? { bias: layer.weights.bias, biasGrad: grads[l] } : {}),
    kernelTerms: [{ input: inputs[l], outputGrad: grads[l] }],
  }));
}

/** Checks that a step's parameter list is exactly the stack's, so no weight is updated without DP. */
function checkCovers(model: GanModel, layers: readonly LayerGradientTerms[], which: 'discriminator' | 'autoencoder'): void {
  const covered = new Set<tf.Variable>();
  for (const layer of layers) {
    covered.add(layer.kernel);
    if (layer.bias) covered.add(layer.bias);
  }
  const missing = model.stepParameters[which].filter((p) => !covered.has(p.variable)).map((p) => p.name);
  if (missing.length > 0) throw new Error(`the per-record ${which} stack does not cover ${missing.join(', ')}; those weights would train without DP`);
}

function meanOrZero(values: tf.Tensor, count: number): tf.Scalar {
  return count > 0 ? tf.mean(values) : tf.scalar(0);
}

/**
 * The discriminator's (critic's) per-row losses on real records stacked over fakes, scored
 * in one pass:
 * - medGAN (non-saturating): ℓ_i = softplus(−D(x_i)) for a real record, softplus(D(f_j)) for
 *   a fake one; ∂ℓ/∂D = sign·sigmoid(sign·D) with sign −1 (real) / +1 (fake).
 * - WGAN-GP: ℓ_i = −D(x_i) + λ·(‖∇D(x̂_i)‖ − 1)² for real record i, where x̂_i lies between
 *   x_i and its partner fake f_(i mod fakes) at a uniform random point (seeded by lossSeed,
 *   as in the plain objective); ℓ_j = D(f_j) for a fake. The penalty depends on x_i, so it
 *   belongs to record i's gradient and is clipped with it.
 */
export function discriminatorRecordTerms(model: GanModel, real: tf.Tensor2D, fake: tf.Tensor2D, lossSeed: number): RecordTerms {
  const stack = stacks(model).discriminator;
  const realRows = real.shape[0];
  const fakeRows = fake.shape[0];
  if (fakeRows < 1) throw new Error('a discriminator step needs at least one fake record');
  const x = realRows > 0 ? (tf.concat([real, fake], 0) as tf.Tensor2D) : fake;
  const forward = forwardStack(stack, x);
  const scores = forward.outputs[forward.outputs.length - 1];
  const sign = tf.concat([tf.fill([realRows, 1], -1), tf.fill([fakeRows, 1], 1)], 0) as tf.Tensor2D;
  let layers: LayerGradientTerms[];
  let loss: tf.Scalar;
  if (model.objective.name === 'non-saturating') {
    const signed = tf.mul(sign, scores) as tf.Tensor2D;
    layers = forwardTerms(stack, forward.inputs, backwardStack(stack, forward, tf.mul(sign, tf.sigmoid(signed))));
    const perRow = tf.softplus(signed);
    loss = tf.add(meanOrZero(tf.slice(perRow, [0, 0], [realRows, 1]), realRows), tf.mean(tf.slice(perRow, [realRows, 0], [fakeRows, 1])));
  } else if (model.objective.name === 'wasserstein-gp') {
    layers = forwardTerms(stack, forward.inputs, backwardStack(stack, forward, sign));
    const realScores = tf.slice(scores, [0, 0], [realRows, 1]);
    loss = tf.sub(tf.mean(tf.slice(scores, [realRows, 0], [fakeRows, 1])), meanOrZero(realScores, realRows));
    const lambda = model.options.family === 'wgan-gp' ? model.options.gradientPenalty : 0;
    if (lambda > 0 && realRows > 0) {
      const partners = realRows <= fakeRows ? tf.slice(fake, [0, 0], [realRows, -1]) : tf.gather(fake, tf.tensor1d(Array.from({ length: realRows }, (_, i) => i % fakeRows), 'int32'));
      const epsilon = tf.randomUniform([realRows, 1], 0, 1, 'float32', lossSeed);
      const between = tf.add(tf.mul(epsilon, real), tf.mul(tf.sub(1, epsilon), partners)) as tf.Tensor2D;
      const penalty = criticPenaltyTerms(stack, between, lambda);
      layers = layers.map((layer, l) => ({ ...layer, kernelTerms: [...layer.kernelTerms, penalty.kernelTerms[l]] }));
      loss = tf.add(loss, tf.mul(tf.mean(penalty.penalty), lambda));
    }
  } else {
    throw new FedsynthError(`DP-SGD does not support the '${model.objective.name}' objective`, 'DP_UNSUPPORTED_MODEL');
  }
  checkCovers(model, layers, 'discriminator');
  return { layers, realRows, fakeRows, loss };
}

/**
 * The autoencoder's per-record losses: ℓ_i = Σ_codes softplus(z) − x·z on the decoder's
 * logits z (binary cross-entropy), whose gradient at the logits is sigmoid(z) − x.
 */
export function autoencoderRecordTerms(model: GanModel, records: tf.Tensor2D): RecordTerms {
  const stack = stacks(model).autoencoder;
  if (!stack) throw new Error(`the ${model.family} family has no autoencoder`);
  const realRows = records.shape[0];
  const forward = forwardStack(stack, records);
  const logits = forward.outputs[forward.outputs.length - 1];
  const layers = forwardTerms(stack, forward.inputs, backwardStack(stack, forward, tf.sub(tf.sigmoid(logits), records)));
  const loss = meanOrZero(tf.sum(tf.sub(tf.softplus(logits), tf.mul(records, logits)), 1), realRows);
  checkCovers(model, layers, 'autoencoder');
  return { layers, realRows, fakeRows: 0, loss };
}
