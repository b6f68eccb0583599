import * as tf from '@tensorflow/tfjs';
import { denseRows } from '../data/binary-matrix';
import { createModel } from './create-model';
import { flushTinyValues } from './flush-tiny-values';
import { pairedCodesMatrix, TINY_MODEL } from './test-fixtures';
import { discriminatorStep } from './train-steps';

describe('flushTinyValues', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('zeroes subnormal-bound weights and Adam moments, and leaves everything else alone', async () => {
    const model = createModel('medgan', { vocabularySize: 10, ...TINY_MODEL });
    const matrix = pairedCodesMatrix(16, 10);
    const real = tf.tensor2d(denseRows(matrix), [16, 10]);
    discriminatorStep(model, real, { noiseSeed: 1, lossSeed: 1 });
    const kernel = model.params.get('discriminator/output/kernel');
    tf.tidy(() => kernel.assign(tf.tensor2d([[1e-35], [-2e-31], [0.5], [1e-29], [0], [-3], [1e-40], [2]])));
    const [iterations, firstMoment] = await model.optimizers().discriminator.getWeights();
    iterations.tensor.dispose();
    const moment = firstMoment.tensor as tf.Variable;
    tf.tidy(() => moment.assign(tf.fill(moment.shape, 1e-33)));
    const before = tf.memory().numTensors;
    await flushTinyValues(model);
    expect(Array.from(kernel.dataSync())).toEqual([0, 0, 0.5, Math.fround(1e-29), 0, -3, 0, 2]);
    expect(Array.from(moment.dataSync()).every((v) => v === 0)).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    real.dispose();
    model.dispose();
  });
});
