import type * as tf from '@tensorflow/tfjs';
import type { GanModel } from './gan-model';

/**
 * Anything that turns noise into code probabilities: a model in training, or an exported
 * LayersModel loaded back from disk.
 */
export interface Sampler {
  readonly noiseDim: number;
  readonly vocabularySize: number;
  /** Noise [n, noiseDim] → probabilities [n, V]; the caller disposes the result. */
  probabilities(noise: tf.Tensor2D): tf.Tensor2D;
}

/** Samples a model as it is: batch norm on its moving averages (inference mode), as medGAN does. */
export function modelSampler(model: GanModel): Sampler {
  return {
    noiseDim: model.networks.noiseDim,
    vocabularySize: model.networks.vocabularySize,
    probabilities: (noise) => model.networks.generate(noise, { training: false }),
  };
}

/** A sampler over an exported LayersModel (noise in, code probabilities out). */
export function layersModelSampler(model: tf.LayersModel): Sampler {
  const inputShape = model.inputs[0].shape;
  const outputShape = model.outputs[0].shape;
  const noiseDim = inputShape[inputShape.length - 1];
  const vocabularySize = outputShape[outputShape.length - 1];
  if (typeof noiseDim !== 'number' || typeof vocabularySize !== 'number') {
    throw new Error(`the LayersModel must map [n, noise] to [n, codes]; it has input ${JSON.stringify(inputShape)} and output ${JSON.stringify(outputShape)}`);
  }
  return { noiseDim, vocabularySize, probabilities: (noise) => model.predict(noise) as tf.Tensor2D };
}
