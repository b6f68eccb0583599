import { FLOAT16_MAX, FLOAT16_MIN_NORMAL, float16ToFloat32, float32ToFloat16 } from './float16';

/** What float16 compression does to a set of values. */
export interface Float16ErrorReport {
  readonly count: number;
  readonly maxAbsError: number;
  readonly meanAbsError: number;
  /** Over values with |x| ≥ 2^-14 (normal halves); relative error is meaningless near 0. */
  readonly maxRelError: number;
  readonly meanRelError: number;
  /** Values beyond ±65504, which float16 cannot hold (the encoder keeps such tensors float32). */
  readonly overflowCount: number;
}

/** Measures the round-trip error of float32 → float16 → float32 on `values`. */
export function measureFloat16Error(values: Float32Array): Float16ErrorReport {
  const back = float16ToFloat32(float32ToFloat16(values));
  let maxAbs = 0;
  let sumAbs = 0;
  let maxRel = 0;
  let sumRel = 0;
  let relCount = 0;
  let overflow = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i]!;
    if (Math.abs(x) > FLOAT16_MAX) {
      overflow++;
      continue;
    }
    const abs = Math.abs(back[i]! - x);
    if (abs > maxAbs) maxAbs = abs;
    sumAbs += abs;
    if (Math.abs(x) >= FLOAT16_MIN_NORMAL) {
      const rel = abs / Math.abs(x);
      if (rel > maxRel) maxRel = rel;
      sumRel += rel;
      relCount++;
    }
  }
  const measured = values.length - overflow;
  return {
    count: values.length,
    maxAbsError: maxAbs,
    meanAbsError: measured > 0 ? sumAbs / measured : 0,
    maxRelError: maxRel,
    meanRelError: relCount > 0 ? sumRel / relCount : 0,
    overflowCount: overflow,
  };
}
