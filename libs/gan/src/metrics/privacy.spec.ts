import { toyCohort } from './bench/toy-cohort';
import { rowRange, shuffledRows } from './__fixtures__/matrices';
import { privacyMetrics } from './privacy';

describe('privacyMetrics', () => {
  const X = toyCohort({ records: 500, codes: 150, seed: 1 });
  const H = toyCohort({ records: 500, codes: 150, seed: 2 });

  it('flags a copy of the training set', () => {
    // Execute
    const p = privacyMetrics(X, H, shuffledRows(X, 5));
    // Assert
    expect(p.exactCopyRate).toBe(1);
    expect(p.distanceToClosestRecord.shareCloserToTrain).toBeGreaterThan(0.9);
    expect(p.distanceToClosestRecord.meanDistanceToTrain).toBe(0);
    expect(p.membershipInference.recall).toBe(1);
    expect(p.membershipInference.advantage).toBeGreaterThan(0.3);
    expect(p.attributeInference.f1Members!).toBeGreaterThan(p.attributeInference.f1NonMembers! + 0.3);
  });

  it('sees no memorisation in fresh records from the same population', () => {
    // Prepare: S is another sample of the population, not of X.
    const S = toyCohort({ records: 500, codes: 150, seed: 3 });
    // Execute
    const p = privacyMetrics(X, H, S);
    // Assert
    expect(Math.abs(p.distanceToClosestRecord.shareCloserToTrain - 0.5)).toBeLessThan(0.06);
    expect(Math.abs(p.membershipInference.advantage)).toBeLessThan(0.08);
    expect(Math.abs(p.attributeInference.f1Members! - p.attributeInference.f1NonMembers!)).toBeLessThan(0.08);
  });

  it('subsamples training records to the held-out size', () => {
    const p = privacyMetrics(X, rowRange(H, 0, 100), X);
    expect(p.distanceToClosestRecord.referenceSize).toBe(100);
    expect(p.membershipInference.sampleSize).toBe(100);
    // Only a fifth of the copies meet their original in the subsample; the rest are coin flips.
    expect(p.distanceToClosestRecord.shareCloserToTrain).toBeGreaterThan(0.55);
  });

  it('does not depend on row order', () => {
    const S = toyCohort({ records: 300, codes: 150, seed: 4 });
    expect(privacyMetrics(shuffledRows(X, 1), shuffledRows(H, 2), shuffledRows(S, 3))).toEqual(privacyMetrics(X, H, S));
  });
});
