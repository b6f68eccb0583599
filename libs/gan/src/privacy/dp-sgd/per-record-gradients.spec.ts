import * as tf from '@tensorflow/tfjs';
import { denseRows } from '../../data/binary-matrix';
import { createModel } from '../../model/create-model';
import type { GanModel } from '../../model/gan-model';
import { pairedCodesMatrix, TINY_MODEL } from '../../model/test-fixtures';
import { clipFactors, perRecordSquaredNorms, weightedGradientSums, type LayerGradientTerms } from './per-record-gradients';
import { autoencoderRecordTerms, discriminatorRecordTerms, type RecordTerms } from './record-terms';

/**
 * The fast per-record gradients against the obvious slow way: one autodiff pass per record,
 * on the model's own forward functions (discriminate, encode/decodeLogits) and, for WGAN-GP,
 * the penalty's nested tf.grad exactly as the taped objective computes it.
 */

const V = 10;
const LOSS_SEED = 11;

function build(family: 'medgan' | 'wgan-gp', initSeed = 3): GanModel {
  return createModel(family, { vocabularySize: V, ...TINY_MODEL, minibatchAveraging: false, initSeed });
}

/** Each row's loss as a scalar function of the weights, for the naive loop. */
type RowLoss = (row: number) => () => tf.Scalar;

function discriminatorRowLoss(model: GanModel, real: tf.Tensor2D, fake: tf.Tensor2D): RowLoss {
  const B = real.shape[0];
  const F = fake.shape[0];
  const D = model.networks.discriminate;
  const row = (t: tf.Tensor2D, i: number) => tf.slice(t, [i, 0], [1, -1]) as tf.Tensor2D;
  if (model.objective.name === 'non-saturating') {
    return (i) => () => (i < B ? tf.sum(tf.softplus(tf.neg(D(row(real, i))))) : tf.sum(tf.softplus(D(row(fake, i - B))))) as tf.Scalar;
  }
  const lambda = model.options.family === 'wgan-gp' ? model.options.gradientPenalty : 0;
  const epsilon = tf.randomUniform([B, 1], 0, 1, 'float32', LOSS_SEED);
  const partners = tf.gather(fake, tf.tensor1d(Array.from({ length: B }, (_, i) => i % F), 'int32'));
  const between = tf.add(tf.mul(epsilon, real), tf.mul(tf.sub(1, epsilon), partners)) as tf.Tensor2D;
  return (i) => () => {
    if (i >= B) return tf.sum(D(row(fake, i - B))) as tf.Scalar;
    const gradient = tf.grad((x: tf.Tensor) => tf.sum(D(x as tf.Tensor2D)))(row(between, i));
    const norm = tf.sqrt(tf.add(tf.sum(tf.square(gradient)), 1e-12));
    return tf.add(tf.neg(tf.sum(D(row(real, i)))), tf.mul(tf.square(tf.sub(norm, 1)), lambda)) as tf.Scalar;
  };
}

function autoencoderRowLoss(model: GanModel, records: tf.Tensor2D): RowLoss {
  const ae = model.networks.autoencoder!;
  return (i) => () => {
    const x = tf.slice(records, [i, 0], [1, -1]) as tf.Tensor2D;
    const logits = ae.decodeLogits(ae.encode(x));
    return tf.sum(tf.sub(tf.softplus(logits), tf.mul(x, logits))) as tf.Scalar;
  };
}

/** Per-record gradients, one variableGrads call per record: [record][parameter] flattened. */
function naiveGradients(variables: tf.Variable[], rows: number, loss: RowLoss): Float32Array[][] {
  return Array.from({ length: rows }, (_, i) =>
    tf.tidy(() => {
      const { grads } = tf.variableGrads(loss(i), variables);
      return variables.map((v) => grads[v.name].dataSync() as Float32Array);
    }),
  );
}

function squaredNorm(parts: Float32Array[]): number {
  return parts.reduce((sum, p) => sum + p.reduce((s, x) => s + x * x, 0), 0);
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, relative = 1e-4): void {
  expect(actual.length).toBe(expected.length);
  const scale = Math.max(...Array.from(expected, Math.abs), 1e-6);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i] - expected[i])).toBeLessThanOrEqual(relative * scale);
}

interface Case {
  name: string;
  family: 'medgan' | 'wgan-gp';
  network: 'discriminator' | 'autoencoder';
  realRows: number;
  fakeRows: number;
}

// Batches of unequal size on purpose: Poisson sampling gives any number of real records,
// and WGAN-GP then pairs some fakes with two real records.
const CASES: Case[] = [
  { name: 'medGAN discriminator (no minibatch averaging)', family: 'medgan', network: 'discriminator', realRows: 7, fakeRows: 5 },
  { name: 'WGAN-GP critic with per-record gradient penalty', family: 'wgan-gp', network: 'discriminator', realRows: 7, fakeRows: 5 },
  { name: 'WGAN-GP critic, more fakes than real records', family: 'wgan-gp', network: 'discriminator', realRows: 4, fakeRows: 6 },
  { name: 'medGAN autoencoder', family: 'medgan', network: 'autoencoder', realRows: 9, fakeRows: 0 },
];

describe('per-record gradients of dense stacks (DP-SGD)', () => {
  let records: tf.Tensor2D;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    const matrix = pairedCodesMatrix(12, V, 4);
    records = tf.tensor2d(denseRows(matrix), [12, V]);
  });
  afterAll(() => records.dispose());

  function setUp(c: Case, model: GanModel) {
    const real = tf.slice(records, [0, 0], [c.realRows, -1]) as tf.Tensor2D;
    // Generated-looking rows: probabilities, not 0/1.
    const fake = tf.randomUniform([c.fakeRows, V], 0, 1, 'float32', 9) as tf.Tensor2D;
    const params = model.stepParameters[c.network];
    const terms: RecordTerms = c.network === 'discriminator' ? discriminatorRecordTerms(model, real, fake, LOSS_SEED) : autoencoderRecordTerms(model, real);
    const rowLoss = c.network === 'discriminator' ? discriminatorRowLoss(model, real, fake) : autoencoderRowLoss(model, real);
    return { params, terms, naive: naiveGradients(params.map((p) => p.variable), c.realRows + c.fakeRows, rowLoss) };
  }

  it.each(CASES)('$name: each record’s gradient norm equals a per-record autodiff loop', (c) => {
    const model = build(c.family);
    tf.tidy(() => {
      const { terms, naive } = setUp(c, model);
      const fast = perRecordSquaredNorms(terms.layers, c.realRows + c.fakeRows).dataSync();
      expectClose(fast, naive.map(squaredNorm));
      // Not a degenerate comparison: the records' gradients differ and are not tiny.
      expect(Math.min(...fast)).toBeGreaterThan(1e-6);
      expect(new Set(Array.from(fast, (x) => x.toFixed(5))).size).toBeGreaterThan(1);
      if (c.family === 'wgan-gp') {
        // The penalty's terms matter: without them the real records' norms would be wrong.
        const withoutPenalty = terms.layers.map((layer) => ({ ...layer, kernelTerms: layer.kernelTerms.slice(0, 1) }));
        const partial = perRecordSquaredNorms(withoutPenalty, c.realRows + c.fakeRows).dataSync();
        expect(Math.abs(partial[0] - fast[0])).toBeGreaterThan(0.01 * fast[0]);
      }
    });
    model.dispose();
  });

  it.each(CASES)('$name: the clipped sum equals the sum of individually clipped gradients', (c) => {
    const model = build(c.family, 5);
    tf.tidy(() => {
      const { params, terms, naive } = setUp(c, model);
      const norms = naive.map((parts) => Math.sqrt(squaredNorm(parts)));
      // The median norm as C, so some records are clipped and some are not.
      const clipNorm = [...norms].sort((a, b) => a - b)[Math.floor(norms.length / 2)];
      const factors = clipFactors(perRecordSquaredNorms(terms.layers, norms.length), clipNorm);
      const sums = weightedGradientSums(terms.layers, factors);
      params.forEach((p, k) => {
        const expected = new Float32Array(p.variable.size);
        naive.forEach((parts, i) => {
          const c = Math.min(1, clipNorm / norms[i]);
          parts[k].forEach((g, j) => (expected[j] += c * g));
        });
        expectClose(sums.get(p.variable)!.dataSync(), expected);
      });
      expect(norms.some((n) => n > clipNorm * 1.0001)).toBe(true);
    });
    model.dispose();
  });

  it('an example by hand: one layer, one record', () => {
    tf.tidy(() => {
      const kernel = tf.variable(tf.zeros([2, 1]));
      const bias = tf.variable(tf.zeros([1]));
      // a = [1, 2], g = [3]: kernel gradient aᵀg = [[3], [6]], bias gradient [3]; ‖·‖² = 9 + 36 + 9 = 54.
      const layers: LayerGradientTerms[] = [
        { kernel, bias, kernelTerms: [{ input: tf.tensor2d([[1, 2]]), outputGrad: tf.tensor2d([[3]]) }], biasGrad: tf.tensor2d([[3]]) },
      ];
      expect(perRecordSquaredNorms(layers, 1).dataSync()[0]).toBeCloseTo(54, 5);
      // Clipped to C = √54 / 2 the gradient halves.
      const sums = weightedGradientSums(layers, clipFactors(tf.tensor1d([54]), Math.sqrt(54) / 2));
      expect(Array.from(sums.get(kernel)!.dataSync())).toEqual([1.5, 3]);
      expect(sums.get(bias)!.dataSync()[0]).toBeCloseTo(1.5, 6);
      kernel.dispose();
      bias.dispose();
    });
  });

  it('two terms of one record add before the norm is taken (the cross term)', () => {
    tf.tidy(() => {
      const kernel = tf.variable(tf.zeros([1, 1]));
      // Terms 2·3 and 1·(−1) give a gradient of 5 for record 0: norm² 25, not 36 + 1.
      // Record 1 has only the first term (the second covers one row): 4·1 = 4, norm² 16.
      const layers: LayerGradientTerms[] = [
        {
          kernel,
          kernelTerms: [
            { input: tf.tensor2d([[2], [4]]), outputGrad: tf.tensor2d([[3], [1]]) },
            { input: tf.tensor2d([[1]]), outputGrad: tf.tensor2d([[-1]]) },
          ],
        },
      ];
      expect(Array.from(perRecordSquaredNorms(layers, 2).dataSync())).toEqual([25, 16]);
      expect(weightedGradientSums(layers, tf.tensor1d([1, 0.5])).get(kernel)!.dataSync()[0]).toBeCloseTo(5 + 2, 6);
      kernel.dispose();
    });
  });
});
