import * as tf from '@tensorflow/tfjs';
import { FedsynthError } from '../errors/fedsynth-error';
import { createModel } from './create-model';
import { getWeights, weightSpecs } from './named-weights';
import { MODEL_FAMILIES, resolveModelOptions } from './model-options';
import { TINY_MODEL } from './test-fixtures';

describe('model builders', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('names every medGAN weight stably, batch-norm statistics included', () => {
    const model = createModel('medgan', { vocabularySize: 12, ...TINY_MODEL });
    try {
      expect(weightSpecs(model)).toEqual([
        { name: 'autoencoder/encoder/dense/kernel', shape: [12, 8], trainable: true },
        { name: 'autoencoder/encoder/dense/bias', shape: [8], trainable: true },
        { name: 'autoencoder/decoder/dense/kernel', shape: [8, 12], trainable: true },
        { name: 'autoencoder/decoder/dense/bias', shape: [12], trainable: true },
        { name: 'generator/block1/dense/kernel', shape: [8, 8], trainable: true },
        { name: 'generator/block1/batch_norm/gamma', shape: [8], trainable: true },
        { name: 'generator/block1/batch_norm/beta', shape: [8], trainable: true },
        { name: 'generator/block1/batch_norm/moving_mean', shape: [8], trainable: false },
        { name: 'generator/block1/batch_norm/moving_variance', shape: [8], trainable: false },
        { name: 'generator/block2/dense/kernel', shape: [8, 8], trainable: true },
        { name: 'generator/block2/batch_norm/gamma', shape: [8], trainable: true },
        { name: 'generator/block2/batch_norm/beta', shape: [8], trainable: true },
        { name: 'generator/block2/batch_norm/moving_mean', shape: [8], trainable: false },
        { name: 'generator/block2/batch_norm/moving_variance', shape: [8], trainable: false },
        { name: 'discriminator/dense1/kernel', shape: [12, 16], trainable: true },
        { name: 'discriminator/dense1/mean_kernel', shape: [12, 16], trainable: true },
        { name: 'discriminator/dense1/bias', shape: [16], trainable: true },
        { name: 'discriminator/dense2/kernel', shape: [16, 8], trainable: true },
        { name: 'discriminator/dense2/bias', shape: [8], trainable: true },
        { name: 'discriminator/output/kernel', shape: [8, 1], trainable: true },
        { name: 'discriminator/output/bias', shape: [1], trainable: true },
      ]);
      // The generator step trains the generator and fine-tunes the decoder, nothing else.
      expect(model.stepParameters.generator.map((p) => p.name)).toEqual([
        'autoencoder/decoder/dense/kernel',
        'autoencoder/decoder/dense/bias',
        'generator/block1/dense/kernel',
        'generator/block1/batch_norm/gamma',
        'generator/block1/batch_norm/beta',
        'generator/block2/dense/kernel',
        'generator/block2/batch_norm/gamma',
        'generator/block2/batch_norm/beta',
      ]);
    } finally {
      model.dispose();
    }
  });

  it('builds the seed notebook networks and a linear-critic WGAN-GP without minibatch averaging', () => {
    const seed = createModel('seed', { vocabularySize: 12, noiseDim: 10 });
    const wgan = createModel('wgan-gp', { vocabularySize: 12, ...TINY_MODEL });
    try {
      const shapes = Object.fromEntries(weightSpecs(seed).map((w) => [w.name, w.shape]));
      expect(shapes['generator/dense1/kernel']).toEqual([10, 10]);
      expect(shapes['generator/dense3/kernel']).toEqual([10, 12]);
      expect(shapes['discriminator/dense4/kernel']).toEqual([10, 2]);
      expect(shapes['discriminator/dense5/kernel']).toEqual([2, 1]);
      expect(seed.networks.autoencoder).toBeUndefined();
      expect(weightSpecs(wgan).some((w) => w.name.endsWith('mean_kernel'))).toBe(false);
      expect(wgan.objective.name).toBe('wasserstein-gp');
      expect(wgan.options.discriminatorSteps).toBe(5);
    } finally {
      seed.dispose();
      wgan.dispose();
    }
  });

  it('maps noise to one probability per code for every family', () => {
    for (const family of MODEL_FAMILIES) {
      const model = createModel(family, { vocabularySize: 12, ...TINY_MODEL });
      const out = tf.tidy(() => model.networks.generate(tf.randomNormal([5, model.networks.noiseDim], 0, 1, 'float32', 1), { training: false }));
      expect(out.shape).toEqual([5, 12]);
      if (family !== 'seed') {
        const values = out.dataSync();
        expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
        expect(Math.max(...values)).toBeLessThanOrEqual(1);
      }
      out.dispose();
      model.dispose();
    }
    expect(tf.memory().numTensors).toBe(0);
  });

  it('starts from the same weights for the same init seed, and from others for another', () => {
    const a = createModel('medgan', { vocabularySize: 12, ...TINY_MODEL, initSeed: 5 });
    const b = createModel('medgan', { vocabularySize: 12, ...TINY_MODEL, initSeed: 5 });
    const c = createModel('medgan', { vocabularySize: 12, ...TINY_MODEL, initSeed: 6 });
    const first = (m: typeof a) => Array.from(getWeights(m)[0].values);
    expect(first(a)).toEqual(first(b));
    expect(first(a)).not.toEqual(first(c));
    [a, b, c].forEach((m) => m.dispose());
  });

  it('refuses options that cannot build a network, naming the option', () => {
    expect(() => createModel('medgan', { vocabularySize: 0 })).toThrow(/vocabularySize/);
    expect(() => createModel('medgan', { vocabularySize: 5, discriminatorDims: [] })).toThrow(/discriminatorDims/);
    expect(() => createModel('wgan-gp', { vocabularySize: 5, adam: { beta1: 1 } })).toThrow(/adam\.beta1/);
    expect(() => createModel('gan' as never, { vocabularySize: 5 })).toThrow(FedsynthError);
    expect(resolveModelOptions('medgan', { vocabularySize: 5 })).toMatchObject({ latentDim: 128, generatorBlocks: 2, discriminatorDims: [256, 128], l2: 1e-3, discriminatorSteps: 2 });
    expect(tf.memory().numTensors).toBe(0);
  });
});
