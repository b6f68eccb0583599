import * as tf from '@tensorflow/tfjs';
import { prevalence } from '../metrics/prevalence';
import { createModel } from './create-model';
import type { GanModel } from './gan-model';
import { correctScores, siteScoreCorrection, siteScoreCorrectionTensors } from './site-score-correction';
import { pairedCodesMatrix, TINY_MODEL } from './test-fixtures';
import { train } from './train';
import { noise } from './train-steps';

const logit = (p: number) => Math.log(p / (1 - p));

/** log P(x) of a product of Bernoullis with these prevalences. */
function logProductBernoulli(prevalences: readonly number[], x: readonly number[]): number {
  return prevalences.reduce((sum, p, j) => sum + Math.log(x[j] ? p : 1 - p), 0);
}

describe('siteScoreCorrection', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('is zero where the site holds the pooled prevalences', () => {
    const c = siteScoreCorrection({ pooled: [0.1, 0.5, 0.02], site: [0.1, 0.5, 0.02], siteRecords: 100 });
    expect(Array.from(c.perCode!)).toEqual([0, 0, 0]);
    expect(Array.from(c.meanShift!)).toEqual([0, 0, 0]);
    expect(c.offset).toBe(0);
  });

  it('weights each code by logit(pooled) − logit(site), offset Σ log((1 − pooled) / (1 − site)) (by hand)', () => {
    const c = siteScoreCorrection({ pooled: [0.2, 0.5], site: [0.1, 0.5], siteRecords: 99 });
    // logit 0.2 − logit 0.1 = ln(0.25) − ln(1/9) = ln 2.25.
    expect(c.perCode![0]).toBeCloseTo(Math.log(2.25), 6);
    expect(c.perCode![1]).toBe(0);
    expect(c.offset).toBeCloseTo(Math.log(0.8 / 0.9), 12);
  });

  it('turns the log-probability of a record under the site into its log-probability under the pool (codes independent)', () => {
    const pooled = [0.3, 0.05, 0.6];
    const site = [0.1, 0.2, 0.6];
    const c = siteScoreCorrection({ pooled, site, siteRecords: 1000 });
    for (let bits = 0; bits < 8; bits++) {
      const x = [bits & 1, (bits >> 1) & 1, (bits >> 2) & 1];
      const shift = c.offset + x.reduce((sum, xj, j) => sum + xj * c.perCode![j]!, 0);
      // So Σ_s w_s·(log p_s/p_g + c_s) = log p/p_g: the sites' corrected scores average to the pooled one.
      expect(logProductBernoulli(site, x) + shift).toBeCloseTo(logProductBernoulli(pooled, x), 5);
    }
  });

  it('counts a code the site never saw as half a record, so its weight is large but finite', () => {
    const c = siteScoreCorrection({ pooled: [0.1], site: [0], siteRecords: 9 });
    expect(c.perCode![0]).toBeCloseTo(logit(0.1) - logit(0.05), 5);
  });

  it('shifts real batch means by pooled − site; either part can be left out', () => {
    const both = siteScoreCorrection({ pooled: [0.2, 0.5], site: [0.1, 0.5], siteRecords: 99 });
    expect(Array.from(both.meanShift!)).toEqual([Math.fround(0.1), 0]);
    const meansOnly = siteScoreCorrection({ pooled: [0.2, 0.5], site: [0.1, 0.5], siteRecords: 99, parts: { scores: false, batchMeans: true } });
    expect([meansOnly.perCode, meansOnly.offset, meansOnly.codes]).toEqual([undefined, 0, 2]);
    const scoresOnly = siteScoreCorrection({ pooled: [0.2, 0.5], site: [0.1, 0.5], siteRecords: 99, parts: { scores: true, batchMeans: false } });
    expect(scoresOnly.meanShift).toBeUndefined();
    expect(() => siteScoreCorrection({ pooled: [0.2], site: [0.1], siteRecords: 99, parts: { scores: false, batchMeans: false } })).toThrow('corrects neither the scores nor the batch means');
  });

  it('refuses inputs that do not fit, naming what is wrong', () => {
    expect(() => siteScoreCorrection({ pooled: [0.1, 0.2], site: [0.1], siteRecords: 10 })).toThrow('2 pooled prevalences but 1 of the site');
    expect(() => siteScoreCorrection({ pooled: [0.1], site: [0.1], siteRecords: 0 })).toThrow('siteRecords must be a whole number ≥ 1, got 0');
    expect(() => siteScoreCorrection({ pooled: [1.5], site: [0.1], siteRecords: 10 })).toThrow('prevalences of code 0 must be in [0, 1], got pooled 1.5, site 0.1');
    expect(() => siteScoreCorrection({ pooled: [NaN], site: [0.1], siteRecords: 10 })).toThrow('got pooled NaN');
  });

  it('adds x·perCode + offset to each fake record\'s score', () => {
    const correction = siteScoreCorrectionTensors({ perCode: Float32Array.from([2, -1]), offset: 0.25, codes: 2 });
    const corrected = tf.tidy(() => correctScores(tf.tensor2d([[0.5], [-1]]), tf.tensor2d([[1, 0], [0.5, 0.5]]), correction).arraySync());
    correction.perCode!.dispose();
    expect(corrected[0]![0]).toBeCloseTo(0.5 + 2 + 0.25, 6);
    expect(corrected[1]![0]).toBeCloseTo(-1 + 1 - 0.5 + 0.25, 6);
  });
});

describe('training with a site score correction', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  /** Mean generated probability of codes 0 and 1 (batch statistics, as in marginal-matching.spec). */
  function firstPairPrevalence(model: GanModel): number {
    const mean = tf.tidy(() => tf.mean(model.networks.generate(noise(model, 2000, 7), { training: true }), 0).dataSync() as Float32Array);
    return (mean[0]! + mean[1]!) / 2;
  }

  it('raises codes the pool holds more often than the site, leaving no tensors behind', async () => {
    const matrix = pairedCodesMatrix(200, 10);
    const site = prevalence(matrix);
    // The pool holds the first pair far more often than this site (0.6 → 0.95).
    const pooled = Float64Array.from(site, (p, j) => (j < 2 ? 0.95 : p));
    const run = async (corrected: boolean) => {
      const training = train('medgan', matrix, {
        epochs: 8,
        pretrainEpochs: 1,
        batchSize: 20,
        autoencoderBatchSize: 20,
        model: TINY_MODEL,
        seed: 3,
        ...(corrected ? { siteCorrection: { pooled, site, siteRecords: matrix.rows } } : {}),
      });
      for await (const log of training) void log;
      const generated = firstPairPrevalence(training.model);
      training.model.dispose();
      return generated;
    };
    const before = tf.memory().numTensors;
    const plain = await run(false);
    const corrected = await run(true);
    expect(corrected).toBeGreaterThan(plain + 0.05);
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);

  it("shifts only the real batch's mean on the discriminator's minibatch-averaging path", () => {
    const model = createModel('medgan', { ...TINY_MODEL, vocabularySize: 6, initSeed: 2 });
    const pair = model.networks.discriminatePair!;
    const [real, fake] = [tf.randomUniform([5, 6], 0, 1, 'float32', 1) as tf.Tensor2D, tf.randomUniform([5, 6], 0, 1, 'float32', 2) as tf.Tensor2D];
    const shift = tf.tensor1d([0.3, 0, 0, -0.2, 0, 0.1]);
    const [r0, f0] = pair(real, fake).map((t) => Array.from(t.dataSync()));
    const [rz, fz] = pair(real, fake, tf.zeros([6]) as tf.Tensor1D).map((t) => Array.from(t.dataSync()));
    const [rs, fs] = pair(real, fake, shift).map((t) => Array.from(t.dataSync()));
    expect([rz, fz]).toEqual([r0, f0]);
    expect(fs).toEqual(f0);
    expect(rs).not.toEqual(r0);
    tf.dispose([real, fake, shift]);
    model.dispose();
  });

  it('is refused with DP, with a critic, or for another vocabulary; batch means without minibatch averaging', () => {
    const matrix = pairedCodesMatrix(40, 10);
    const site = prevalence(matrix);
    const siteCorrection = { pooled: site, site, siteRecords: matrix.rows };
    expect(() => train('medgan', matrix, { epochs: 1, model: TINY_MODEL, siteCorrection, dp: { clipNorm: 1, noiseMultiplier: 1, sampleRate: 0.25 } })).toThrow(
      'siteCorrection cannot be combined with dp',
    );
    const before = tf.memory().numTensors;
    expect(() => train('wgan-gp', matrix, { epochs: 1, model: TINY_MODEL, siteCorrection })).toThrow("needs medGAN's logistic discriminator; the wgan-gp family's objective is wasserstein-gp");
    expect(tf.memory().numTensors).toBe(before);
    const short = { pooled: site.slice(1), site: site.slice(1), siteRecords: matrix.rows };
    expect(() => train('medgan', matrix, { epochs: 1, model: TINY_MODEL, siteCorrection: short })).toThrow('siteCorrection: 9 prevalences but the matrix has 10 columns');
    expect(() => train('medgan', matrix, { epochs: 1, model: { ...TINY_MODEL, minibatchAveraging: false }, siteCorrection })).toThrow(
      'correcting the batch means needs minibatch averaging, which this model has off',
    );
    const scoresOnly = { ...siteCorrection, parts: { scores: true, batchMeans: false } };
    const run = train('medgan', matrix, { epochs: 1, model: { ...TINY_MODEL, minibatchAveraging: false }, siteCorrection: scoresOnly });
    run.model.dispose();
  });
});
