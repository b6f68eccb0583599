import { decodeWeightSet, encodeWeightSet } from '@fedsynth/protocol';
import { cloneWeights, plain, randomWeights, SMALL_LAYOUT, tensor } from '../__fixtures__/weights';
import { DEFAULT_FED_ADAM, FedAdam } from './fed-adam.strategy';
import type { SiteTrainResult } from './strategy';

const result = (siteId: string, recordCount: number, values: number[]): SiteTrainResult => ({
  siteId,
  recordCount,
  weights: [tensor('w', [values.length], values)],
  metrics: {},
});

describe('FedAdam', () => {
  it('uses the documented defaults', () => {
    const strategy = new FedAdam();
    expect({ eta: strategy.eta, beta1: strategy.beta1, beta2: strategy.beta2, tau: strategy.tau }).toEqual(DEFAULT_FED_ADAM);
    expect(DEFAULT_FED_ADAM).toEqual({ eta: 1e-2, beta1: 0.9, beta2: 0.99, tau: 1e-3 });
  });

  it('takes two hand-computed Adam steps on the pseudo-gradient', () => {
    const strategy = new FedAdam({ eta: 0.1, beta1: 0.5, beta2: 0.75, tau: 0.5 });
    const global = [tensor('w', [2], [0, 1])];

    // Round 1: avg = (1·[2, 1] + 3·[2, 5]) / 4 = [2, 4] → Δ = [2, 3]; m0 = 0, v0 = τ² = 0.25
    const first = strategy.aggregateTrain({
      round: 1,
      globalWeights: global,
      results: [result('a', 1, [2, 1]), result('b', 3, [2, 5])],
      failures: [],
    });
    // m = 0.5·Δ = [1, 1.5]; v = 0.75·0.25 + 0.25·Δ² = [1.1875, 2.4375]
    // x = x + 0.1·m/(√v + 0.5)
    const m1 = [1, 1.5];
    const v1 = [0.75 * 0.25 + 0.25 * 4, 0.75 * 0.25 + 0.25 * 9];
    const x1 = [0 + (0.1 * m1[0]!) / (Math.sqrt(v1[0]!) + 0.5), 1 + (0.1 * m1[1]!) / (Math.sqrt(v1[1]!) + 0.5)];
    expect(Array.from(first.weights[0]!.data)).toEqual(x1.map(Math.fround));
    expect(plain(first.state)).toEqual([
      ['m/w', [2], m1.map(Math.fround)],
      ['v/w', [2], v1.map(Math.fround)],
    ]);

    // Round 2: one site returns [1, 1]; Δ = [1, 1] − x1
    const second = strategy.aggregateTrain({ round: 2, globalWeights: first.weights, results: [result('a', 5, [1, 1])], failures: [], state: first.state });
    const x1f = x1.map(Math.fround);
    const d2 = [1 - x1f[0]!, 1 - x1f[1]!];
    const m2 = [0.5 * Math.fround(m1[0]!) + 0.5 * d2[0]!, 0.5 * Math.fround(m1[1]!) + 0.5 * d2[1]!];
    const v2 = [0.75 * Math.fround(v1[0]!) + 0.25 * d2[0]! ** 2, 0.75 * Math.fround(v1[1]!) + 0.25 * d2[1]! ** 2];
    const x2 = [0, 1].map((i) => x1f[i]! + (0.1 * m2[i]!) / (Math.sqrt(v2[i]!) + 0.5));
    Array.from(second.weights[0]!.data).forEach((x, i) => expect(x).toBeCloseTo(x2[i]!, 6));
  });

  it('moves each weight by about η·sign(Δ) on the first round when Δ ≫ τ', () => {
    const strategy = new FedAdam();
    const out = strategy.aggregateTrain({
      round: 0,
      globalWeights: [tensor('w', [3], [0, 0, 0])],
      results: [result('a', 10, [0.5, -2, 0.05])],
      failures: [],
    });
    // 0.01·(0.1Δ)/(√(0.99τ² + 0.01Δ²) + τ): ≈ η·sign(Δ), less τ's damping (Δ = 0.05 is only 50 τ).
    Array.from(out.weights[0]!.data).forEach((x, i) => expect(x).toBeCloseTo([0.009802, -0.009950, 0.008199][i]!, 5));
  });

  it('continues identically from a state that went through bytes (a restart)', () => {
    const strategy = new FedAdam();
    const global = randomWeights(1, SMALL_LAYOUT, 0.1);
    const round = (seed: number, weights = global, state?: typeof global) =>
      strategy.aggregateTrain({
        round: seed,
        globalWeights: weights,
        results: [
          { siteId: 'a', recordCount: 10, weights: randomWeights(seed * 10, SMALL_LAYOUT, 0.1), metrics: {} },
          { siteId: 'b', recordCount: 30, weights: randomWeights(seed * 10 + 1, SMALL_LAYOUT, 0.1), metrics: {} },
        ],
        failures: [],
        ...(state ? { state } : {}),
      });
    const first = round(1);

    const inMemory = round(2, first.weights, first.state);
    const restored = decodeWeightSet(encodeWeightSet(first.state), { copyTensors: true });
    const afterRestart = round(2, first.weights, restored);

    expect(plain(afterRestart.weights)).toEqual(plain(inMemory.weights));
    expect(plain(afterRestart.state)).toEqual(plain(inMemory.state));
  });

  it('never modifies its inputs', () => {
    const strategy = new FedAdam();
    const global = randomWeights(3, SMALL_LAYOUT);
    const update = randomWeights(4, SMALL_LAYOUT);
    const state = strategy.initialState(global);
    const before = [plain(global), plain(update), plain(state)];

    strategy.aggregateTrain({ round: 0, globalWeights: global, results: [{ siteId: 'a', recordCount: 1, weights: update, metrics: {} }], failures: [], state });

    expect([plain(global), plain(update), plain(state)]).toEqual(before);
  });

  it('approaches a target that every site keeps returning', () => {
    const strategy = new FedAdam({ eta: 0.05 });
    let weights = [tensor('w', [2], [0, 0])];
    let state = strategy.initialState(weights);
    for (let r = 0; r < 200; r++) {
      const out = strategy.aggregateTrain({ round: r, globalWeights: weights, results: [result('a', 1, [1, -1])], failures: [], state });
      weights = out.weights;
      state = out.state;
    }
    expect(weights[0]!.data[0]).toBeCloseTo(1, 1);
    expect(weights[0]!.data[1]).toBeCloseTo(-1, 1);
  });

  it('refuses a state that does not match the global weights, and bad options', () => {
    const strategy = new FedAdam();
    const global = [tensor('w', [2], [0, 0])];
    const wrong = cloneWeights(strategy.initialState([tensor('w', [3], [0, 0, 0])]));
    expect(() => strategy.aggregateTrain({ round: 0, globalWeights: global, results: [result('a', 1, [1, 1])], failures: [], state: wrong })).toThrow(
      'tensor "w" has shape [2] in the global weights but [3] in the FedAdam first moment (m)',
    );
    expect(() =>
      strategy.aggregateTrain({ round: 0, globalWeights: global, results: [result('a', 1, [1, 1])], failures: [], state: [tensor('x', [1], [0])] }),
    ).toThrow('FedAdam state holds tensor "x"');
    expect(() => new FedAdam({ eta: 0, beta1: 1, tau: -1 })).toThrow('FedAdam: eta must be > 0, got 0; beta1 must be in [0, 1), got 1; tau must be > 0, got -1');
  });
});
