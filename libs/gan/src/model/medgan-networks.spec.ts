import * as tf from '@tensorflow/tfjs';
import { denseRows } from '../data/binary-matrix';
import { createModel } from './create-model';
import { pairedCodesMatrix, TINY_MODEL } from './test-fixtures';

describe('medGAN discriminator: scoring a real and a fake batch in one pass', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  // medgan averages minibatches (each batch must see only its own mean); wgan-gp does not.
  it.each(['medgan', 'wgan-gp'] as const)('%s: discriminatePair equals two discriminate calls', (family) => {
    const model = createModel(family, { vocabularySize: 10, ...TINY_MODEL, initSeed: 5 });
    const { discriminate, discriminatePair } = model.networks;
    expect(discriminatePair).toBeDefined();
    const matrix = pairedCodesMatrix(24, 10, 7);
    tf.tidy(() => {
      const rows = tf.tensor2d(denseRows(matrix), [24, 10]);
      const real = tf.slice(rows, [0, 0], [12, -1]) as tf.Tensor2D;
      // Fakes with a very different mean, so mixing the two batches' means would show.
      const fake = tf.mul(tf.randomUniform([12, 10], 0, 1, 'float32', 3), 0.2) as tf.Tensor2D;
      const [pairReal, pairFake] = discriminatePair!(real, fake);
      expect(pairReal.shape).toEqual([12, 1]);
      expect(pairFake.shape).toEqual([12, 1]);
      const separateReal = discriminate(real).dataSync();
      const separateFake = discriminate(fake).dataSync();
      pairReal.dataSync().forEach((v, i) => expect(v).toBeCloseTo(separateReal[i], 5));
      pairFake.dataSync().forEach((v, i) => expect(v).toBeCloseTo(separateFake[i], 5));
    });
    model.dispose();
  });

  it('the paired pass gives the discriminator the same gradients as two passes', () => {
    const model = createModel('medgan', { vocabularySize: 10, ...TINY_MODEL, initSeed: 6 });
    const { discriminate, discriminatePair } = model.networks;
    const variables = model.stepParameters.discriminator.map((p) => p.variable);
    const matrix = pairedCodesMatrix(16, 10, 8);
    tf.tidy(() => {
      const rows = tf.tensor2d(denseRows(matrix), [16, 10]);
      const real = tf.slice(rows, [0, 0], [8, -1]) as tf.Tensor2D;
      const fake = tf.randomUniform([8, 10], 0, 1, 'float32', 4) as tf.Tensor2D;
      const loss = (r: tf.Tensor2D, f: tf.Tensor2D) => tf.sub(tf.mean(tf.softplus(tf.neg(r))), tf.mean(tf.mul(f, 3))) as tf.Scalar;
      const paired = tf.variableGrads(() => loss(...discriminatePair!(real, fake)), variables).grads;
      const separate = tf.variableGrads(() => loss(discriminate(real), discriminate(fake)), variables).grads;
      for (const v of variables) {
        const a = paired[v.name].dataSync();
        const b = separate[v.name].dataSync();
        a.forEach((x, i) => expect(x).toBeCloseTo(b[i], 5));
      }
    });
    model.dispose();
  });
});
