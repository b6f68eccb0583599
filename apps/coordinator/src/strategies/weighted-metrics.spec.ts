import { summarise, weightedMetrics } from './weighted-metrics';

describe('weightedMetrics', () => {
  it('weights each metric by record count, over the sites that report it', () => {
    const out = weightedMetrics([
      { siteId: 'a', recordCount: 100, metrics: { loss: 1, auc: 0.5 } },
      { siteId: 'b', recordCount: 300, metrics: { loss: 3 } },
    ]);
    // loss: (100·1 + 300·3)/400 = 2.5; auc: only site a reports it.
    expect(out).toEqual({ auc: 0.5, loss: 2.5 });
  });

  it('is exactly order invariant and empty for no sources', () => {
    const sources = [0.1, 0.2, 0.3, 0.7].map((loss, i) => ({ siteId: `s${i}`, recordCount: 7 + i * 13, metrics: { loss } }));
    expect(weightedMetrics(sources.slice().reverse())).toEqual(weightedMetrics(sources));
    expect(weightedMetrics([])).toEqual({});
  });

  it('refuses a non-positive record count, naming the site', () => {
    expect(() => weightedMetrics([{ siteId: 'h1', recordCount: 0, metrics: {} }])).toThrow('site "h1" reports 0 records');
  });

  it('summarises counts', () => {
    expect(summarise([{ siteId: 'a', recordCount: 5, metrics: {} }], [{ siteId: 'b', reason: 'left' }])).toEqual({
      siteCount: 1,
      recordCount: 5,
      failureCount: 1,
    });
  });
});
