import * as tf from '@tensorflow/tfjs';
import { denseRows } from '../../data/binary-matrix';
import { createModel } from '../../model/create-model';
import type { GanModel } from '../../model/gan-model';
import { getWeights } from '../../model/named-weights';
import { pairedCodesMatrix, TINY_MODEL } from '../../model/test-fixtures';
import { seededRandomness } from '../dp-randomness';
import { dpAutoencoderStep, dpDiscriminatorStep } from './dp-steps';
import { privateGradients, type DpStepSettings } from './private-gradients';
import { autoencoderRecordTerms, discriminatorRecordTerms } from './record-terms';

const V = 10;

function build(family: 'medgan' | 'wgan-gp', input: { initSeed?: number; minibatchAveraging?: boolean; discriminatorDims?: number[] } = {}): GanModel {
  return createModel(family, { vocabularySize: V, ...TINY_MODEL, minibatchAveraging: false, initSeed: 3, ...input });
}

function settings(overrides: Partial<DpStepSettings> = {}): DpStepSettings {
  return { clipNorm: 1, noiseMultiplier: 1, expectedBatchSize: 8, randomness: seededRandomness(1), ...overrides };
}

/** The plain step's gradient of the same loss (means over the batch), by autodiff. */
function plainGradients(model: GanModel, network: 'discriminator' | 'autoencoder', real: tf.Tensor2D, fake: tf.Tensor2D, lossSeed: number): tf.NamedTensorMap {
  const variables = model.stepParameters[network].map((p) => p.variable);
  const { networks, objective } = model;
  const loss =
    network === 'discriminator'
      ? () => objective.discriminatorLoss({ real, fake, discriminate: networks.discriminate, ...(networks.discriminatePair ? { discriminatePair: networks.discriminatePair } : {}), seed: lossSeed })
      : () => {
          const logits = networks.autoencoder!.decodeLogits(networks.autoencoder!.encode(real));
          return tf.mean(tf.sum(tf.sub(tf.softplus(logits), tf.mul(real, logits)), 1)) as tf.Scalar;
        };
  return tf.variableGrads(loss, variables).grads;
}

describe('DP-SGD steps', () => {
  let records: tf.Tensor2D;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    const matrix = pairedCodesMatrix(16, V, 2);
    records = tf.tensor2d(denseRows(matrix), [16, V]);
  });
  afterAll(() => records.dispose());

  // With σ = 0 and a clip norm no gradient reaches, DP-SGD's gradient is Σ_i ∇ℓ_i / (q·N) for
  // the real part and Σ_j ∇ℓ_j / fakes for the generated part. When every record is in the
  // batch (q = 1, so q·N = B) and there are as many fakes, both are plain means: the DP
  // gradient must equal the plain step's gradient of its mean loss.
  it.each([
    ['medgan', 'discriminator'],
    ['wgan-gp', 'discriminator'],
    ['medgan', 'autoencoder'],
  ] as const)('%s %s: with σ = 0 and a huge C the DP gradient is the plain gradient', (family, network) => {
    const model = build(family);
    tf.tidy(() => {
      const real = records;
      const fake = tf.randomUniform([16, V], 0, 1, 'float32', 4) as tf.Tensor2D;
      const terms = network === 'discriminator' ? discriminatorRecordTerms(model, real, fake, 7) : autoencoderRecordTerms(model, real);
      const dp = privateGradients(terms, settings({ clipNorm: 1e9, noiseMultiplier: 0, expectedBatchSize: 16 }));
      const plain = plainGradients(model, network, real, fake, 7);
      const params = model.stepParameters[network];
      // One scale for all: WGAN's output bias has an exactly zero gradient (−1 per real, +1 per fake).
      const scale = Math.max(...params.map((p) => tf.max(tf.abs(plain[p.variable.name])).dataSync()[0]));
      expect(scale).toBeGreaterThan(1e-3);
      for (const p of params) {
        const expected = plain[p.variable.name].dataSync();
        const actual = dp.get(p.variable)!.dataSync();
        expected.forEach((e, i) => expect(Math.abs(actual[i] - e)).toBeLessThanOrEqual(1e-4 * scale));
      }
      // The loss reported for logs is the plain loss too.
      const plainLoss =
        network === 'discriminator'
          ? model.objective.discriminatorLoss({ real, fake, discriminate: model.networks.discriminate, seed: 7 }).dataSync()[0]
          : undefined;
      if (plainLoss !== undefined) expect(terms.loss.dataSync()[0]).toBeCloseTo(plainLoss, 4);
    });
    model.dispose();
  });

  it('the noise has standard deviation σ·C / (q·N) on every coordinate', () => {
    // A wider discriminator for enough coordinates to estimate a standard deviation.
    const model = build('medgan', { discriminatorDims: [64, 32] });
    const sigma = 2;
    const clipNorm = 0.5;
    const expectedBatchSize = 40;
    const noise = tf.tidy(() => {
      const fake = tf.randomUniform([8, V], 0, 1, 'float32', 4) as tf.Tensor2D;
      const terms = discriminatorRecordTerms(model, records, fake, 1);
      const base = { clipNorm, expectedBatchSize };
      const clean = privateGradients(terms, settings({ ...base, noiseMultiplier: 0 }));
      const noisy = privateGradients(terms, settings({ ...base, noiseMultiplier: sigma, randomness: seededRandomness(99) }));
      const values: number[] = [];
      for (const [variable, g] of noisy) values.push(...tf.sub(g, clean.get(variable)!).dataSync());
      return values;
    });
    // 10·64 + 64 + 64·32 + 32 + 32 + 1 = 2,817 coordinates.
    expect(noise.length).toBe(2817);
    const mean = noise.reduce((a, b) => a + b, 0) / noise.length;
    const sd = Math.sqrt(noise.reduce((a, b) => a + (b - mean) ** 2, 0) / (noise.length - 1));
    const expectedSd = (sigma * clipNorm) / expectedBatchSize;
    // The standard error of a sample sd over 2,817 normals is ~1.3%; allow 5%.
    expect(Math.abs(sd / expectedSd - 1)).toBeLessThan(0.05);
    expect(Math.abs(mean)).toBeLessThan((4 * expectedSd) / Math.sqrt(noise.length));
    model.dispose();
  });

  it('clipping bounds what one real record can add to the noiseless sum by C / (q·N)', () => {
    const model = build('wgan-gp');
    const clipNorm = 0.05;
    const expectedBatchSize = 10;
    const shift = tf.tidy(() => {
      const fake = tf.randomUniform([6, V], 0, 1, 'float32', 4) as tf.Tensor2D;
      const base = settings({ clipNorm, noiseMultiplier: 0, expectedBatchSize });
      // Neighbouring batches: with and without the last real record (its partner fake and
      // interpolation weight are the same for the records both batches share).
      const without = privateGradients(discriminatorRecordTerms(model, tf.slice(records, [0, 0], [15, -1]) as tf.Tensor2D, fake, 3), base);
      const withIt = privateGradients(discriminatorRecordTerms(model, records, fake, 3), base);
      let squared = 0;
      for (const [variable, g] of withIt) squared += tf.sum(tf.square(tf.sub(g, without.get(variable)!))).dataSync()[0];
      return Math.sqrt(squared);
    });
    expect(shift).toBeGreaterThan(0);
    expect(shift).toBeLessThanOrEqual((clipNorm / expectedBatchSize) * (1 + 1e-4));
    model.dispose();
  });

  it.each(['medgan', 'wgan-gp'] as const)('%s: a DP discriminator step with an empty Poisson batch still updates (noise and fakes only)', (family) => {
    const model = build(family);
    const before = getWeights(model).find((w) => w.name === 'discriminator/dense1/kernel')!.values;
    const empty = tf.zeros([0, V]) as tf.Tensor2D;
    const loss = dpDiscriminatorStep(model, empty, settings(), { fakeCount: 8, noiseSeed: 1, lossSeed: 2 });
    empty.dispose();
    expect(Number.isFinite(loss)).toBe(true);
    const after = getWeights(model).find((w) => w.name === 'discriminator/dense1/kernel')!.values;
    expect(after.some((v, i) => v !== before[i])).toBe(true);
    model.dispose();
  });

  it('a DP autoencoder step with an empty Poisson batch applies the noise alone', () => {
    const model = build('medgan');
    const kernel = () => getWeights(model).find((w) => w.name === 'autoencoder/encoder/dense/kernel')!.values;
    const before = kernel();
    const empty = tf.zeros([0, V]) as tf.Tensor2D;
    expect(dpAutoencoderStep(model, empty, settings())).toBe(0);
    empty.dispose();
    expect(kernel().some((v, i) => v !== before[i])).toBe(true);
    model.dispose();
  });

  it('DP steps change only their own network’s weights', () => {
    const model = build('medgan');
    const snapshot = () => new Map(getWeights(model).map((w) => [w.name, w.values]));
    const changed = (a: Map<string, Float32Array>, b: Map<string, Float32Array>) => [...a.keys()].filter((k) => a.get(k)!.some((v, i) => v !== b.get(k)![i]));
    const start = snapshot();
    dpDiscriminatorStep(model, records, settings(), { fakeCount: 8, noiseSeed: 1, lossSeed: 2 });
    const afterD = snapshot();
    expect(changed(start, afterD).sort()).toEqual(model.stepParameters.discriminator.map((p) => p.name).sort());
    dpAutoencoderStep(model, records, settings());
    expect(changed(afterD, snapshot()).sort()).toEqual(model.stepParameters.autoencoder.map((p) => p.name).sort());
    model.dispose();
  });

  it('no tensor outlives a step: the count is flat across many steps', () => {
    const model = build('wgan-gp');
    const random = seededRandomness(5);
    const step = (i: number) => {
      const batch = tf.slice(records, [0, 0], [4 + (i % 5), -1]) as tf.Tensor2D;
      dpDiscriminatorStep(model, batch, settings({ randomness: random }), { fakeCount: 6, noiseSeed: i, lossSeed: i + 1 });
      dpAutoencoderStep(model, batch, settings({ randomness: random }));
      batch.dispose();
    };
    // The first steps create Adam's moment variables.
    step(0);
    const count = tf.memory().numTensors;
    for (let i = 1; i <= 6; i++) step(i);
    expect(tf.memory().numTensors).toBe(count);
    model.dispose();
  });

  it('refuses a discriminator that averages minibatches, and the seed family', () => {
    const averaging = build('medgan', { minibatchAveraging: true });
    expect(() => dpDiscriminatorStep(averaging, records, settings(), { fakeCount: 4, noiseSeed: 1, lossSeed: 1 })).toThrow(/minibatch averaging/);
    averaging.dispose();
    const seed = createModel('seed', { vocabularySize: V, ...TINY_MODEL });
    expect(() => dpDiscriminatorStep(seed, records, settings(), { fakeCount: 4, noiseSeed: 1, lossSeed: 1 })).toThrow(/seed family/);
    seed.dispose();
  });
});
