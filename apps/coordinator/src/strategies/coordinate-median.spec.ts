import { plain, randomWeights, SMALL_LAYOUT, tensor } from '../__fixtures__/weights';
import { coordinateMedian, sortPrefix } from './coordinate-median';
import { trimmedMean } from './trimmed-mean';

const updates = (...rows: number[][]) => rows.map((values, i) => ({ label: `site "s${i}"'s update`, weights: [tensor('w', [values.length], values)] }));

describe('sortPrefix', () => {
  it('sorts only the first count values, in place', () => {
    const values = Float64Array.from([3, -1, 2, 0, 99]);
    sortPrefix(values, 4);
    expect(Array.from(values)).toEqual([-1, 0, 2, 3, 99]);
  });
});

describe('coordinateMedian', () => {
  it('takes the middle value (odd) or the mean of the two middle values (even)', () => {
    expect(plain(coordinateMedian(updates([1, 10], [3, 20], [2, 1000])))).toEqual([['w', [2], [2, 20]]]);
    expect(plain(coordinateMedian(updates([1, 10], [3, 20], [2, 1000], [4, -5])))).toEqual([['w', [2], [2.5, 15]]]);
  });

  it('ignores a single outlier that would drag a mean', () => {
    const out = coordinateMedian(updates([1], [1.1], [0.9], [1e6]));
    expect(out[0]!.data[0]).toBeCloseTo(1.05, 5);
  });

  it('is exactly order invariant and stays within per-coordinate bounds', () => {
    const sets = [1, 2, 3, 4, 5].map((seed) => ({ label: `s${seed}`, weights: randomWeights(seed, SMALL_LAYOUT) }));
    const out = coordinateMedian(sets);
    expect(plain(coordinateMedian(sets.slice().reverse()))).toEqual(plain(out));
    out.forEach((t, ti) =>
      t.data.forEach((x, j) => {
        const column = sets.map((s) => s.weights[ti]!.data[j]!);
        expect(x).toBeGreaterThanOrEqual(Math.min(...column));
        expect(x).toBeLessThanOrEqual(Math.max(...column));
      }),
    );
  });
});

describe('trimmedMean', () => {
  it('drops ⌊β·K⌋ values at each end before averaging', () => {
    // K = 5, β = 0.2: drop 1 low and 1 high → mean of the middle three.
    expect(plain(trimmedMean(updates([1], [2], [3], [4], [100]), { trimFraction: 0.2 }))).toEqual([['w', [1], [3]]]);
    // β = 0: the plain mean.
    expect(plain(trimmedMean(updates([1], [2], [3], [4], [100]), { trimFraction: 0 }))).toEqual([['w', [1], [22]]]);
    // β = 0.2 with K = 4 drops nothing (⌊0.8⌋ = 0).
    expect(plain(trimmedMean(updates([1], [2], [3], [6]), { trimFraction: 0.2 }))).toEqual([['w', [1], [3]]]);
  });

  it('refuses a trim fraction outside [0, 0.5) and empty input', () => {
    expect(() => trimmedMean(updates([1]), { trimFraction: 0.5 })).toThrow('trimFraction must be in [0, 0.5), got 0.5');
    expect(() => trimmedMean([], { trimFraction: 0.1 })).toThrow('nothing to aggregate');
  });
});
