import * as tf from '@tensorflow/tfjs';

export interface DiscriminatorLossInput {
  readonly real: tf.Tensor2D;
  readonly fake: tf.Tensor2D;
  readonly discriminate: (records: tf.Tensor2D) => tf.Tensor2D;
  /** Both batches in one pass, when the networks offer it (same scores as two discriminate calls). */
  readonly discriminatePair?: (real: tf.Tensor2D, fake: tf.Tensor2D) => [tf.Tensor2D, tf.Tensor2D];
  /** Seeds any randomness inside the loss (the gradient penalty's interpolation). */
  readonly seed: number;
}

/** What the discriminator and the generator minimise, given the discriminator's scores. */
export interface AdversarialObjective {
  readonly name: 'non-saturating' | 'clipped-probability' | 'wasserstein-gp';
  discriminatorLoss(input: DiscriminatorLossInput): tf.Scalar;
  generatorLoss(fakeScores: tf.Tensor2D): tf.Scalar;
}

/** [D(real), D(fake)], in one pass when the networks can. */
function scoreBoth({ real, fake, discriminate, discriminatePair }: DiscriminatorLossInput): [tf.Tensor2D, tf.Tensor2D] {
  return discriminatePair && real.shape[0] === fake.shape[0] ? discriminatePair(real, fake) : [discriminate(real), discriminate(fake)];
}

/**
 * medGAN's losses, −log D(real) − log(1 − D(fake)) and −log D(fake), written on logits:
 * −log σ(s) = softplus(−s) and −log(1 − σ(s)) = softplus(s) never take the log of 0, where
 * the paper's form needs a 1e-12 guard.
 */
export const nonSaturatingObjective: AdversarialObjective = {
  name: 'non-saturating',
  discriminatorLoss: (input) => {
    const [realScores, fakeScores] = scoreBoth(input);
    return tf.add(tf.mean(tf.softplus(tf.neg(realScores))), tf.mean(tf.softplus(fakeScores))) as tf.Scalar;
  },
  generatorLoss: (fakeScores) => tf.mean(tf.softplus(tf.neg(fakeScores))) as tf.Scalar,
};

/** Keras' binary cross-entropy on a probability output, which clips it into [1e-7, 1 − 1e-7]. */
const KERAS_EPSILON = 1e-7;

function clippedLog(p: tf.Tensor): tf.Tensor {
  return tf.log(tf.clipByValue(p, KERAS_EPSILON, 1 - KERAS_EPSILON));
}

/**
 * The seed notebook's losses: its discriminator ends in Dense(1, relu) and Keras read that
 * as a probability, clipping it. Outside (0, 1) the clip has no gradient, one of the reasons
 * the baseline trains poorly; it is kept so the comparison is with what the notebook did.
 */
export const clippedProbabilityObjective: AdversarialObjective = {
  name: 'clipped-probability',
  discriminatorLoss: (input) => {
    const [realScores, fakeScores] = scoreBoth(input);
    return tf.neg(tf.add(tf.mean(clippedLog(realScores)), tf.mean(clippedLog(tf.sub(1, fakeScores))))) as tf.Scalar;
  },
  generatorLoss: (fakeScores) => tf.neg(tf.mean(clippedLog(fakeScores))) as tf.Scalar,
};

/**
 * WGAN-GP (Gulrajani et al. 2017), as medWGAN uses it: the critic minimises
 * E[D(fake)] − E[D(real)] + λ·E[(‖∇D(x̂)‖₂ − 1)²] at random points x̂ between paired real and
 * fake records; the generator minimises −E[D(fake)]. The penalty differentiates a gradient,
 * so this loss is recorded on the tape twice over (TensorFlow.js supports nested gradients).
 */
export function wassersteinGpObjective(lambda: number): AdversarialObjective {
  return {
    name: 'wasserstein-gp',
    discriminatorLoss(input) {
      const { real, fake, discriminate, seed } = input;
      const [realScores, fakeScores] = scoreBoth(input);
      const distance = tf.sub(tf.mean(fakeScores), tf.mean(realScores));
      if (lambda === 0) return distance as tf.Scalar;
      const n = Math.min(real.shape[0], fake.shape[0]);
      const r = n === real.shape[0] ? real : tf.slice(real, [0, 0], [n, -1]);
      const f = n === fake.shape[0] ? fake : tf.slice(fake, [0, 0], [n, -1]);
      const epsilon = tf.randomUniform([n, 1], 0, 1, 'float32', seed);
      const between = tf.add(tf.mul(epsilon, r), tf.mul(tf.sub(1, epsilon), f)) as tf.Tensor2D;
      // Summing the scores gives each record's own gradient: records do not see each other
      // unless minibatch averaging is on, in which case the penalty includes the mean's share.
      const gradient = tf.grad((x: tf.Tensor) => tf.sum(discriminate(x as tf.Tensor2D)))(between);
      // The tiny constant keeps the norm differentiable where a gradient is exactly zero.
      const norm = tf.sqrt(tf.add(tf.sum(tf.square(gradient), 1), 1e-12));
      const penalty = tf.mean(tf.square(tf.sub(norm, 1)));
      return tf.add(distance, tf.mul(penalty, lambda)) as tf.Scalar;
    },
    generatorLoss: (fakeScores) => tf.neg(tf.mean(fakeScores)) as tf.Scalar,
  };
}
