import * as tf from '@tensorflow/tfjs';
import type { FusedAdam } from './fused-adam';
import type { GanModel } from './gan-model';
import { marginalMatchingLoss } from './marginal-matching';
import type { Parameter } from './parameter-store';

/**
 * One optimizer update of `params` against `loss`, with the L2 penalty added to the gradients
 * of penalised kernels (∂(λ/2·Σw²)/∂w = λ·w) rather than to the loss, which saves the
 * forward and backward passes of the penalty itself. Returns the (unpenalised) loss.
 * Must run inside tf.tidy.
 */
function update(optimizer: FusedAdam, params: readonly Parameter[], l2: number, loss: () => tf.Scalar): tf.Scalar {
  const { value, grads } = tf.variableGrads(loss, params.map((p) => p.variable));
  applyGradients(optimizer, params, l2, (p) => grads[p.variable.name]);
  return value;
}

/**
 * Applies one gradient per parameter (from `gradientOf`), in the order of `params`, with
 * the L2 penalty's λ·w added for penalised kernels inside the optimizer's pass. Shared by
 * the plain steps and DP-SGD's. Must run inside tf.tidy.
 */
export function applyGradients(optimizer: FusedAdam, params: readonly Parameter[], l2: number, gradientOf: (p: Parameter) => tf.Tensor | undefined): void {
  optimizer.applyDecayedGradients(
    params.map((p) => {
      const gradient = gradientOf(p);
      // A parameter left out would silently stop training: fail instead.
      if (!gradient) throw new Error(`no gradient reached '${p.name}'; the step's parameter list does not match its loss`);
      return { variable: p.variable, gradient, l2: l2 > 0 && p.penalized ? l2 : 0 };
    }),
  );
}

/** Generator input: standard normal noise [rows, noiseDim]. */
export function noise(model: GanModel, rows: number, seed: number): tf.Tensor2D {
  return tf.randomNormal([rows, model.networks.noiseDim], 0, 1, 'float32', seed);
}

function requireAutoencoder(model: GanModel) {
  const autoencoder = model.networks.autoencoder;
  const optimizer = model.optimizers().autoencoder;
  if (!autoencoder || !optimizer) throw new Error(`the ${model.family} family has no autoencoder`);
  return { autoencoder, optimizer };
}

/**
 * medGAN's reconstruction loss: binary cross-entropy summed over codes, averaged over records,
 * on logits (softplus(z) − x·z) so that confident wrong outputs cost a large finite number
 * instead of log(0).
 */
function reconstructionLoss(model: GanModel, records: tf.Tensor2D): tf.Scalar {
  const { autoencoder } = requireAutoencoder(model);
  const logits = autoencoder.decodeLogits(autoencoder.encode(records));
  return tf.mean(tf.sum(tf.sub(tf.softplus(logits), tf.mul(records, logits)), 1));
}

/** One autoencoder pre-training update on a batch of real records; returns its loss. */
export function autoencoderStep(model: GanModel, records: tf.Tensor2D): number {
  const { optimizer } = requireAutoencoder(model);
  return tf.tidy(() => update(optimizer, model.stepParameters.autoencoder, model.l2, () => reconstructionLoss(model, records)).dataSync()[0]);
}

/** The reconstruction loss without an update (validation). */
export function autoencoderLoss(model: GanModel, records: tf.Tensor2D): number {
  return tf.tidy(() => reconstructionLoss(model, records).dataSync()[0]);
}

export interface DiscriminatorStepOptions {
  noiseSeed: number;
  /** Seeds the gradient penalty's interpolation (WGAN-GP only). */
  lossSeed: number;
  /** Added to the real batch's mean on the minibatch-averaging path (site-mean-correction.ts). */
  realMeanShift?: tf.Tensor1D;
}

/**
 * One discriminator (critic) update: real records against as many fresh fakes. The fakes
 * are generated before the gradient tape starts, so the generator is neither differentiated
 * nor changed (its batch norm uses batch statistics without moving its averages).
 */
export function discriminatorStep(model: GanModel, real: tf.Tensor2D, options: DiscriminatorStepOptions): number {
  const { networks, objective } = model;
  return tf.tidy(() => {
    const fake = networks.generate(noise(model, real.shape[0], options.noiseSeed), { training: true });
    const loss = update(model.optimizers().discriminator, model.stepParameters.discriminator, model.l2, () =>
      objective.discriminatorLoss({
        real,
        fake,
        discriminate: networks.discriminate,
        ...(networks.discriminatePair ? { discriminatePair: (r: tf.Tensor2D, f: tf.Tensor2D) => networks.discriminatePair!(r, f, options.realMeanShift) } : {}),
        seed: options.lossSeed,
      }),
    );
    return loss.dataSync()[0];
  });
}

export interface GeneratorStepOptions {
  batchSize: number;
  noiseSeed: number;
  /** Adds weight × Σ KL(target ‖ fake batch mean) per code to the loss (marginal-matching.ts). */
  marginals?: { target: tf.Tensor1D; weight: number };
}

/**
 * One generator update (for medGAN and medWGAN: generator and decoder together). Gradients
 * flow through the discriminator but only the generator's parameters are updated, and only
 * this step moves the batch-norm averages.
 */
export function generatorStep(model: GanModel, options: GeneratorStepOptions): number {
  const { networks, objective } = model;
  return tf.tidy(() => {
    const z = noise(model, options.batchSize, options.noiseSeed);
    const marginals = options.marginals;
    const loss = update(model.optimizers().generator, model.stepParameters.generator, model.l2, () => {
      const fake = networks.generate(z, { training: true, updateStatistics: true });
      const adversarial = objective.generatorLoss(networks.discriminate(fake));
      return marginals ? tf.add(adversarial, tf.mul(marginals.weight, marginalMatchingLoss(fake, marginals.target))) : adversarial;
    });
    return loss.dataSync()[0];
  });
}
