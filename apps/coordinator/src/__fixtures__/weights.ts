import type { NamedTensor, WeightSet } from '@fedsynth/protocol';
import { uniformStream } from '../common/seeded-random';

/** Test helpers for weight sets (excluded from the build with the rest of __fixtures__). */

export function tensor(name: string, shape: number[], values: number[]): NamedTensor {
  return { name, shape, data: Float32Array.from(values) };
}

/** Uniform values in [-scale, scale), seeded, shaped as `layout`. */
export function randomWeights(seed: number, layout: ReadonlyArray<[string, number[]]>, scale = 1): WeightSet {
  const next = uniformStream(seed);
  return layout.map(([name, shape]) => {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = (next() * 2 - 1) * scale;
    return { name, shape: shape.slice(), data };
  });
}

/** A deep copy (fresh Float32Arrays). */
export function cloneWeights(weights: readonly NamedTensor[]): WeightSet {
  return weights.map((t) => ({ name: t.name, shape: t.shape.slice(), data: t.data.slice() }));
}

/** Plain arrays, for toEqual. */
export function plain(weights: readonly NamedTensor[]): Array<[string, number[], number[]]> {
  return weights.map((t) => [t.name, t.shape.slice(), Array.from(t.data)]);
}

export const SMALL_LAYOUT: ReadonlyArray<[string, number[]]> = [
  ['generator/dense/kernel', [6, 4]],
  ['generator/dense/bias', [4]],
  ['discriminator/dense/kernel', [4, 3]],
  ['discriminator/dense/bias', [3]],
];
