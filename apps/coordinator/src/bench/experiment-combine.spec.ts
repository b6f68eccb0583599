import { combineResults, type ExperimentResults } from './experiment-combine';
import type { GainRow } from './gain-table';
import type { GeneratorScores } from './generator-scores';

const scores = (rmse: number): GeneratorScores => ({
  syntheticRecords: 1000,
  pearson: 0.9,
  rmse,
  codesGenerated: 0.5,
  meanCodesPerRecord: 10,
  predictionF1: 0.3,
  predictionGap: 0.1,
  detectionAuc: 0.8,
  membershipAdvantage: 0.01,
  dcrShare: 0.5,
  exactCopyRate: 0,
});
const row = (label: string, rmse: number): GainRow => ({ label, trainingRecords: 100, wallMs: 1000, scores: scores(rmse) });
const floor = row('(real pooled training records)', 0.001);
const base = { cohort: { patients: 10 }, settings: { aeRounds: 1 }, synthetic: 1000 };

describe('combineResults', () => {
  const centralAndFederated: ExperimentResults = { ...base, rows: [row('federated (fedavg, 3 rounds)', 0.011), row('centralised (pooled records)', 0.01), floor] };
  const sites: ExperimentResults = { ...base, rows: [row('site-1 alone', 0.02), row('site-2 alone', 0.04), row('average of the sites alone', 0.03), floor] };

  it('joins the arms of two runs, recomputing the sites\' average and the gain', () => {
    const { rows, gain } = combineResults([centralAndFederated, sites]);
    expect(rows.map((r) => r.label)).toEqual(['site-1 alone', 'site-2 alone', 'average of the sites alone', 'federated (fedavg, 3 rounds)', 'centralised (pooled records)', '(real pooled training records)']);
    expect(rows[2]!.scores.rmse).toBeCloseTo(0.03, 12);
    expect(gain).toMatchObject({ averageSiteRmse: 0.03, withinTenPercent: true, beatsAverageSite: true });
    expect(gain!.ratioToCentralised).toBeCloseTo(1.1, 12);
  });

  it('has no gain while an arm is missing', () => {
    expect(combineResults([sites]).gain).toBeUndefined();
  });

  it('refuses runs of different experiments and an arm measured twice', () => {
    expect(() => combineResults([centralAndFederated, { ...sites, settings: { aeRounds: 2 } }])).toThrow('result 2 has another settings than result 1');
    expect(() => combineResults([centralAndFederated, centralAndFederated])).toThrow('results 1 and 2 both hold the federated arm');
    // A run without a sampling (before --sampling existed) rounded.
    expect(() => combineResults([centralAndFederated, { ...sites, sampling: 'bernoulli' }])).toThrow('result 2 sampled by bernoulli, result 1 by round: their scores are not comparable');
    expect(combineResults([{ ...centralAndFederated, sampling: 'round' }, sites]).gain).toBeDefined();
    expect(() => combineResults([])).toThrow('nothing to combine');
  });
});
