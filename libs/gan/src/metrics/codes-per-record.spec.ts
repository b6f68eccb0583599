import { m } from './__fixtures__/matrices';
import { codesPerRecordHistogram, totalVariationDistance, wassersteinDistance } from './codes-per-record';

describe('codes per record', () => {
  it('counts records by number of codes', () => {
    // Prepare: sizes 2, 1, 2, 0.
    const x = m([[0, 1], [1], [1, 2], []], 3);
    // Execute / Assert
    expect(codesPerRecordHistogram(x)).toEqual([1, 1, 2]);
  });

  it('computes total variation and earth mover’s distance by hand', () => {
    // Prepare: p = [.25, .25, .5], q = [0, .5, .5].
    const a = [1, 1, 2];
    const b = [0, 2, 2];
    // Execute
    const tv = totalVariationDistance(a, b);
    const w = wassersteinDistance(a, b);
    // Assert: TV = ½(.25 + .25 + 0); CDF gaps .25, 0, 0 → W1 = .25.
    expect(tv).toBeCloseTo(0.25, 12);
    expect(w).toBeCloseTo(0.25, 12);
  });

  it('measures a shift in codes, not just in bins', () => {
    // Everyone has 1 code vs everyone has 3: disjoint bins (TV = 1), two codes apart (W1 = 2).
    expect(totalVariationDistance([0, 5], [0, 0, 0, 7])).toBe(1);
    expect(wassersteinDistance([0, 5], [0, 0, 0, 7])).toBeCloseTo(2, 12);
    expect(wassersteinDistance([3, 4], [6, 8])).toBe(0);
  });
});
