import type { NamedTensor, WeightSet } from '../tensors/weight-set';
import { SeededRandom } from './seeded-random';

/**
 * Weights shaped and distributed like a medGAN's (autoencoder, generator with batch norm,
 * minibatch-averaging discriminator) for a vocabulary of `vocabularySize` codes: Glorot
 * uniform kernels, small biases, batch-norm statistics near their identity values. Used
 * to measure float16 error and throughput on data that looks like the real thing.
 */
export function medganLikeWeights(vocabularySize: number, seed = 1): WeightSet {
  const rng = new SeededRandom(seed);
  const V = vocabularySize;
  const E = 128; // embedding / generator width
  const tensors: NamedTensor[] = [];

  const kernel = (name: string, fanIn: number, fanOut: number): void => {
    const limit = Math.sqrt(6 / (fanIn + fanOut));
    tensors.push(fill(name, [fanIn, fanOut], () => rng.uniform(-limit, limit)));
  };
  const vector = (name: string, size: number, draw: () => number): void => {
    tensors.push(fill(name, [size], draw));
  };
  const bias = (name: string, size: number): void => vector(name, size, () => rng.normal(0, 0.01));
  const batchNorm = (prefix: string, size: number): void => {
    vector(`${prefix}/gamma`, size, () => rng.normal(1, 0.05));
    vector(`${prefix}/beta`, size, () => rng.normal(0, 0.05));
    vector(`${prefix}/moving_mean`, size, () => rng.normal(0, 0.1));
    vector(`${prefix}/moving_variance`, size, () => 1 + Math.abs(rng.normal(0, 0.1)));
  };

  kernel('autoencoder/encoder/kernel', V, E);
  bias('autoencoder/encoder/bias', E);
  kernel('autoencoder/decoder/kernel', E, V);
  bias('autoencoder/decoder/bias', V);
  for (const block of [1, 2]) {
    kernel(`generator/block${block}/dense/kernel`, E, E);
    batchNorm(`generator/block${block}/batch_norm`, E);
  }
  kernel('discriminator/dense1/kernel', 2 * V, 256);
  bias('discriminator/dense1/bias', 256);
  kernel('discriminator/dense2/kernel', 256, 128);
  bias('discriminator/dense2/bias', 128);
  kernel('discriminator/output/kernel', 128, 1);
  bias('discriminator/output/bias', 1);
  return tensors;
}

/** The vocabulary size whose medganLikeWeights are closest to `bytes` (float32). */
export function vocabularySizeForBytes(bytes: number): number {
  // Elements = 768·V (kernels touching V) + V (decoder bias) + fixed layers; solve for V.
  const fixed = elementCount(medganLikeWeights(0));
  return Math.max(1, Math.round((bytes / 4 - fixed) / 769));
}

function fill(name: string, shape: number[], draw: () => number): NamedTensor {
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = draw();
  return { name, shape, data };
}

function elementCount(weights: WeightSet): number {
  return weights.reduce((n, t) => n + t.data.length, 0);
}
