import { FedAvg } from '../strategies/fed-avg.strategy';
import { parameterCount, parameterSitesPerSecond, timeAggregation } from './aggregation-throughput';

describe('aggregation throughput', () => {
  it('counts parameters × sites per second', () => {
    // 900,000 floats from 3 sites in 45 ms: 2.7 M parameter-sites in 0.045 s.
    expect(parameterSitesPerSecond(900_000, 3, 45)).toBeCloseTo(60_000_000, 3);
  });

  it('refuses counts and times it cannot divide, naming the value', () => {
    expect(() => parameterSitesPerSecond(0, 3, 1)).toThrow('parameters must be a positive whole number, got 0');
    expect(() => parameterSitesPerSecond(10, 1.5, 1)).toThrow('sites must be a positive whole number, got 1.5');
    expect(() => parameterSitesPerSecond(10, 3, 0)).toThrow('the time must be a positive number of ms, got 0');
  });

  it('times a real strategy on real updates and reports the layout it combined', () => {
    const global = [
      { name: 'a', shape: [2, 3], data: new Float32Array(6) },
      { name: 'b', shape: [4], data: new Float32Array(4) },
    ];
    const results = ['s1', 's2'].map((siteId, k) => ({
      siteId,
      recordCount: 10 * (k + 1),
      metrics: {},
      weights: global.map((t) => ({ ...t, data: t.data.map(() => k + 1) })),
    }));

    const timing = timeAggregation(new FedAvg(), results, global, 3);

    expect(parameterCount(global)).toBe(10);
    expect(timing).toMatchObject({ strategy: 'fedavg', parameters: 10, sites: 2, repeats: 3 });
    expect(timing.minMs).toBeLessThanOrEqual(timing.medianMs);
    expect(() => timeAggregation(new FedAvg(), results, global, 0)).toThrow('repeats must be a whole number ≥ 1, got 0');
  });
});
