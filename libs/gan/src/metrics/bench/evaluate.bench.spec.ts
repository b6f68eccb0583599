import { runEvaluateBench } from './evaluate.bench';

describe('evaluate bench', () => {
  it('times every metric group of a full report', () => {
    // Execute: a tiny run, the full-size one is `npm run bench:evaluate`.
    const result = runEvaluateBench({ records: 150, codes: 60, seed: 1, quality: { predictionCodes: 2, logistic: { steps: 50 } } });
    // Assert
    expect(Object.keys(result.groups)).toEqual(['generate inputs (not counted)', 'prepare', 'baseline', 'fidelity', 'utility', 'privacy', 'render']);
    expect(result.totalSeconds).toBeGreaterThan(0);
    expect(result.peakRssMiB).toBeGreaterThan(0);
  });
});
