/**
 * Model weights as the protocol sees them: plain named float32 arrays, row-major.
 * libs/gan converts to and from TensorFlow.js; this library never depends on it.
 */
export interface NamedTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

export type WeightSet = NamedTensor[];

/** Element count of a shape (1 for a scalar's empty shape). */
export function shapeSize(shape: readonly number[]): number {
  let size = 1;
  for (const dim of shape) size *= dim;
  return size;
}

/** Total float32 bytes of a weight set (what it occupies in memory once decoded). */
export function weightSetBytes(weights: readonly NamedTensor[]): number {
  let bytes = 0;
  for (const tensor of weights) bytes += tensor.data.byteLength;
  return bytes;
}
