import { plain, randomWeights, SMALL_LAYOUT, tensor } from '../__fixtures__/weights';
import { FedAvg } from './fed-avg.strategy';
import { FedNova, fedNovaCoefficients, fedNovaStep } from './fed-nova.strategy';
import type { SiteTrainResult } from './strategy';

const global = [tensor('w', [2], [0, 0]), tensor('bn/moving_mean', [1], [1])];

describe('fedNovaCoefficients', () => {
  it('divides each record share by the site\'s steps and scales by τ_eff (hand-computed)', () => {
    // p = (0.25, 0.75), τ = (1, 3): τ_eff = 0.25·1 + 0.75·3 = 2.5; c = (0.25·2.5/1, 0.75·2.5/3) = (0.625, 0.625)
    const { step, records } = fedNovaCoefficients([
      { label: 'a', recordCount: 100, localSteps: 1 },
      { label: 'b', recordCount: 300, localSteps: 3 },
    ]);
    expect(Array.from(records)).toEqual([0.25, 0.75]);
    expect(Array.from(step)).toEqual([0.625, 0.625]);
  });

  it('is FedAvg\'s record shares when every site took the same number of steps', () => {
    const { step, records } = fedNovaCoefficients([
      { label: 'a', recordCount: 1, localSteps: 7 },
      { label: 'b', recordCount: 3, localSteps: 7 },
    ]);
    expect(Array.from(step)).toEqual(Array.from(records));
  });

  it('gives sites equal say when steps grow with records (one local epoch each)', () => {
    // τ_i = n_i / batch: the record weight and the step count cancel, c_i = Σ p_j² for every i.
    const { step } = fedNovaCoefficients([
      { label: 'a', recordCount: 100, localSteps: 2 },
      { label: 'b', recordCount: 200, localSteps: 4 },
      { label: 'c', recordCount: 700, localSteps: 14 },
    ]);
    const expected = 0.1 ** 2 + 0.2 ** 2 + 0.7 ** 2;
    for (const c of step) expect(c).toBeCloseTo(expected, 12);
  });

  it('refuses a step count that is not a whole number ≥ 1, naming the update', () => {
    expect(() => fedNovaCoefficients([{ label: 'site "h1"\'s update', recordCount: 5, localSteps: 0 }])).toThrow(
      'site "h1"\'s update took 0 local steps; FedNova needs a whole number ≥ 1',
    );
    expect(() => fedNovaCoefficients([{ label: 'x', recordCount: 5, localSteps: 1.5 }])).toThrow('took 1.5 local steps');
  });
});

describe('fedNovaStep', () => {
  const updates = [
    { label: 'a', recordCount: 100, localSteps: 1, weights: [tensor('w', [2], [1, 2]), tensor('bn/moving_mean', [1], [4])] },
    { label: 'b', recordCount: 300, localSteps: 3, weights: [tensor('w', [2], [6, 6]), tensor('bn/moving_mean', [1], [8])] },
  ];

  it('steps from the global weights by Σ c_i (x_i − x); running statistics take the record-weighted mean', () => {
    // w: 0.625·[1, 2] + 0.625·[6, 6] = [4.375, 5] (FedAvg: [4.75, 5]); moving mean: 0.25·4 + 0.75·8 = 7
    expect(plain(fedNovaStep(global, updates, 1))).toEqual([
      ['w', [2], [4.375, 5]],
      ['bn/moving_mean', [1], [7]],
    ]);
  });

  it('scales the step by the server learning rate, never the statistics', () => {
    expect(plain(fedNovaStep(global, updates, 0.5))).toEqual([
      ['w', [2], [2.1875, 2.5]],
      ['bn/moving_mean', [1], [7]],
    ]);
  });

  it('refuses an update whose layout differs from the global weights', () => {
    const wrong = [{ ...updates[0]!, weights: [tensor('w', [3], [1, 2, 3]), tensor('bn/moving_mean', [1], [4])] }];
    expect(() => fedNovaStep(global, wrong, 1)).toThrow(/shape/);
  });
});

describe('FedNova', () => {
  const layoutGlobal = randomWeights(999, SMALL_LAYOUT, 0.5);
  const results = (steps: number[]): SiteTrainResult[] =>
    steps.map((localSteps, i) => ({ siteId: `s${i}`, recordCount: 50 * (i + 1), localSteps, weights: randomWeights(i + 1, SMALL_LAYOUT), metrics: { loss: i } }));

  it('equals FedAvg when every site took the same number of steps', () => {
    const input = { round: 2, globalWeights: layoutGlobal, results: results([9, 9, 9]), failures: [] };
    const nova = new FedNova().aggregateTrain(input);
    const avg = new FedAvg().aggregateTrain(input);
    nova.weights.forEach((t, ti) => t.data.forEach((x, j) => expect(x).toBeCloseTo(avg.weights[ti]!.data[j]!, 5)));
    expect(nova.metrics).toEqual(avg.metrics);
    expect(nova.summary).toEqual(avg.summary);
    expect(nova.state).toEqual([]);
  });

  it('differs from FedAvg when the larger sites took more steps', () => {
    const input = { round: 2, globalWeights: layoutGlobal, results: results([2, 4, 6]), failures: [] };
    expect(plain(new FedNova().aggregateTrain(input).weights)).not.toEqual(plain(new FedAvg().aggregateTrain(input).weights));
  });

  it('refuses a result without a step count, naming the site (the run driver should have rejected it)', () => {
    const [first, second] = results([3, 3]);
    const { localSteps: _dropped, ...withoutSteps } = second!;
    expect(() => new FedNova().aggregateTrain({ round: 4, globalWeights: layoutGlobal, results: [first!, withoutSteps], failures: [] })).toThrow(
      'round 4: FedNova needs each site\'s local step count, and site "s1"\'s result has none',
    );
  });

  it('refuses a bad server learning rate at construction', () => {
    expect(() => new FedNova({ serverLearningRate: 0 })).toThrow('FedNova: serverLearningRate must be a finite number > 0, got 0');
    expect(new FedNova()).toMatchObject({ name: 'fednova', needsLocalSteps: true, serverLearningRate: 1 });
  });
});
