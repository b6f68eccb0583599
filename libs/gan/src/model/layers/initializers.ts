import * as tf from '@tensorflow/tfjs';

/**
 * Glorot (Xavier) uniform, the default of Keras Dense layers and the initialiser medGAN
 * uses; the seed makes a model's starting point reproducible. `fanIn` may exceed the rows
 * when the matrix is one block of a wider layer's kernel.
 */
export function glorotUniform(shape: [number, number], seed: number, fanIn = shape[0]): tf.Tensor2D {
  const limit = Math.sqrt(6 / (fanIn + shape[1]));
  return tf.randomUniform(shape, -limit, limit, 'float32', seed);
}

/** Integer seeds for a model's initialisers, drawn in a fixed order from its init seed. */
export interface SeedSource {
  next(): number;
}
