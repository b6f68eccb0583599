import * as tf from '@tensorflow/tfjs';
import type { Autoencoder, GanNetworks } from './gan-networks';
import { addBatchNorm, batchNorm, type BatchNormWeights } from './layers/batch-norm';
import { addDense, dense, type DenseWeights } from './layers/dense';
import { glorotUniform, type SeedSource } from './layers/initializers';
import type { AutoencodingGanOptions } from './model-options';
import type { ParameterStore } from './parameter-store';

interface GeneratorBlock {
  readonly dense: DenseWeights;
  readonly norm: BatchNormWeights;
}

function addAutoencoder(store: ParameterStore, o: AutoencodingGanOptions, seeds: SeedSource): Autoencoder {
  const V = o.vocabularySize;
  const encoder = addDense(store, 'autoencoder/encoder/dense', { inputs: V, units: o.latentDim, seeds });
  const decoder = addDense(store, 'autoencoder/decoder/dense', { inputs: o.latentDim, units: V, seeds });
  return {
    encode: (records) => dense(records, encoder, { activation: 'tanh' }),
    decodeLogits: (codes) => dense(codes, decoder),
  };
}

/**
 * The discriminator's first layer is Dense over [record, batch mean] (2V inputs). Its kernel is
 * kept as two V × units halves, `kernel` for the record and `mean_kernel` for the batch mean:
 * [x, m]·[K; M] = x·K + m·M, and m·M is one row for the whole batch. That halves the largest
 * matMul of a training step without changing the function the layer computes.
 */
interface FirstLayer {
  readonly kernel: tf.Variable;
  readonly meanKernel?: tf.Variable;
  readonly bias: tf.Variable;
}

function addDiscriminator(store: ParameterStore, o: AutoencodingGanOptions, seeds: SeedSource): (records: tf.Tensor2D) => tf.Tensor2D {
  const V = o.vocabularySize;
  const [firstUnits, ...restUnits] = o.discriminatorDims;
  // Glorot limits of the whole [2V, units] kernel, so both halves start as the wide layer would.
  const fanIn = o.minibatchAveraging ? 2 * V : V;
  const firstLayer: FirstLayer = {
    kernel: store.add('discriminator/dense1/kernel', glorotUniform([V, firstUnits], seeds.next(), fanIn), { penalized: true }),
    ...(o.minibatchAveraging
      ? { meanKernel: store.add('discriminator/dense1/mean_kernel', glorotUniform([V, firstUnits], seeds.next(), fanIn), { penalized: true }) }
      : {}),
    bias: store.add('discriminator/dense1/bias', tf.zeros([firstUnits])),
  };
  const hidden: DenseWeights[] = [];
  let inputs = firstUnits;
  restUnits.forEach((units, i) => {
    hidden.push(addDense(store, `discriminator/dense${i + 2}`, { inputs, units, seeds }));
    inputs = units;
  });
  const output = addDense(store, 'discriminator/output', { inputs, units: 1, seeds });
  return (records) => {
    let pre: tf.Tensor2D = tf.add(tf.matMul(records, firstLayer.kernel), firstLayer.bias);
    if (firstLayer.meanKernel) {
      // mean·M as Mᵀ·(recordsᵀ·1/n), both column products: XNNPACK packs its right operand
      // anew whenever that tensor is new, and here the right operands are an n × 1 column
      // rather than the whole batch and the whole V × units kernel (measured ~2× faster on wasm).
      const n = records.shape[0];
      const meanColumn = tf.matMul(records, tf.fill([n, 1], 1 / n), true, false);
      pre = tf.add(pre, tf.reshape(tf.matMul(firstLayer.meanKernel, meanColumn, true, false), [1, -1]));
    }
    let h = tf.relu(pre);
    for (const layer of hidden) h = dense(h, layer, { activation: 'relu' });
    return dense(h, output);
  };
}

/**
 * medGAN's networks (Choi et al. 2017), shared by medGAN and medWGAN: an autoencoder
 * V → latent (tanh) → V (sigmoid); a generator of residual blocks [Dense without bias →
 * batch norm → ReLU (tanh in the last block, as medGAN's code has it for binary data), plus
 * the block's input] from latent-dimensional noise into the decoder;
 * and a discriminator Dense(…, ReLU) → … → Dense(1).
 */
export function buildAutoencodingGanNetworks(store: ParameterStore, o: AutoencodingGanOptions, seeds: SeedSource): GanNetworks {
  const autoencoder = addAutoencoder(store, o, seeds);
  const blocks: GeneratorBlock[] = [];
  for (let b = 1; b <= o.generatorBlocks; b++) {
    blocks.push({
      dense: addDense(store, `generator/block${b}/dense`, { inputs: o.latentDim, units: o.latentDim, useBias: false, seeds }),
      norm: addBatchNorm(store, `generator/block${b}/batch_norm`, o.latentDim),
    });
  }
  const discriminate = addDiscriminator(store, o, seeds);
  const bnSettings = { momentum: o.batchNormMomentum, epsilon: o.batchNormEpsilon };
  return {
    noiseDim: o.latentDim,
    vocabularySize: o.vocabularySize,
    autoencoder,
    generate(noise, mode) {
      let h = noise;
      blocks.forEach((block, i) => {
        const normalized = batchNorm(dense(h, block.dense), block.norm, mode, bnSettings);
        const last = i === blocks.length - 1;
        h = tf.add(h, last && o.generatorOutputActivation === 'tanh' ? tf.tanh(normalized) : tf.relu(normalized));
      });
      return tf.sigmoid(autoencoder.decodeLogits(h));
    },
    discriminate,
  };
}
