import * as tf from '@tensorflow/tfjs';
import { denseRows } from '../data/binary-matrix';
import { createModel } from './create-model';
import type { GanModel } from './gan-model';
import { getWeights } from './named-weights';
import { MODEL_FAMILIES, type ModelFamily } from './model-options';
import { pairedCodesMatrix, TINY_MODEL } from './test-fixtures';
import { autoencoderStep, discriminatorStep, generatorStep } from './train-steps';

type Snapshot = Map<string, Float32Array>;

function snapshot(model: GanModel): Snapshot {
  return new Map(getWeights(model).map((w) => [w.name, w.values]));
}

/** Names of the weights that differ between two snapshots. */
function changed(before: Snapshot, after: Snapshot): string[] {
  return [...before.keys()].filter((name) => before.get(name)!.some((v, i) => v !== after.get(name)![i]));
}

describe('training steps', () => {
  const matrix = pairedCodesMatrix(32, 10);
  let real: tf.Tensor2D;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    real = tf.tensor2d(denseRows(matrix), [matrix.rows, matrix.cols]);
  });
  afterAll(() => real.dispose());

  const build = (family: ModelFamily) => createModel(family, { vocabularySize: 10, ...TINY_MODEL, initSeed: 3 });

  it.each(MODEL_FAMILIES)('%s: a generator step changes the generator and leaves the discriminator untouched', (family) => {
    const model = build(family);
    const before = snapshot(model);
    const loss = generatorStep(model, { batchSize: 16, noiseSeed: 1 });
    const moved = changed(before, snapshot(model));
    expect(Number.isFinite(loss)).toBe(true);
    expect(moved.filter((n) => n.startsWith('discriminator/'))).toEqual([]);
    expect(moved.filter((n) => n.startsWith('autoencoder/encoder/'))).toEqual([]);
    if (family !== 'seed') {
      // The decoder is fine-tuned with the generator, and the step moves the batch-norm averages.
      expect(moved).toEqual(expect.arrayContaining(['autoencoder/decoder/dense/kernel', 'generator/block1/dense/kernel', 'generator/block1/batch_norm/moving_mean']));
    }
    model.dispose();
  });

  it.each(MODEL_FAMILIES)('%s: a discriminator step changes only the discriminator', (family) => {
    const model = build(family);
    const before = snapshot(model);
    const loss = discriminatorStep(model, real, { noiseSeed: 1, lossSeed: 2 });
    const moved = changed(before, snapshot(model));
    expect(Number.isFinite(loss)).toBe(true);
    expect(moved.length).toBeGreaterThan(0);
    expect(moved.filter((n) => !n.startsWith('discriminator/'))).toEqual([]);
    model.dispose();
  });

  it('an autoencoder step changes only the autoencoder', () => {
    const model = build('medgan');
    const before = snapshot(model);
    autoencoderStep(model, real);
    const moved = changed(before, snapshot(model));
    expect(moved.sort()).toEqual([
      'autoencoder/decoder/dense/bias',
      'autoencoder/decoder/dense/kernel',
      'autoencoder/encoder/dense/bias',
      'autoencoder/encoder/dense/kernel',
    ]);
    model.dispose();
    const seed = build('seed');
    expect(() => autoencoderStep(seed, real)).toThrow(/no autoencoder/);
    seed.dispose();
  });

  it('the medGAN discriminator sees the batch mean: the same record scores differently in another batch', () => {
    const model = build('medgan');
    const scores = tf.tidy(() => {
      const first = model.networks.discriminate(real.slice([0, 0], [8, -1]));
      const other = model.networks.discriminate(tf.concat([real.slice([0, 0], [1, -1]), real.slice([16, 0], [7, -1])]));
      return [first.dataSync()[0], other.dataSync()[0]];
    });
    expect(scores[0]).not.toBeCloseTo(scores[1], 6);
    model.dispose();
  });
});
