import { finiteOrNull, mean, meanOfPresent, pearson, rootMeanSquaredError } from './summary-stats';

describe('summary statistics', () => {
  it('computes Pearson r by hand', () => {
    // Prepare: a = [1,2,3] (mean 2), b = [2,4,7] (mean 13/3).
    // Σ da·db = 5, Σ da² = 2, Σ db² = 38/3 → r = 5 / √(76/3).
    const a = [1, 2, 3];
    const b = [2, 4, 7];
    // Execute
    const r = pearson(a, b);
    // Assert
    expect(r).toBeCloseTo(5 / Math.sqrt(76 / 3), 12);
  });

  it('gives r = 1 for identical vectors, even constant ones, and 0 against a different constant', () => {
    expect(pearson([0.1, 0.4, 0.2], [0.1, 0.4, 0.2])).toBe(1);
    expect(pearson([0, 0, 0], [0, 0, 0])).toBe(1);
    expect(pearson([0.1, 0.4, 0.2], [0, 0, 0])).toBe(0);
  });

  it('computes RMSE and means', () => {
    // √((0.5² + 0²) / 2) = √0.125
    expect(rootMeanSquaredError([0, 0.5], [0.5, 0.5])).toBeCloseTo(Math.sqrt(0.125), 12);
    expect(mean([1, 2, 6])).toBe(3);
    expect(meanOfPresent([1, null, 3])).toBe(2);
    expect(meanOfPresent([null])).toBeNull();
    expect(finiteOrNull(NaN)).toBeNull();
  });
});
