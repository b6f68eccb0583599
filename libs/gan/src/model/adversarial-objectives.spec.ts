import * as tf from '@tensorflow/tfjs';
import { clippedProbabilityObjective, nonSaturatingObjective, wassersteinGpObjective } from './adversarial-objectives';

describe('adversarial objectives', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  const real = tf.tensor2d([[1, 0], [0, 1]]);
  const fake = tf.tensor2d([[0.5, 0.5], [0.2, 0.1]]);

  it('medGAN: −log σ(real) − log(1 − σ(fake)) and −log σ(fake), stable on logits', () => {
    const discriminate = (x: tf.Tensor2D) => tf.sum(x, 1, true).mul(100) as tf.Tensor2D; // huge logits
    const d = tf.tidy(() => nonSaturatingObjective.discriminatorLoss({ real, fake, discriminate, seed: 1 }).dataSync()[0]);
    const g = tf.tidy(() => nonSaturatingObjective.generatorLoss(discriminate(fake)).dataSync()[0]);
    // softplus(−100) ≈ 0 for real; fakes have logits 100 and 30: softplus ≈ the logit.
    expect(d).toBeCloseTo((100 + 30) / 2, 3);
    expect(g).toBeCloseTo(0, 5);
  });

  it('seed: clips relu outputs into (0, 1) like Keras, so the loss stays finite', () => {
    const discriminate = (x: tf.Tensor2D) => tf.relu(tf.sum(x, 1, true).mul(5)) as tf.Tensor2D; // outputs ≥ 1
    const d = tf.tidy(() => clippedProbabilityObjective.discriminatorLoss({ real, fake, discriminate, seed: 1 }).dataSync()[0]);
    expect(d).toBeCloseTo(-Math.log(1e-7), 1);
  });

  it('WGAN-GP: adds λ·(‖∇D‖ − 1)² — for a linear critic with ‖w‖ = 2 the penalty is λ', () => {
    const w = tf.tensor2d([[2], [0]]);
    const discriminate = (x: tf.Tensor2D) => tf.matMul(x, w) as tf.Tensor2D;
    const distance = (0.5 * 2 + 0.2 * 2) / 2 - (2 + 0) / 2;
    const loss = (lambda: number) => tf.tidy(() => wassersteinGpObjective(lambda).discriminatorLoss({ real, fake, discriminate, seed: 1 }).dataSync()[0]);
    expect(loss(0)).toBeCloseTo(distance, 5);
    expect(loss(10)).toBeCloseTo(distance + 10, 4);
    expect(tf.tidy(() => wassersteinGpObjective(10).generatorLoss(discriminate(fake)).dataSync()[0])).toBeCloseTo(-0.7, 5);
    w.dispose();
  });
});
