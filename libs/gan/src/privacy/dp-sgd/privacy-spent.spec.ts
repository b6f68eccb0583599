import { dpSampleRate, dpStepsPerEpoch, expectedBatchSize } from './privacy-spent';

describe('DP-SGD batch arithmetic', () => {
  it('q is the expected batch over the records, capped at 1', () => {
    expect(dpSampleRate(50, 5133)).toBeCloseTo(50 / 5133, 15);
    expect(dpSampleRate(50, 50)).toBe(1);
    expect(dpSampleRate(100, 40)).toBe(1);
  });

  it('an epoch is ⌈1/q⌉ Poisson batches, at least one, with no step lost to rounding', () => {
    expect(dpStepsPerEpoch(dpSampleRate(50, 5133))).toBe(103);
    expect(dpStepsPerEpoch(dpSampleRate(50, 2450))).toBe(49); // 1/q is 49.00000000000001 in floating point
    expect(dpStepsPerEpoch(1)).toBe(1);
    expect(expectedBatchSize(dpSampleRate(50, 5133), 5133)).toBeCloseTo(50, 10);
  });
});
