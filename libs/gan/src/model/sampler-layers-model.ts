import * as tf from '@tensorflow/tfjs';
import type { GanModel } from './gan-model';
import type { AutoencodingGanOptions, SeedModelOptions } from './model-options';

/**
 * The generator with the decoder folded in, as a standard TensorFlow.js LayersModel mapping
 * noise [n, noiseDim] to code probabilities [n, V]. Built only from stock layers (Dense,
 * BatchNormalization, Activation, Add, LeakyReLU), so plain tf.loadLayersModel — or Keras
 * after conversion — loads it with no fedsynth code. Its weights are copies taken now.
 */
export function samplerLayersModel(model: GanModel): tf.LayersModel {
  const o = model.options;
  return o.family === 'seed' ? seedSampler(model, o) : autoencodingSampler(model, o, o.family);
}

/** Copies named weights of `model` into a layer, in the layer's weight order. */
function copyWeights(layer: tf.layers.Layer, model: GanModel, names: string[]): void {
  layer.setWeights(names.map((name) => model.params.get(name)));
}

function autoencodingSampler(model: GanModel, o: AutoencodingGanOptions, family: string): tf.LayersModel {
  const noise = tf.input({ shape: [o.latentDim], name: 'noise' });
  let h: tf.SymbolicTensor = noise;
  const copies: (() => void)[] = [];
  for (let b = 1; b <= o.generatorBlocks; b++) {
    const prefix = `generator/block${b}`;
    const dense = tf.layers.dense({ units: o.latentDim, useBias: false, name: `generator_block${b}_dense` });
    const norm = tf.layers.batchNormalization({ momentum: o.batchNormMomentum, epsilon: o.batchNormEpsilon, name: `generator_block${b}_batch_norm` });
    const activation = b === o.generatorBlocks ? o.generatorOutputActivation : 'relu';
    const relu = tf.layers.activation({ activation, name: `generator_block${b}_${activation}` });
    const shortcut = tf.layers.add({ name: `generator_block${b}_shortcut` });
    const activated = relu.apply(norm.apply(dense.apply(h))) as tf.SymbolicTensor;
    h = shortcut.apply([h, activated]) as tf.SymbolicTensor;
    copies.push(() => copyWeights(dense, model, [`${prefix}/dense/kernel`]));
    // tf.layers' BatchNormalization weight order: gamma, beta, moving mean, moving variance.
    copies.push(() =>
      copyWeights(norm, model, [`${prefix}/batch_norm/gamma`, `${prefix}/batch_norm/beta`, `${prefix}/batch_norm/moving_mean`, `${prefix}/batch_norm/moving_variance`]),
    );
  }
  const decoder = tf.layers.dense({ units: o.vocabularySize, activation: 'sigmoid', name: 'decoder' });
  const probabilities = decoder.apply(h) as tf.SymbolicTensor;
  copies.push(() => copyWeights(decoder, model, ['autoencoder/decoder/dense/kernel', 'autoencoder/decoder/dense/bias']));
  const layersModel = tf.model({ inputs: noise, outputs: probabilities, name: `fedsynth_${family.replace('-', '_')}_sampler` });
  copies.forEach((copy) => copy());
  return layersModel;
}

function seedSampler(model: GanModel, o: SeedModelOptions): tf.LayersModel {
  const noise = tf.input({ shape: [o.noiseDim], name: 'noise' });
  const layers = [
    tf.layers.dense({ units: o.hiddenUnits, name: 'generator_dense1' }),
    tf.layers.leakyReLU({ alpha: o.leakyAlpha, name: 'generator_leaky1' }),
    tf.layers.dense({ units: o.hiddenUnits, name: 'generator_dense2' }),
    tf.layers.leakyReLU({ alpha: o.leakyAlpha, name: 'generator_leaky2' }),
    tf.layers.dense({ units: o.vocabularySize, activation: 'relu', name: 'generator_dense3' }),
  ];
  const output = layers.reduce<tf.SymbolicTensor>((h, layer) => layer.apply(h) as tf.SymbolicTensor, noise);
  const layersModel = tf.model({ inputs: noise, outputs: output, name: 'fedsynth_seed_sampler' });
  [1, 2, 3].forEach((i) => copyWeights(layers[2 * (i - 1)], model, [`generator/dense${i}/kernel`, `generator/dense${i}/bias`]));
  return layersModel;
}
