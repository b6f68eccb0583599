import type { GeneratorScores } from './generator-scores';
import { averageRow, gainTable, mixtureTable } from './gain-table';

const scores = (rmse: number, gap: number | null): GeneratorScores => ({
  syntheticRecords: 1000,
  pearson: 0.9,
  rmse,
  codesGenerated: 0.5,
  meanCodesPerRecord: 10,
  predictionF1: 0.3,
  predictionGap: gap,
  detectionAuc: 0.8,
  membershipAdvantage: 0.01,
  dcrShare: 0.5,
  exactCopyRate: 0,
});

describe('federation-gain table', () => {
  it('averages the sites\' scores into one row; a score missing at one site stays missing', () => {
    const avg = averageRow('average', [
      { label: 'a', trainingRecords: 100, wallMs: 1000, scores: scores(0.01, 0.1) },
      { label: 'b', trainingRecords: 201, wallMs: 2000, scores: scores(0.03, null) },
    ]);

    expect(avg.scores.rmse).toBeCloseTo(0.02, 12);
    expect(avg.scores.predictionGap).toBeNull();
    expect(avg).toMatchObject({ label: 'average', trainingRecords: 151, wallMs: null });
    expect(() => averageRow('none', [])).toThrow('cannot average no rows');
  });

  it('prints one Markdown line per arm, with dashes for what does not apply', () => {
    const table = gainTable([
      { label: 'centralised', trainingRecords: 15000, wallMs: 185_000, scores: scores(0.0123456, 0.05) },
      { label: 'average', trainingRecords: 5000, wallMs: null, scores: scores(0.02, null) },
    ]).split('\n');

    expect(table).toHaveLength(4);
    expect(table[2]).toBe('| centralised | 15,000 | 3.1 min | 0.9000 | 0.01235 | 50.0% | 10.00 | 0.300 (0.050) | 0.800 | 0.010 | 0.500 |');
    expect(table[3]).toContain('| average | 5,000 | – |');
    expect(table[3]).toContain('0.300 (–)');
  });

  it('prints the fitted site mix of the rows that have one, beside the pooled mix', () => {
    const mixture = { weights: [0.2, 0.45, 0.35], pooledShares: [0.233, 0.52, 0.246], rmseAtPooledMixture: 0.00605 };
    const table = mixtureTable([
      { label: 'federated', trainingRecords: 22000, wallMs: 1, scores: scores(0.00623, 0.07), mixture },
      { label: 'average', trainingRecords: 7000, wallMs: null, scores: scores(0.01, null) },
    ]).split('\n');

    expect(table).toEqual([
      '| arm | fitted mix of the sites | pooled mix | prevalence RMSE | RMSE at the pooled mix |',
      '|---|---:|---:|---:|---:|',
      '| federated | 0.200 / 0.450 / 0.350 | 0.233 / 0.520 / 0.246 | 0.00623 | 0.00605 |',
    ]);
    expect(mixtureTable([{ label: 'average', trainingRecords: 1, wallMs: null, scores: scores(0.01, null) }])).toBe('');
  });
});
