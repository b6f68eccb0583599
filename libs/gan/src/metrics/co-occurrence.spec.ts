import { m, shuffledRows } from './__fixtures__/matrices';
import { codeCorrelations, coOccurrenceDistance } from './co-occurrence';

// X: codes 0 and 1 always together (r = 1), code 2 alone: r(0,2) = r(1,2) = (0 − 2·1)/√(2·2·1·3) = −1/√3.
const X = m([[0, 1], [0, 1], [2], []], 3);
// S: each code alone once: r = (0 − 1)/√(1·3·1·3) = −1/3 for every pair.
const S = m([[0], [1], [2], []], 3);

describe('co-occurrence', () => {
  it('computes phi correlations from co-counts by hand', () => {
    // Execute
    const r = Array.from(codeCorrelations(X, [0, 1, 2]));
    // Assert
    const c = -1 / Math.sqrt(3);
    const expected = [1, 1, c, 1, 1, c, c, c, 1];
    r.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 12));
  });

  it('follows the order of the codes asked for', () => {
    const r = codeCorrelations(X, [2, 0]);
    expect(r[1]).toBeCloseTo(-1 / Math.sqrt(3), 12);
    expect(r[2]).toBeCloseTo(-1 / Math.sqrt(3), 12);
  });

  it('gives a constant code zero correlation', () => {
    const r = codeCorrelations(m([[0], [0, 1], []], 3), [0, 2]);
    expect(Array.from(r)).toEqual([1, 0, 0, 1]);
  });

  it('computes ‖corr(X) − corr(S)‖_F / d² · 10⁶ by hand', () => {
    // Differences: (0,1) twice: 1 − (−1/3) = 4/3; (0,2), (1,2) four times: −1/√3 + 1/3. d = 3.
    const expected = (Math.sqrt(2 * (4 / 3) ** 2 + 4 * (1 / 3 - 1 / Math.sqrt(3)) ** 2) / 9) * 1e6;
    // Execute
    const result = coOccurrenceDistance(X, S);
    // Assert
    expect(result.codes).toBe(3);
    expect(result.distance).toBeCloseTo(expected, 6);
  });

  it('keeps only codes at or above the prevalence threshold in X', () => {
    // Code 2 (prevalence 0.25) drops out at 0.3: only the (0,1) pair remains, d = 2.
    const result = coOccurrenceDistance(X, S, 0.3);
    expect(result.codes).toBe(2);
    expect(result.distance).toBeCloseTo((Math.sqrt(2 * (4 / 3) ** 2) / 4) * 1e6, 6);
  });

  it('is zero for identical data and ignores row order', () => {
    expect(coOccurrenceDistance(X, shuffledRows(X, 3)).distance).toBe(0);
  });
});
