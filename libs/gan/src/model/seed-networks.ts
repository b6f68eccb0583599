import * as tf from '@tensorflow/tfjs';
import type { GanNetworks } from './gan-networks';
import { addDense, dense, type DenseActivation, type DenseWeights } from './layers/dense';
import type { SeedSource } from './layers/initializers';
import type { SeedModelOptions } from './model-options';
import type { ParameterStore } from './parameter-store';

interface Layer {
  readonly weights: DenseWeights;
  readonly activation: DenseActivation;
}

function addStack(store: ParameterStore, prefix: string, inputs: number, spec: readonly [number, DenseActivation][], seeds: SeedSource): Layer[] {
  let fanIn = inputs;
  return spec.map(([units, activation], i) => {
    const weights = addDense(store, `${prefix}/dense${i + 1}`, { inputs: fanIn, units, seeds });
    fanIn = units;
    return { weights, activation };
  });
}

/**
 * The original notebook's networks, unchanged so the baseline stays honest. Generator:
 * Dense(10, LeakyReLU) → Dense(10, LeakyReLU) → Dense(V, relu). Discriminator:
 * Dense(10, sigmoid) → Dense(10, LeakyReLU) → Dense(10, LeakyReLU) → Dense(2) → Dense(1, relu).
 * The relu outputs are used as they were: the generator's as code "probabilities" (rounded
 * at 0.5), the discriminator's as a probability that Keras' loss clipped into (0, 1).
 */
export function buildSeedNetworks(store: ParameterStore, o: SeedModelOptions, seeds: SeedSource): GanNetworks {
  const V = o.vocabularySize;
  const u = o.hiddenUnits;
  const generator = addStack(store, 'generator', o.noiseDim, [[u, 'leakyrelu'], [u, 'leakyrelu'], [V, 'relu']], seeds);
  const discriminator = addStack(store, 'discriminator', V, [[u, 'sigmoid'], [u, 'leakyrelu'], [u, 'leakyrelu'], [2, 'linear'], [1, 'relu']], seeds);
  const run = (layers: Layer[], x: tf.Tensor2D) =>
    layers.reduce((h, layer) => dense(h, layer.weights, { activation: layer.activation, leakyAlpha: o.leakyAlpha }), x);
  return {
    noiseDim: o.noiseDim,
    vocabularySize: V,
    generate: (noise) => run(generator, noise),
    discriminate: (records) => run(discriminator, records),
  };
}
