import type { AutoencodingGanOptions } from '../model-options';

/** A matrix product [m × k] · [k × n]: 2·m·k·n floating-point operations. */
const product = (m: number, k: number, n: number) => 2 * m * k * n;

/** Floating-point operations of one training step, from the layer shapes. */
export interface StepFlops {
  readonly discriminatorStep: number;
  readonly generatorStep: number;
  /** discriminatorSteps discriminator updates plus one generator update. */
  readonly ganStep: number;
  readonly autoencoderStep: number;
  /**
   * The same step counted by the rule of thumb "backward = 2 × forward" for every layer a
   * step backpropagates through, which also counts gradients TensorFlow.js never computes.
   */
  readonly ganStepByRule: number;
}

/**
 * Counts the matrix products a medGAN step runs for a batch of B records: forward 2·m·k·n per
 * dense layer; backward 2·m·k·n for each weight gradient and each input gradient that is
 * actually needed. TensorFlow.js prunes the rest, e.g. the gradient into the real records or
 * into the noise, so counting "backward = 2 × forward" everywhere would overstate the work.
 * Elementwise ops (activations, batch norm, Adam) are left out: they are memory-bound and a
 * small share of the arithmetic, so the figure is a slight undercount.
 */
export function medganStepFlops(o: AutoencodingGanOptions, batchSize: number): StepFlops {
  const B = batchSize;
  const V = o.vocabularySize;
  const L = o.latentDim;
  const dims = [...o.discriminatorDims, 1];
  // Generator blocks and the decoder.
  const generatorForward = o.generatorBlocks * product(B, L, L) + product(B, L, V);
  // Discriminator on one batch: x·K, plus the batch mean (1×B·B×V) times the mean kernel.
  let discriminatorForward = product(B, V, dims[0]) + (o.minibatchAveraging ? product(1, B, V) + product(1, V, dims[0]) : 0);
  for (let i = 1; i < dims.length; i++) discriminatorForward += product(B, dims[i - 1], dims[i]);
  // Backward through the discriminator's hidden and output layers (each has k = dims[i-1]).
  let hiddenBackward = 0;
  for (let i = 1; i < dims.length; i++) hiddenBackward += product(B, dims[i - 1], dims[i]);
  const firstWeightGradient = product(B, V, dims[0]) + (o.minibatchAveraging ? product(1, V, dims[0]) : 0);
  const firstInputGradient = product(B, dims[0], V) + (o.minibatchAveraging ? product(1, dims[0], V) + product(B, 1, V) : 0);
  // D step: fakes generated without a tape; D forward on real and fake; weight gradients of
  // every layer and input gradients of every layer but the first, for both batches.
  const discriminatorStep = generatorForward + 2 * (discriminatorForward + firstWeightGradient + 2 * hiddenBackward);
  // G step: forward through G and D; input gradients through D; weight and input gradients
  // of the decoder and blocks, except the input gradient into the noise.
  const generatorBackward = 2 * product(B, L, V) + (2 * o.generatorBlocks - 1) * product(B, L, L);
  const generatorStep = generatorForward + discriminatorForward + hiddenBackward + firstInputGradient + generatorBackward;
  // Autoencoder: encoder and decoder forward, both weight gradients, and the decoder's input gradient.
  const autoencoderStep = 5 * product(B, V, L);
  // Rule of thumb: forward F, backward 2F. D step: G forward only, D forward + backward on
  // real and fake. G step: forward + backward through G and D.
  const ruleDiscriminatorStep = generatorForward + 2 * 3 * discriminatorForward;
  const ruleGeneratorStep = 3 * (generatorForward + discriminatorForward);
  return {
    discriminatorStep,
    generatorStep,
    ganStep: o.discriminatorSteps * discriminatorStep + generatorStep,
    autoencoderStep,
    ganStepByRule: o.discriminatorSteps * ruleDiscriminatorStep + ruleGeneratorStep,
  };
}
