import { addInto } from './mask-prg';
import { checkFixedPoint, createFixedPoint, decodeWeightedMean, encodeWeightedUpdate, meanErrorBound } from './fixed-point';

describe('fixed-point encoding of weighted updates', () => {
  it('picks the largest power-of-two scale that leaves headroom', () => {
    const config = createFixedPoint({ clip: 1, maxTotalWeight: 100_000, maxSites: 20 });
    // 2^31 / 100,000 ≈ 21,474.8 → 2^14 = 16,384.
    expect(config.scale).toBe(16_384);
    expect(100_000 * 1 * config.scale * 2).toBeGreaterThan(2 ** 31 - 1 - 20);
    expect(createFixedPoint({ clip: 4, maxTotalWeight: 2 ** 20, maxSites: 3 }).scale).toBe(256);
  });

  it('never wraps: n sites at the largest weights and values read back as ±clip', () => {
    const config = createFixedPoint({ clip: 2.5, maxTotalWeight: 60_000, maxSites: 3 });
    for (const sign of [1, -1]) {
      const values = new Float32Array([sign * 1e9, sign * 2.5, sign * 2.4999]);
      const sum = new Uint32Array(4);
      for (const weight of [20_000, 20_000, 20_000]) addInto(sum, encodeWeightedUpdate(values, weight, config));
      const { mean, totalWeight } = decodeWeightedMean(sum, config);
      expect(totalWeight).toBe(60_000);
      expect(mean[0]).toBeCloseTo(sign * 2.5, 6); // 1e9 clipped to 2.5
      expect(mean[1]).toBeCloseTo(sign * 2.5, 6);
      expect(mean[2]).toBeCloseTo(sign * 2.4999, 4);
    }
  });

  it('decodes the record-weighted mean within sites/(2·scale·W)', () => {
    const config = createFixedPoint({ clip: 1, maxTotalWeight: 10_000, maxSites: 5 });
    const sites = [
      { weight: 1200, values: Float32Array.from({ length: 500 }, (_, i) => Math.sin(i) * 0.9) },
      { weight: 300, values: Float32Array.from({ length: 500 }, (_, i) => Math.cos(i * 1.7) * 0.5) },
      { weight: 4500, values: Float32Array.from({ length: 500 }, (_, i) => ((i % 13) - 6) / 7) },
    ];
    const sum = new Uint32Array(501);
    for (const s of sites) addInto(sum, encodeWeightedUpdate(s.values, s.weight, config));
    const { mean, totalWeight } = decodeWeightedMean(sum, config);
    expect(totalWeight).toBe(6000);
    const bound = meanErrorBound(config, 3, 6000);
    let worst = 0;
    for (let i = 0; i < 500; i++) {
      const exact = sites.reduce((acc, s) => acc + s.weight * s.values[i]!, 0) / 6000;
      worst = Math.max(worst, Math.abs(mean[i]! - exact));
      // float32 storage of the result adds ≤ 2^−24 relative.
      expect(Math.abs(mean[i]! - exact)).toBeLessThanOrEqual(bound + Math.abs(exact) * 2 ** -24);
    }
    expect(worst).toBeGreaterThan(0); // rounding is real, and it is within the bound
  });

  it.each([
    [{ clip: 1, scale: 2 ** 20, maxTotalWeight: 10_000, maxSites: 3 }, 'OVERFLOW'],
    [{ clip: 0, scale: 1, maxTotalWeight: 10, maxSites: 3 }, 'INVALID_INPUT'],
    [{ clip: 1, scale: 1, maxTotalWeight: 0, maxSites: 3 }, 'INVALID_INPUT'],
    [{ clip: 1, scale: 1, maxTotalWeight: 10, maxSites: 0 }, 'INVALID_INPUT'],
  ])('refuses the config %j (%s)', (config, code) => {
    expect(() => checkFixedPoint(config)).toThrow(expect.objectContaining({ code }));
  });

  it('names an explicit scale that would overflow', () => {
    expect(() => createFixedPoint({ clip: 1, maxTotalWeight: 10_000, maxSites: 3, scale: 2 ** 20 })).toThrow(
      'maxTotalWeight × clip × scale + maxSites = 10485760003 exceeds 2^31 − 1: the sum could wrap around; lower scale, clip or maxTotalWeight',
    );
  });

  it('refuses bad weights and non-finite values', () => {
    const config = createFixedPoint({ clip: 1, maxTotalWeight: 100, maxSites: 3 });
    expect(() => encodeWeightedUpdate(new Float32Array(2), 101, config)).toThrow('weight must be an integer in [0, 100], got 101');
    expect(() => encodeWeightedUpdate(new Float32Array(2), 1.5, config)).toThrow('weight must be an integer in [0, 100], got 1.5');
    expect(() => encodeWeightedUpdate(new Float32Array([0, Number.NaN]), 1, config)).toThrow(
      'values[1] is NaN; only finite values can be aggregated',
    );
    expect(() => decodeWeightedMean(new Uint32Array(3), config)).toThrow('the total weight is 0: no site contributed');
  });
});
