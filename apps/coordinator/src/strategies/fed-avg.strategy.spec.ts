import type { TrainOptions } from '@fedsynth/protocol';
import { plain, tensor } from '../__fixtures__/weights';
import { FedAvg } from './fed-avg.strategy';

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
