import type { GeneratorScores } from './generator-scores';
import { privacyTable } from './privacy-table';

const scores = (pearson: number): GeneratorScores => ({
  syntheticRecords: 100,
  pearson,
  rmse: 0.01234,
  codesGenerated: 0.9,
  meanCodesPerRecord: 5,
  predictionF1: 0.3,
  predictionGap: 0.05,
  detectionAuc: 0.7,
  membershipAdvantage: 0.0012,
  dcrShare: 0.51,
  exactCopyRate: 0,
});

describe('privacyTable', () => {
  it('prints σ, reported and planned ε, and the scores per arm, with the real records last', () => {
    const table = privacyTable(
      [
        { label: 'ε = 1', targetEpsilon: 1, secureAggregation: false, noiseMultiplier: 2.31, reportedEpsilon: 0.998, plannedEpsilon: 0.9981, wallMs: 90_000, scores: scores(0.8) },
        { label: 'ε = 3, secure aggregation', targetEpsilon: 3, secureAggregation: true, noiseMultiplier: 1.1, reportedEpsilon: null, plannedEpsilon: 2.99, wallMs: 60_000, scores: scores(0.9) },
        { label: 'ε = ∞', targetEpsilon: null, secureAggregation: false, noiseMultiplier: null, reportedEpsilon: null, plannedEpsilon: null, wallMs: 30_000, scores: scores(0.99) },
      ],
      scores(1),
    );
    expect(table.split('\n')).toEqual([
      '| arm | σ | ε reported (planned) | wall time | prevalence r | prevalence RMSE | prediction gap | membership advantage | DCR share |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
      '| ε = 1 | 2.310 | 0.998 (0.998) | 1.5 min | 0.800 | 0.0123 | 0.050 | 0.0012 | 0.510 |',
      '| ε = 3, secure aggregation | 1.100 | – (2.990) | 1.0 min | 0.900 | 0.0123 | 0.050 | 0.0012 | 0.510 |',
      '| ε = ∞ | – | ∞ | 0.5 min | 0.990 | 0.0123 | 0.050 | 0.0012 | 0.510 |',
      '| (real training records) | – | – | – | 1.000 | 0.0123 | 0.050 | 0.0012 | 0.510 |',
    ]);
  });
});
