import { f1AtThreshold, f1Score, rocAuc } from './classification-scores';

describe('classification scores', () => {
  it('computes F1 from counts', () => {
    expect(f1Score(2, 1, 1)).toBeCloseTo(4 / 6, 12);
    expect(f1Score(0, 0, 0)).toBeNaN();
    expect(f1AtThreshold([0.9, 0.2, 0.6], [1, 1, 0], 0.5)).toBeCloseTo(2 / 4, 12);
  });

  it('computes AUC by ranking, ties counting half', () => {
    // Positives 0.35, 0.8 vs negatives 0.1, 0.4: 3 of 4 pairs ordered → 0.75.
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.75, 12);
    // Positives 0.5, 0.9 vs negatives 0.5, 0.2: one tied pair → (3 + ½) / 4.
    expect(rocAuc([0.5, 0.5, 0.2, 0.9], [1, 0, 0, 1])).toBeCloseTo(0.875, 12);
    expect(rocAuc([0.3, 0.4], [1, 1])).toBeNaN();
  });
});
