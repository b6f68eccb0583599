import type { TrainOptions } from '@fedsynth/protocol';
import { plain, tensor } from '../__fixtures__/weights';
import { FedAvg, isRunningStatistic, serverStep } from './fed-avg.strategy';

const options: TrainOptions = { localEpochs: 2, batchSize: 32, learningRate: 1e-3, seed: 42, extra: { mu: 0.1 } };
const global = [tensor('w', [2], [0, 0]), tensor('b', [1], [0])];
const sites = ['h3', 'h1', 'h2'].map((siteId, i) => ({ siteId, recordCount: 100 * (i + 1) }));

describe('FedAvg', () => {
  describe('configureTrain', () => {
    it('gives every site the global weights and its own seed', () => {
      const strategy = new FedAvg();

      const tasks = strategy.configureTrain({ round: 4, availableSites: sites, globalWeights: global, options });

      expect(tasks.map((t) => t.siteId)).toEqual(['h1', 'h2', 'h3']);
      for (const task of tasks) {
        expect(task.weights).toBe(global);
        expect(task.options).toMatchObject({ localEpochs: 2, batchSize: 32, learningRate: 1e-3, extra: { mu: 0.1 } });
        expect(task.options.extra).not.toBe(options.extra);
      }
      expect(new Set(tasks.map((t) => t.options.seed)).size).toBe(3);
      expect(options.seed).toBe(42);
    });

    it('selects a fraction of the sites, at least minTrainSites', () => {
      const many = Array.from({ length: 10 }, (_, i) => ({ siteId: `s${i}`, recordCount: 10 }));

      expect(new FedAvg({ fractionTrain: 0.3 }).configureTrain({ round: 0, availableSites: many, globalWeights: global, options })).toHaveLength(3);
      expect(
        new FedAvg({ fractionTrain: 0.1, minTrainSites: 5 }).configureTrain({ round: 0, availableSites: many, globalWeights: global, options }),
      ).toHaveLength(5);
    });

    it('refuses bad selection options at construction', () => {
      expect(() => new FedAvg({ fractionTrain: 1.5 })).toThrow('training selection: fraction must be in (0, 1], got 1.5');
    });
  });

  describe('aggregateTrain', () => {
    it('weights each site by its record count (hand-computed)', () => {
      const strategy = new FedAvg();

      const out = strategy.aggregateTrain({
        round: 1,
        globalWeights: global,
        results: [
          { siteId: 'h1', recordCount: 100, weights: [tensor('w', [2], [1, 2]), tensor('b', [1], [4])], metrics: { loss: 2 } },
          { siteId: 'h2', recordCount: 300, weights: [tensor('b', [1], [0]), tensor('w', [2], [5, 6])], metrics: { loss: 1 } },
        ],
        failures: [{ siteId: 'h3', reason: 'left the round' }],
      });

      // w: (100·[1, 2] + 300·[5, 6]) / 400 = [4, 5]; b: (400 + 0)/400 = 1
      expect(plain(out.weights)).toEqual([
        ['w', [2], [4, 5]],
        ['b', [1], [1]],
      ]);
      expect(out.metrics).toEqual({ loss: 1.25 });
      expect(out.summary).toEqual({ siteCount: 2, recordCount: 400, failureCount: 1 });
      expect(out.state).toEqual([]);
    });

    it('refuses a round without results, listing the failures', () => {
      const run = () =>
        new FedAvg().aggregateTrain({
          round: 7,
          globalWeights: global,
          results: [],
          failures: [
            { siteId: 'h1', reason: 'deadline passed' },
            { siteId: 'h2', reason: 'update rejected: NON_FINITE' },
          ],
        });
      expect(run).toThrow(
        'round 7: nothing to aggregate, no site returned an accepted update (failures: h1: deadline passed; h2: update rejected: NON_FINITE)',
      );
    });

    it('refuses an update whose layout differs from the global weights, naming the site', () => {
      const run = () =>
        new FedAvg().aggregateTrain({
          round: 0,
          globalWeights: global,
          results: [{ siteId: 'h9', recordCount: 1, weights: [tensor('w', [2], [1, 2])], metrics: {} }],
          failures: [],
        });
      expect(run).toThrow('site "h9"\'s update lacks "b", present in the global weights');
    });

    it('refuses two results from one site', () => {
      const result = { siteId: 'h1', recordCount: 1, weights: global, metrics: {} };
      expect(() => new FedAvg().aggregateTrain({ round: 2, globalWeights: global, results: [result, result], failures: [] })).toThrow(
        'round 2: two results from site "h1"',
      );
    });
  });

  describe('server step (FedAvgM)', () => {
    const x = [tensor('g/kernel', [2], [1, 1]), tensor('g/batch_norm/moving_variance', [1], [1])];
    const siteResult = (weights: ReturnType<typeof tensor>[]) => ({ siteId: 'h1', recordCount: 10, weights, metrics: {} });

    it('steps x + η·v with v = β·v + (avg − x), hand-computed over two rounds; statistics take the plain average', () => {
      const strategy = new FedAvg({ serverMomentum: 0.5, serverLearningRate: 2 });
      const round1 = strategy.aggregateTrain({ round: 1, globalWeights: x, results: [siteResult([tensor('g/kernel', [2], [2, 0]), tensor('g/batch_norm/moving_variance', [1], [3])])], failures: [] });
      // Δ = (1, −1); v = Δ; x' = x + 2·v = (3, −1). The running variance is averaged, not extrapolated (2·(3 − 1) + 1 = 5 would be wrong).
      expect(plain(round1.weights)).toEqual([
        ['g/kernel', [2], [3, -1]],
        ['g/batch_norm/moving_variance', [1], [3]],
      ]);
      expect(plain(round1.state)).toEqual([
        ['g/kernel', [2], [1, -1]],
        ['g/batch_norm/moving_variance', [1], [0]],
      ]);
      // Round 2 from x' with the sites at (4, −1): Δ = (1, 0); v = 0.5·(1, −1) + (1, 0) = (1.5, −0.5); x'' = (6, −2).
      const round2 = strategy.aggregateTrain({ round: 2, globalWeights: round1.weights, state: round1.state, results: [siteResult([tensor('g/kernel', [2], [4, -1]), tensor('g/batch_norm/moving_variance', [1], [2])])], failures: [] });
      expect(plain(round2.weights)[0]).toEqual(['g/kernel', [2], [6, -2]]);
      expect(plain(round2.state)[0]).toEqual(['g/kernel', [2], [1.5, -0.5]]);
    });

    it('is plain FedAvg at η = 1, β = 0 (no state kept), and serverStep then returns the average itself', () => {
      const results = [siteResult([tensor('g/kernel', [2], [2, 0]), tensor('g/batch_norm/moving_variance', [1], [3])])];
      const plainAvg = new FedAvg().aggregateTrain({ round: 1, globalWeights: x, results, failures: [] });
      const explicit = new FedAvg({ serverMomentum: 0, serverLearningRate: 1 }).aggregateTrain({ round: 1, globalWeights: x, results, failures: [] });
      expect(plain(explicit.weights)).toEqual(plain(plainAvg.weights));
      expect(explicit.state).toEqual([]);
      expect(plain(serverStep(x, plainAvg.weights, undefined, 1, 0).weights)).toEqual(plain(plainAvg.weights));
    });

    it('names running statistics by their batch-norm suffix', () => {
      expect(isRunningStatistic('generator/block1/batch_norm/moving_mean')).toBe(true);
      expect(isRunningStatistic('generator/block1/batch_norm/moving_variance')).toBe(true);
      expect(isRunningStatistic('generator/block1/batch_norm/gamma')).toBe(false);
    });

    it('refuses a momentum outside [0, 1) or a step size that is not > 0, and a state of another layout', () => {
      expect(() => new FedAvg({ serverMomentum: 1 })).toThrow('FedAvg: serverMomentum must be in [0, 1), got 1');
      expect(() => new FedAvg({ serverLearningRate: 0, serverMomentum: -0.1 })).toThrow(
        'FedAvg: serverLearningRate must be a finite number > 0, got 0; serverMomentum must be in [0, 1), got -0.1',
      );
      const strategy = new FedAvg({ serverMomentum: 0.9 });
      const run = () =>
        strategy.aggregateTrain({ round: 2, globalWeights: x, state: [tensor('other', [1], [0])], results: [siteResult([tensor('g/kernel', [2], [2, 0]), tensor('g/batch_norm/moving_variance', [1], [3])])], failures: [] });
      expect(run).toThrow(/FedAvg server momentum/);
    });
  });

  describe('evaluation', () => {
    it('configures and aggregates evaluation by record count', () => {
      const strategy = new FedAvg({ fractionEvaluate: 0.5 });
      const tasks = strategy.configureEvaluate({
        round: 3,
        availableSites: sites,
        globalWeights: global,
        options: { sampleCount: 500, seed: 1, metrics: ['auc'], extra: { 'model.latentDim': 8 } },
      });
      expect(tasks).toHaveLength(2);
      expect(tasks[0]!.options.sampleCount).toBe(500);
      expect(tasks[0]!.options.extra).toEqual({ 'model.latentDim': 8 });
      expect(tasks[0]!.options.extra).not.toBe(tasks[1]!.options.extra);

      const out = strategy.aggregateEvaluate({
        round: 3,
        results: [
          { siteId: 'h1', recordCount: 1, metrics: { auc: 0.9 } },
          { siteId: 'h2', recordCount: 3, metrics: { auc: 0.5 } },
        ],
        failures: [],
      });
      expect(out.metrics.auc).toBeCloseTo(0.6, 12);
      expect(out.summary).toEqual({ siteCount: 2, recordCount: 4, failureCount: 0 });
    });
  });
});
