import * as tf from '@tensorflow/tfjs';
import { prevalence } from '../metrics/prevalence';
import { createModel } from './create-model';
import { siteMeanCorrection } from './site-mean-correction';
import { pairedCodesMatrix, TINY_MODEL } from './test-fixtures';
import { train } from './train';
import { getWeights } from './named-weights';

describe('siteMeanCorrection', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('shifts by pooled − site per code (zero where they agree)', () => {
    expect(Array.from(siteMeanCorrection({ pooled: [0.2, 0.5, 0], site: [0.1, 0.5, 0.25] }).meanShift)).toEqual([Math.fround(0.1), 0, -0.25]);
  });

  it('refuses inputs that do not fit, naming what is wrong', () => {
    expect(() => siteMeanCorrection({ pooled: [0.1, 0.2], site: [0.1] })).toThrow('2 pooled prevalences but 1 of the site');
    expect(() => siteMeanCorrection({ pooled: [1.5], site: [0.1] })).toThrow('prevalences of code 0 must be in [0, 1], got pooled 1.5, site 0.1');
    expect(() => siteMeanCorrection({ pooled: [NaN], site: [0.1] })).toThrow('got pooled NaN');
  });

  it("shifts only the real batch's mean on the discriminator's minibatch-averaging path", () => {
    const model = createModel('medgan', { ...TINY_MODEL, vocabularySize: 6, initSeed: 2 });
    const pair = model.networks.discriminatePair!;
    const real = tf.randomUniform([5, 6], 0, 1, 'float32', 1) as tf.Tensor2D;
    const fake = tf.randomUniform([5, 6], 0, 1, 'float32', 2) as tf.Tensor2D;
    const shift = tf.tensor1d([0.3, 0, 0, -0.2, 0, 0.1]);
    const scores = (s?: tf.Tensor1D) => tf.tidy(() => pair(real, fake, s).map((t) => Array.from(t.dataSync())));
    const [r0, f0] = scores();
    const [rz, fz] = scores(tf.zeros([6]) as tf.Tensor1D);
    const [rs, fs] = scores(shift);
    expect([rz, fz]).toEqual([r0, f0]);
    expect(fs).toEqual(f0);
    expect(rs).not.toEqual(r0);
    tf.dispose([real, fake, shift]);
    model.dispose();
  });
});

describe('training with a site mean correction', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('trains as without it where the site holds the pooled prevalences, and otherwise trains another discriminator; no tensors left behind', async () => {
    const matrix = pairedCodesMatrix(120, 10);
    const site = prevalence(matrix);
    const weightsAfter = async (pooled?: Float64Array) => {
      const training = train('medgan', matrix, {
        epochs: 2,
        pretrainEpochs: 1,
        batchSize: 20,
        autoencoderBatchSize: 20,
        model: TINY_MODEL,
        seed: 3,
        ...(pooled ? { siteCorrection: { pooled, site } } : {}),
      });
      for await (const log of training) void log;
      const weights = new Map(getWeights(training.model).map((w) => [w.name, Array.from(w.values)]));
      training.model.dispose();
      return weights;
    };
    const before = tf.memory().numTensors;
    const plain = await weightsAfter();
    const same = await weightsAfter(Float64Array.from(site));
    // The pool holds the first pair far more often than this site.
    const shifted = await weightsAfter(Float64Array.from(site, (p, j) => (j < 2 ? 0.95 : p)));
    expect(same).toEqual(plain);
    const meanKernel = 'discriminator/dense1/mean_kernel';
    expect(shifted.get(meanKernel)).not.toEqual(plain.get(meanKernel));
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);

  it('is refused with DP, without minibatch averaging, or for another vocabulary', () => {
    const matrix = pairedCodesMatrix(40, 10);
    const site = prevalence(matrix);
    const siteCorrection = { pooled: site, site };
    expect(() => train('medgan', matrix, { epochs: 1, model: TINY_MODEL, siteCorrection, dp: { clipNorm: 1, noiseMultiplier: 1, sampleRate: 0.25 } })).toThrow(
      'siteCorrection cannot be combined with dp',
    );
    const before = tf.memory().numTensors;
    expect(() => train('medgan', matrix, { epochs: 1, model: { ...TINY_MODEL, minibatchAveraging: false }, siteCorrection })).toThrow(
      'correcting the batch means needs minibatch averaging, which this model has off',
    );
    expect(() => train('wgan-gp', matrix, { epochs: 1, model: { ...TINY_MODEL, minibatchAveraging: true }, siteCorrection })).toThrow('siteCorrection is for medgan with minibatch averaging, not wgan-gp');
    expect(tf.memory().numTensors).toBe(before);
    expect(() => train('medgan', matrix, { epochs: 1, model: TINY_MODEL, siteCorrection: { pooled: site.slice(1), site: site.slice(1) } })).toThrow(
      'siteCorrection: 9 prevalences but the matrix has 10 columns',
    );
  });
});
