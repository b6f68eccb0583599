import { cloneWeights, plain, randomWeights, SMALL_LAYOUT } from '../__fixtures__/weights';
import { createStrategy, type StrategyConfig } from './create-strategy';
import type { SiteTrainResult } from './strategy';

/** Properties every strategy must have, checked on seeded random updates. */
const configs: StrategyConfig[] = [
  { name: 'fedavg' },
  { name: 'fedadam' },
  { name: 'fednova' },
  { name: 'fedmedian' },
  { name: 'fedtrimmedmean', trimFraction: 0.2 },
];

function results(seeds: number[]): SiteTrainResult[] {
  return seeds.map((seed, i) => ({
    siteId: `site-${seed}`,
    recordCount: 10 + 37 * i,
    localSteps: 1 + 5 * i,
    weights: randomWeights(seed, SMALL_LAYOUT),
    metrics: { loss: seed / 10 },
  }));
}

describe.each(configs)('strategy $name', (config) => {
  const global = randomWeights(999, SMALL_LAYOUT, 0.5);

  it('gives exactly the same output whatever order the results arrive in', () => {
    const strategy = createStrategy(config);
    for (const seeds of [[1, 2, 3], [4, 5, 6, 7, 8]]) {
      const list = results(seeds);
      const forward = strategy.aggregateTrain({ round: 1, globalWeights: global, results: list, failures: [] });
      const shuffled = strategy.aggregateTrain({ round: 1, globalWeights: global, results: [list[2]!, ...list.slice(3), list[0]!, list[1]!], failures: [] });
      expect(plain(shuffled.weights)).toEqual(plain(forward.weights));
      expect(shuffled.metrics).toEqual(forward.metrics);
      expect(plain(shuffled.state)).toEqual(plain(forward.state));
    }
  });

  it('is deterministic: identical inputs give identical outputs', () => {
    const strategy = createStrategy(config);
    const input = () => ({ round: 1, globalWeights: cloneWeights(global), results: results([1, 2, 3]), failures: [] });
    expect(plain(strategy.aggregateTrain(input()).weights)).toEqual(plain(createStrategy(config).aggregateTrain(input()).weights));
  });

  it('keeps the global weights\' tensor names and shapes', () => {
    const out = createStrategy(config).aggregateTrain({ round: 1, globalWeights: global, results: results([3, 1]), failures: [] });
    expect(out.weights.map((t) => [t.name, t.shape])).toEqual(global.map((t) => [t.name, t.shape]));
  });

  // FedAdam and FedNova step from the global weights (FedNova by τ_eff·Σ p_i/τ_i, which is not 1
  // when sites took different step counts), so neither stays inside the sites' range.
  if (config.name !== 'fedadam' && config.name !== 'fednova') {
    it('returns the common update when every site sends the same weights, and stays within per-coordinate bounds', () => {
      const strategy = createStrategy(config);
      const same = randomWeights(5, SMALL_LAYOUT);
      const identical = ['a', 'b', 'c'].map((siteId, i) => ({ siteId, recordCount: i + 1, weights: cloneWeights(same), metrics: {} }));
      expect(plain(strategy.aggregateTrain({ round: 0, globalWeights: global, results: identical, failures: [] }).weights)).toEqual(plain(same));

      const list = results([11, 12, 13, 14, 15]);
      const out = strategy.aggregateTrain({ round: 0, globalWeights: global, results: list, failures: [] });
      out.weights.forEach((t, ti) =>
        t.data.forEach((x, j) => {
          const column = list.map((r) => r.weights[ti]!.data[j]!);
          expect(x).toBeGreaterThanOrEqual(Math.min(...column));
          expect(x).toBeLessThanOrEqual(Math.max(...column));
        }),
      );
    });
  }
});

describe('createStrategy', () => {
  it('refuses an unknown name, listing the known ones', () => {
    expect(() => createStrategy({ name: 'fedprox' } as unknown as StrategyConfig)).toThrow(
      'unknown strategy "fedprox"; expected one of fedavg, fedadam, fednova, fedmedian, fedtrimmedmean',
    );
  });

  it('passes settings through', () => {
    expect(createStrategy({ name: 'fedadam', eta: 0.5 })).toMatchObject({ name: 'fedadam', eta: 0.5 });
    expect(createStrategy({ name: 'fedtrimmedmean', trimFraction: 0.1 })).toMatchObject({ trimFraction: 0.1 });
    expect(() => createStrategy({ name: 'fedtrimmedmean', trimFraction: 0.6 })).toThrow('trimFraction must be in [0, 0.5)');
  });

  it('refuses a setting the strategy does not have, listing the ones it has', () => {
    expect(() => createStrategy({ name: 'fednova', serverMomentum: 0.5 } as unknown as StrategyConfig)).toThrow(
      'strategy fednova has no setting serverMomentum; its settings are serverLearningRate, fractionTrain, minTrainSites, fractionEvaluate, minEvaluateSites, selectionSeed',
    );
    expect(() => createStrategy({ name: 'fedmedian', trimFraction: 0.1 } as unknown as StrategyConfig)).toThrow('strategy fedmedian has no setting trimFraction');
    expect(createStrategy({ name: 'fedavg', serverMomentum: 0.5, fractionTrain: 0.5 })).toMatchObject({ name: 'fedavg', serverMomentum: 0.5 });
  });
});
