import { toyCohort } from './bench/toy-cohort';
import { independentMarginalsBaseline } from './baselines/independent-marginals';
import { m } from './__fixtures__/matrices';
import { detectionAuc, detectionFeatures } from './detection';

const QUICK = { folds: 3, logistic: { steps: 150 } };

describe('detection', () => {
  it('lays out codes, a size bucket and pair indicators', () => {
    // Prepare: 4 codes; pairs among codes [1, 0] (positions 0 and 1).
    const x = m([[0, 1, 3], []], 4);
    // Execute
    const f = detectionFeatures(x, [1, 0]);
    // Assert: size 3 → bucket 3 at column 4 + 3; the one pair at column 4 + 20 buckets.
    expect(f.cols).toBe(25);
    expect(Array.from(f.indices.subarray(f.offsets[0], f.offsets[1]))).toEqual([0, 1, 3, 7, 24]);
    expect(Array.from(f.indices.subarray(f.offsets[1], f.offsets[2]))).toEqual([4]);
  });

  it('cannot tell two samples of one population apart', () => {
    const real = toyCohort({ records: 600, codes: 100, seed: 1 });
    const other = toyCohort({ records: 600, codes: 100, seed: 2 });
    expect(Math.abs(detectionAuc(real, other, QUICK) - 0.5)).toBeLessThan(0.08);
  });

  it('spots records without the real correlations, and obvious fakes', () => {
    // Prepare
    const real = toyCohort({ records: 600, codes: 100, seed: 1 });
    const independent = independentMarginalsBaseline(toyCohort({ records: 600, codes: 100, seed: 3 }), 600, 4);
    const fake = m(Array.from({ length: 100 }, (_, i) => [0, (i % 50) + 1]), 100);
    // Execute / Assert
    expect(detectionAuc(real, independent, QUICK)).toBeGreaterThan(0.6);
    expect(detectionAuc(real, fake, QUICK)).toBeGreaterThan(0.95);
    expect(detectionAuc(m([[0]], 3), m([[1]], 3))).toBeNaN();
  });
});
