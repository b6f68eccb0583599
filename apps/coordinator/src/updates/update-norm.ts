import type { NamedTensor } from '@fedsynth/protocol';

/** ‖x‖₂ over every value of a weight set, summed in float64. */
export function l2Norm(weights: readonly NamedTensor[]): number {
  let sum = 0;
  for (const t of weights) {
    const d = t.data;
    for (let i = 0; i < d.length; i++) sum += d[i]! * d[i]!;
  }
  return Math.sqrt(sum);
}

/**
 * ‖a − b‖₂ over tensors already aligned by position (same lengths), in float64.
 * Callers align by name first (see weights/weight-layout.ts).
 */
export function l2DistanceAligned(a: readonly Float32Array[], b: readonly Float32Array[]): number {
  let sum = 0;
  for (let t = 0; t < a.length; t++) {
    const x = a[t]!;
    const y = b[t]!;
    for (let i = 0; i < x.length; i++) {
      const d = x[i]! - y[i]!;
      sum += d * d;
    }
  }
  return Math.sqrt(sum);
}
