import { medganLikeWeights } from '../testing/realistic-weights';
import { measureFloat16Error } from './float16-error';

describe('measureFloat16Error', () => {
  it('is zero for values that are exact halves', () => {
    const report = measureFloat16Error(new Float32Array([0, 1, -0.5, 1024, 2 ** -24]));
    expect(report).toMatchObject({ count: 5, maxAbsError: 0, meanAbsError: 0, maxRelError: 0, overflowCount: 0 });
  });

  it('counts values float16 cannot hold instead of averaging infinities', () => {
    const report = measureFloat16Error(new Float32Array([1, 1e6, -7e4]));
    expect(report.overflowCount).toBe(2);
    expect(report.maxAbsError).toBe(0);
  });

  it('stays within half an ulp on medGAN-like weights (measured, seed 7)', () => {
    const weights = medganLikeWeights(1071, 7);
    const all = new Float32Array(weights.reduce((n, t) => n + t.data.length, 0));
    let at = 0;
    for (const t of weights) {
      all.set(t.data, at);
      at += t.data.length;
    }
    const report = measureFloat16Error(all);
    // Round-to-nearest bounds the relative error of a normal half by 2^-11 ≈ 4.9e-4.
    expect(report.maxRelError).toBeLessThanOrEqual(2 ** -11);
    expect(report.meanRelError).toBeLessThan(2 ** -12);
    // The absolute error is bounded by half an ulp of the largest value (batch-norm ~1).
    const largest = all.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
    expect(report.maxAbsError).toBeLessThanOrEqual(2 ** -11 * largest);
    expect(report.meanAbsError).toBeLessThan(1e-5);
    expect(report.overflowCount).toBe(0);
  });
});
