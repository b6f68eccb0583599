import * as tf from '@tensorflow/tfjs';
import type { Autoencoder, GanNetworks } from './gan-networks';
import { addBatchNorm, batchNorm, type BatchNormWeights } from './layers/batch-norm';
import { addDense, dense, type DenseStack, type DenseWeights } from './layers/dense';
import { glorotUniform, type SeedSource } from './layers/initializers';
import type { AutoencodingGanOptions } from './model-options';
import type { ParameterStore } from './parameter-store';

interface GeneratorBlock {
  readonly dense: DenseWeights;
  readonly norm: BatchNormWeights;
}

function addAutoencoder(store: ParameterStore, o: AutoencodingGanOptions, seeds: SeedSource): { autoencoder: Autoencoder; stack: DenseStack } {
  const V = o.vocabularySize;
  const encoder = addDense(store, 'autoencoder/encoder/dense', { inputs: V, units: o.latentDim, seeds });
  const decoder = addDense(store, 'autoencoder/decoder/dense', { inputs: o.latentDim, units: V, seeds });
  return {
    autoencoder: {
      encode: (records) => dense(records, encoder, { activation: 'tanh' }),
      decodeLogits: (codes) => dense(codes, decoder),
    },
    stack: [
      { weights: encoder, activation: 'tanh' },
      { weights: decoder, activation: 'linear' },
    ],
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

interface Discriminator extends Pick<GanNetworks, 'discriminate' | 'discriminatePair'> {
  /** The same network as a dense stack; only without minibatch averaging. */
  readonly stack?: DenseStack;
}

function addDiscriminator(store: ParameterStore, o: AutoencodingGanOptions, seeds: SeedSource): Discriminator {
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
  /**
   * Scores `groups` equal batches stacked row-wise, each with its own batch mean. The mean
   * path is one row per group: (group mean)·M, broadcast over the group's rows. (On wasm the
   * row means take one pass over the batch; see backend/wasm-outer-axis-reduce.ts.)
   */
  function scoreGroups(records: tf.Tensor2D, groups: number, firstMeanShift?: tf.Tensor1D): tf.Tensor2D {
    const rows = records.shape[0];
    const n = rows / groups;
    let pre: tf.Tensor2D = tf.matMul(records, firstLayer.kernel);
    if (firstLayer.meanKernel) {
      let means = tf.mean(tf.reshape(records, [groups, n, V]), 1) as tf.Tensor2D; // [groups, V]
      if (firstMeanShift) means = tf.add(means, tf.concat([tf.reshape(firstMeanShift, [1, V]), tf.zeros([groups - 1, V])], 0));
      const meanScores = tf.matMul(means, firstLayer.meanKernel); // [groups, units]
      const units = firstUnits;
      pre = tf.reshape(tf.add(tf.reshape(pre, [groups, n, units]), tf.reshape(meanScores, [groups, 1, units])), [rows, units]);
    }
    let h = tf.relu(tf.add<tf.Tensor2D>(pre, firstLayer.bias));
    for (const layer of hidden) h = dense(h, layer, { activation: 'relu' });
    return dense(h, output);
  }
  const stack: DenseStack | undefined = firstLayer.meanKernel
    ? undefined
    : [
        { weights: { kernel: firstLayer.kernel, bias: firstLayer.bias }, activation: 'relu' },
        ...hidden.map((weights) => ({ weights, activation: 'relu' as const })),
        { weights: output, activation: 'linear' },
      ];
  return {
    ...(stack ? { stack } : {}),
    discriminate: (records) => scoreGroups(records, 1),
    discriminatePair(real, fake, realMeanShift) {
      const n = real.shape[0];
      const scores = scoreGroups(tf.concat([real, fake], 0), 2, realMeanShift);
      return [tf.slice(scores, [0, 0], [n, 1]), tf.slice(scores, [n, 0], [n, 1])];
    },
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
  const { autoencoder, stack: autoencoderStack } = addAutoencoder(store, o, seeds);
  const blocks: GeneratorBlock[] = [];
  for (let b = 1; b <= o.generatorBlocks; b++) {
    blocks.push({
      dense: addDense(store, `generator/block${b}/dense`, { inputs: o.latentDim, units: o.latentDim, useBias: false, seeds }),
      norm: addBatchNorm(store, `generator/block${b}/batch_norm`, o.latentDim),
    });
  }
  const { stack: discriminatorStack, ...discriminator } = addDiscriminator(store, o, seeds);
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
    ...discriminator,
    ...(discriminatorStack ? { perRecordStacks: { discriminator: discriminatorStack, autoencoder: autoencoderStack } } : {}),
  };
}
