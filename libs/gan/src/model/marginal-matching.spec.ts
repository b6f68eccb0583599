import * as tf from '@tensorflow/tfjs';
import { noise } from './train-steps';
import { bernoulliKlSum, marginalMatchingLoss, marginalTargetTensor } from './marginal-matching';
import { pairedCodesMatrix, TINY_MODEL } from './test-fixtures';
import { train } from './train';
import type { GanModel } from './gan-model';

/** Mean generated prevalence per code over 2,000 fakes (batch statistics: few steps leave the moving averages behind). */
function generatedPrevalence(model: GanModel): Float32Array {
  return tf.tidy(() => tf.mean(model.networks.generate(noise(model, 2000, 7), { training: true }), 0).dataSync() as Float32Array);
}

function meanAbsoluteGap(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < a.length; i++) total += Math.abs(a[i]! - b[i]!);
  return total / a.length;
}

describe('marginal matching', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('is Σ over codes of KL(target ‖ batch mean), as the plain-number reference computes it', () => {
    const fakeRows = [
      [0.9, 0.1, 0.5],
      [0.7, 0.3, 0.5],
    ];
    const target = [0.5, 0.2, 1e-9];
    const loss = tf.tidy(() => marginalMatchingLoss(tf.tensor2d(fakeRows), marginalTargetTensor({ prevalence: target, weight: 1 })).dataSync()[0]!);
    const reference = bernoulliKlSum(target, [0.8, 0.2, 0.5]);
    expect(loss).toBeCloseTo(reference, 4);
    // By hand for code 0: 0.5·ln(0.5/0.8) + 0.5·ln(0.5/0.2).
    expect(bernoulliKlSum([0.5], [0.8])).toBeCloseTo(0.5 * Math.log(0.5 / 0.8) + 0.5 * Math.log(0.5 / 0.2), 12);
    // Zero when the batch matches the target (the middle code alone).
    expect(bernoulliKlSum([0.2], [0.2])).toBe(0);
  });

  it('pulls the generated prevalences towards the target during GAN training', async () => {
    const matrix = pairedCodesMatrix(200, 10);
    // A target far from the data: every code in half of the records.
    const target = new Float64Array(10).fill(0.5);
    const run = async (marginals?: { prevalence: Float64Array; weight: number }) => {
      const training = train('medgan', matrix, { epochs: 8, pretrainEpochs: 1, batchSize: 20, autoencoderBatchSize: 20, model: TINY_MODEL, seed: 3, ...(marginals ? { marginals } : {}) });
      for await (const log of training) void log;
      const prevalence = generatedPrevalence(training.model);
      training.model.dispose();
      return meanAbsoluteGap(prevalence, target);
    };
    const without = await run();
    const withMatching = await run({ prevalence: target, weight: 10 });
    expect(withMatching).toBeLessThan(without * 0.6);
    expect(tf.memory().numTensors).toBe(0);
  }, 120_000);

  it('refuses a target that does not fit the model, naming what is wrong', () => {
    const matrix = pairedCodesMatrix(40, 10);
    const attempt = (marginals: { prevalence: ArrayLike<number>; weight: number }) => () => train('medgan', matrix, { epochs: 1, model: TINY_MODEL, marginals });
    expect(attempt({ prevalence: new Float64Array(9), weight: 1 })).toThrow('prevalence has 9 entries but the model has 10 codes');
    expect(attempt({ prevalence: [...new Array(9).fill(0.1), 1.5], weight: 1 })).toThrow('prevalence[9] must be in [0, 1], got 1.5');
    expect(attempt({ prevalence: [...new Array(9).fill(0.1), NaN], weight: 1 })).toThrow('prevalence[9] must be in [0, 1], got NaN');
    expect(attempt({ prevalence: new Float64Array(10), weight: -1 })).toThrow('weight must be a finite number ≥ 0, got -1');
    expect(tf.memory().numTensors).toBe(0);
  });
});
