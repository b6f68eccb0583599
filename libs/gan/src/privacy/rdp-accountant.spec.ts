import {
  DEFAULT_RDP_ORDERS,
  composeRdp,
  computeEpsilon,
  dpSgdSegment,
  epsilonAtOrder,
  epsilonFromRdp,
  type SampledGaussianSegment,
} from './rdp-accountant';

/** The orders TF Privacy's compute_dp_sgd_privacy used (tensorflow_privacy/privacy/analysis/compute_dp_sgd_privacy_lib.py). */
const TF_PRIVACY_ORDERS = [1.25, 1.5, 1.75, 2, 2.25, 2.5, 3, 3.5, 4, 4.5, ...Array.from({ length: 59 }, (_, i) => 5 + i), 128, 256, 512];

/** compute_dp_sgd_privacy(n, batch_size, noise_multiplier, epochs, delta) as TF Privacy defines it. */
function tfDpSgd(n: number, batchSize: number, noiseMultiplier: number, epochs: number, delta: number) {
  const segment = dpSgdSegment({ records: n, expectedBatchSize: batchSize, epochs, noiseMultiplier });
  return computeEpsilon([segment], { delta, orders: TF_PRIVACY_ORDERS });
}

describe('computeEpsilon — published reference values', () => {
  // tensorflow/privacy, tensorflow_privacy/privacy/analysis/compute_dp_sgd_privacy_test.py,
  // test_compute_dp_sgd_privacy (RDP accountant of dp_accounting, improved conversion):
  //   ('Test0', 60000, 150, 1.3, 15, 1e-5, 0.7242234026109595, 19.0)
  //   ('Test1', 100000, 100, 1.0, 30, 1e-7, 1.4154988495444842, 13.0)
  //   ('Test2', 100000000, 1024, 0.1, 10, 1e-7, 5907982.3113978775, 1.25)
  // TF asserts assertAlmostEqual (7 decimal places) and the exact order.
  it.each([
    [60000, 150, 1.3, 15, 1e-5, 0.7242234026109595, 19],
    [100000, 100, 1.0, 30, 1e-7, 1.4154988495444842, 13],
    [100000000, 1024, 0.1, 10, 1e-7, 5907982.3113978775, 1.25],
  ])('n = %p, batch %p, σ = %p, %p epochs, δ = %p gives TF Privacy’s ε = %p at order %p', (n, batch, sigma, epochs, delta, epsilon, order) => {
    const result = tfDpSgd(n, batch, sigma, epochs, delta);
    expect(Math.abs(result.epsilon - epsilon)).toBeLessThan(1e-7 * Math.max(1, epsilon));
    expect(result.order).toBe(order);
  });

  it('stays below the moments accountant on Abadi et al. 2016’s MNIST settings', () => {
    // Abadi et al., "Deep Learning with Differential Privacy" (CCS 2016), §3.1: q = 0.01,
    // σ = 4, δ = 1e-5, T = 10,000 steps give ε ≈ 1.26 with the moments accountant
    // (9.34 with the strong composition theorem). The moments accountant is RDP at
    // integer orders with the classic conversion, so the classic conversion here must
    // land at about 1.26 and the improved one below it.
    const abadi: SampledGaussianSegment[] = [{ sampleRate: 0.01, noiseMultiplier: 4, steps: 10_000 }];
    const classic = computeEpsilon(abadi, { delta: 1e-5, conversion: 'classic' });
    const improved = computeEpsilon(abadi, { delta: 1e-5 });
    expect(classic.epsilon).toBeLessThanOrEqual(1.26);
    expect(classic.epsilon).toBeGreaterThan(1.25);
    expect(classic.order).toBe(20);
    expect(improved.epsilon).toBeLessThan(classic.epsilon);
    expect(improved.epsilon).toBeCloseTo(1.0355, 4);
    expect(improved.order).toBe(17);
  });

  it('reproduces TF Privacy’s RDP curve for q = 0.01, σ = 2.5, 50 steps', () => {
    // tensorflow_privacy/privacy/analysis/rdp_accountant_test.py, test_compute_rdp_sequence:
    // compute_rdp(0.01, 2.5, 50, [1.5, 2.5, 5, 50, 100]) ≈
    // [0.00065, 0.001085, 0.00218075, 0.023846, 167.416307] (assertSequenceAlmostEqual, delta 1e-5).
    // (dp_accounting's newer test lists 6.7058e-4 at α = 1.5: a looser bound for fractional
    // orders. The value here, 6.500709e-4, equals the exact integral — see the
    // multi-precision cases in sampled-gaussian-rdp.spec.ts.)
    const rdp = composeRdp([{ sampleRate: 0.01, noiseMultiplier: 2.5, steps: 50 }], [1.5, 2.5, 5, 50, 100]);
    const expected = [0.00065, 0.001085, 0.00218075, 0.023846, 167.416307];
    rdp.forEach((value, i) => expect(Math.abs(value - expected[i])).toBeLessThan(1e-5));
    expect(rdp[0]).toBeCloseTo(6.500708971867e-4, 12);
  });
});

describe('epsilonFromRdp — conversions', () => {
  it('picks the largest order for a constant curve (pure DP), as TF Privacy’s test does', () => {
    // rdp_accountant_test.py, test_get_privacy_spent_check_target_delta: orders 2..32,
    // rdp = 1.1 everywhere, δ = 1e-5 → ε = 1.32783806176 at order 32.
    const orders = Array.from({ length: 31 }, (_, i) => 2 + i);
    const result = epsilonFromRdp(orders, orders.map(() => 1.1), 1e-5);
    expect(result.epsilon).toBeCloseTo(1.32783806176, 10);
    expect(result.order).toBe(32);
  });

  it('gives (1, 1e-6)-DP for the Gaussian mechanism with σ = 4.530877117', () => {
    // Same test file: orders 1.000 … 99.999 in steps of 0.001, q = 1, σ = 4.530877117 was
    // chosen to give exactly (1, 1e-6)-DP; TF asserts ε ≈ 1 to 7 places.
    const orders = Array.from({ length: 99_000 }, (_, i) => (1000 + i) / 1000).filter((a) => a > 1);
    const result = computeEpsilon([{ sampleRate: 1, noiseMultiplier: 4.530877117, steps: 1 }], { delta: 1e-6, orders });
    expect(result.epsilon).toBeCloseTo(1, 7);
  });

  it('classic is never below improved, and both follow their formulas', () => {
    for (const alpha of [1.5, 2, 8, 32, 256]) {
      for (const rdp of [0.01, 0.5, 3]) {
        const classic = epsilonAtOrder(rdp, alpha, 1e-5, 'classic');
        const improved = epsilonAtOrder(rdp, alpha, 1e-5, 'improved');
        expect(classic).toBeCloseTo(rdp + Math.log(1e5) / (alpha - 1), 12);
        expect(improved).toBeCloseTo(rdp + Math.log((alpha - 1) / alpha) - (Math.log(1e-5) + Math.log(alpha)) / (alpha - 1), 12);
        expect(improved).toBeLessThanOrEqual(classic);
      }
    }
  });

  it('is 0 when δ already covers the total variation bound, ∞ for infinite RDP', () => {
    // δ² > 1 − e^(−rdp): rdp = 1e-12, δ = 1e-5.
    expect(epsilonAtOrder(1e-12, 2, 1e-5, 'improved')).toBe(0);
    expect(epsilonAtOrder(Infinity, 2, 1e-5, 'improved')).toBe(Infinity);
    expect(computeEpsilon([{ sampleRate: 0.01, noiseMultiplier: 0, steps: 1 }], { delta: 1e-5 }).epsilon).toBe(Infinity);
    expect(computeEpsilon([], { delta: 1e-5 }).epsilon).toBe(0);
  });
});

describe('composition', () => {
  const base: SampledGaussianSegment = { sampleRate: 0.004, noiseMultiplier: 1.1, steps: 1000 };

  it('adds RDP over steps and over heterogeneous segments', () => {
    const one = composeRdp([{ ...base, steps: 1 }]);
    const many = composeRdp([base]);
    many.forEach((value, i) => expect(value).toBeCloseTo(1000 * one[i], 10));

    const other: SampledGaussianSegment = { sampleRate: 0.02, noiseMultiplier: 2, steps: 300 };
    const together = composeRdp([base, other]);
    const separately = composeRdp([other]).map((value, i) => value + many[i]);
    together.forEach((value, i) => expect(value).toBeCloseTo(separately[i], 12));
  });

  it('splitting a segment into rounds changes nothing', () => {
    const whole = computeEpsilon([base], { delta: 1e-5 });
    const rounds = computeEpsilon(
      Array.from({ length: 10 }, () => ({ ...base, steps: 100 })),
      { delta: 1e-5 },
    );
    expect(rounds.epsilon).toBeCloseTo(whole.epsilon, 10);
    expect(rounds.order).toBe(whole.order);
  });

  it('is monotone: more steps or more sampling cost more, more noise costs less', () => {
    const epsilon = (segment: SampledGaussianSegment) => computeEpsilon([segment], { delta: 1e-5 }).epsilon;
    let previous = 0;
    for (const steps of [10, 100, 1000, 10_000, 100_000]) {
      const value = epsilon({ ...base, steps });
      expect(value).toBeGreaterThan(previous);
      previous = value;
    }
    previous = Infinity;
    for (const noiseMultiplier of [0.5, 0.8, 1, 1.5, 2, 4, 8]) {
      const value = epsilon({ ...base, noiseMultiplier });
      expect(value).toBeLessThan(previous);
      previous = value;
    }
    previous = 0;
    for (const sampleRate of [0.001, 0.004, 0.01, 0.1, 1]) {
      const value = epsilon({ ...base, sampleRate });
      expect(value).toBeGreaterThan(previous);
      previous = value;
    }
  });

  it('counts DP-SGD steps as TF Privacy does', () => {
    expect(dpSgdSegment({ records: 60000, expectedBatchSize: 256, epochs: 60, noiseMultiplier: 1.1 })).toEqual({
      sampleRate: 256 / 60000,
      noiseMultiplier: 1.1,
      steps: 14063, // ⌈60 · 60000 / 256⌉
    });
  });
});

describe('input checks', () => {
  it('uses the documented default orders', () => {
    expect(DEFAULT_RDP_ORDERS).toHaveLength(99 + 53 + 4);
    expect(DEFAULT_RDP_ORDERS.slice(0, 3)).toEqual([1.1, 1.2, 1.3]);
    expect(DEFAULT_RDP_ORDERS.slice(97, 101)).toEqual([10.8, 10.9, 11, 12]);
    expect(DEFAULT_RDP_ORDERS.slice(-5)).toEqual([63, 128, 256, 512, 1024]);
  });

  it.each([
    [[{ sampleRate: 1.5, noiseMultiplier: 1, steps: 1 }], { delta: 1e-5 }, 'segments[0].sampleRate must be a number in [0, 1], got 1.5'],
    [[{ sampleRate: 0.1, noiseMultiplier: -1, steps: 1 }], { delta: 1e-5 }, 'segments[0].noiseMultiplier must be a finite number ≥ 0, got -1'],
    [[{ sampleRate: 0.1, noiseMultiplier: 1, steps: 2.5 }], { delta: 1e-5 }, 'segments[0].steps must be an integer ≥ 0, got 2.5'],
    [[{ sampleRate: 0.1, noiseMultiplier: 1, steps: 1 }], { delta: 0 }, 'delta must be a number in (0, 1), got 0'],
    [[{ sampleRate: 0.1, noiseMultiplier: 1, steps: 1 }], { delta: 1e-5, orders: [2, 1] }, 'orders[1] must be a finite number > 1, got 1'],
    [[{ sampleRate: 0.1, noiseMultiplier: 1, steps: 1 }], { delta: 1e-5, orders: [] }, 'orders must not be empty'],
  ])('refuses %j with %j', (segments, options, message) => {
    expect(() => computeEpsilon(segments, options)).toThrow(message);
  });

  it('refuses an RDP curve that does not match its orders, and a DP-SGD plan that makes no sense', () => {
    expect(() => epsilonFromRdp([2, 3], [0.1], 1e-5)).toThrow('rdp has 1 values for 2 orders');
    expect(() => dpSgdSegment({ records: 100, expectedBatchSize: 200, epochs: 1, noiseMultiplier: 1 })).toThrow(
      'expectedBatchSize must be an integer in [1, records = 100], got 200',
    );
    expect(() => dpSgdSegment({ records: 0, expectedBatchSize: 1, epochs: 1, noiseMultiplier: 1 })).toThrow(
      'records must be an integer ≥ 1, got 0',
    );
  });
});
