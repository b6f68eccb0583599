import { createStrategy, STRATEGY_NAMES } from './create-strategy';
import type { SiteEvaluateResult } from './strategy';

describe('aggregateEvaluate (every strategy)', () => {
  // Site a scored 10 held-out records, site b 30; site c failed.
  const results: SiteEvaluateResult[] = [
    { siteId: 'b', recordCount: 30, metrics: { 'synthetic.fidelity.prevalence.pearson': 0.7, 'synthetic.fidelity.prevalence.rmse': 0.01 } },
    { siteId: 'a', recordCount: 10, metrics: { 'synthetic.fidelity.prevalence.pearson': 0.5, 'synthetic.fidelity.prevalence.rmse': 0.02, 'synthetic.utility.detectionAuc': 0.6 } },
  ];
  const failures = [{ siteId: 'c', reason: 'no evaluation result before the deadline' }];

  it.each(STRATEGY_NAMES)('%s: each metric is the held-out-record-weighted mean over the sites that report it', (name) => {
    const out = createStrategy({ name }).aggregateEvaluate({ round: 4, results, failures });

    // pearson: (10·0.5 + 30·0.7) / 40 = 0.65; rmse: (10·0.02 + 30·0.01) / 40 = 0.0125;
    // detectionAuc: only site a reports it, so it is a's value, not diluted by b.
    expect(out.metrics['synthetic.fidelity.prevalence.pearson']).toBeCloseTo(0.65, 12);
    expect(out.metrics['synthetic.fidelity.prevalence.rmse']).toBeCloseTo(0.0125, 12);
    expect(out.metrics['synthetic.utility.detectionAuc']).toBe(0.6);
    expect(out.summary).toEqual({ siteCount: 2, recordCount: 40, failureCount: 1 });
  });

  it('gives the same numbers whatever order the results arrived in, and nothing for no result', () => {
    const strategy = createStrategy({ name: 'fedavg' });
    expect(strategy.aggregateEvaluate({ round: 4, results: results.slice().reverse(), failures })).toEqual(strategy.aggregateEvaluate({ round: 4, results, failures }));
    expect(strategy.aggregateEvaluate({ round: 4, results: [], failures })).toEqual({ metrics: {}, summary: { siteCount: 0, recordCount: 0, failureCount: 1 } });
  });

  it('refuses two results from one site and a zero record count, naming the site', () => {
    const strategy = createStrategy({ name: 'fedavg' });
    expect(() => strategy.aggregateEvaluate({ round: 4, results: [results[0], results[0]], failures: [] })).toThrow(
      'evaluation of round 4: two results from site "b"',
    );
    expect(() => strategy.aggregateEvaluate({ round: 4, results: [{ siteId: 'z', recordCount: 0, metrics: { r: 1 } }], failures: [] })).toThrow(
      'site "z" reports 0 records',
    );
  });
});
