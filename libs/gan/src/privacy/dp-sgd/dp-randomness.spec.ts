import { secureRandomness, seededRandomness } from './dp-randomness';
import { poissonSample } from './poisson-sample';

function meanAndSd(values: ArrayLike<number>): { mean: number; sd: number } {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  const mean = sum / values.length;
  let squares = 0;
  for (let i = 0; i < values.length; i++) squares += (values[i] - mean) ** 2;
  return { mean, sd: Math.sqrt(squares / (values.length - 1)) };
}

describe('DP randomness', () => {
  it.each([
    ['secure (node:crypto)', secureRandomness()],
    ['seeded', seededRandomness(3)],
  ])('%s: standard normals have mean 0, sd 1 and normal tails', (_name, random) => {
    const z = random.normals(200_001); // odd on purpose: the last Box–Muller pair is cut
    expect(z.length).toBe(200_001);
    const { mean, sd } = meanAndSd(z);
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(sd - 1)).toBeLessThan(0.01);
    // P(|Z| > 2) = 4.55%, P(|Z| > 3) = 0.27%.
    const beyond = (k: number) => z.filter((x) => Math.abs(x) > k).length / z.length;
    expect(beyond(2)).toBeCloseTo(0.0455, 2);
    expect(beyond(3)).toBeCloseTo(0.0027, 3);
  });

  it('uniforms are strictly inside (0, 1)', () => {
    const random = secureRandomness();
    let outside = 0;
    for (let i = 0; i < 10_000; i++) {
      const u = random.uniform();
      if (!(u > 0 && u < 1)) outside++;
    }
    expect(outside).toBe(0);
  });

  it('only node:crypto counts as secure; a seed reproduces its draws', () => {
    expect(secureRandomness().secure).toBe(true);
    expect(seededRandomness(1).secure).toBe(false);
    expect(Array.from(seededRandomness(7).normals(5))).toEqual(Array.from(seededRandomness(7).normals(5)));
    expect(Array.from(secureRandomness().normals(5))).not.toEqual(Array.from(secureRandomness().normals(5)));
  });

  it('rejects a negative or fractional count', () => {
    expect(() => secureRandomness().normals(-1)).toThrow(/whole number/);
    expect(() => secureRandomness().normals(1.5)).toThrow(/whole number/);
  });
});

describe('Poisson sampling', () => {
  it('each record joins with probability q, independently of its position', () => {
    const random = seededRandomness(11);
    const records = 1000;
    const q = 0.05;
    const steps = 2000;
    const hits = new Float64Array(records);
    const sizes: number[] = [];
    let unordered = 0;
    for (let s = 0; s < steps; s++) {
      const rows = poissonSample(records, q, random);
      sizes.push(rows.length);
      for (let i = 0; i < rows.length; i++) {
        if (i > 0 && rows[i] <= rows[i - 1]) unordered++;
        hits[rows[i]]++;
      }
    }
    // Increasing indices: no record twice in a batch.
    expect(unordered).toBe(0);
    // Batch sizes are Binomial(1000, 0.05): mean 50, sd √47.5 ≈ 6.9 — they vary.
    const { mean, sd } = meanAndSd(sizes);
    expect(Math.abs(mean - 50)).toBeLessThan(0.6);
    expect(Math.abs(sd - Math.sqrt(47.5))).toBeLessThan(0.5);
    // Inclusion frequency per record ~ Binomial(2000, 0.05)/2000: mean 0.05 everywhere,
    // the first and last records included (no edge effect from the gap sampling).
    const rate = (from: number, to: number) => hits.slice(from, to).reduce((a, b) => a + b, 0) / ((to - from) * steps);
    expect(Math.abs(rate(0, 100) - q)).toBeLessThan(0.004);
    expect(Math.abs(rate(900, 1000) - q)).toBeLessThan(0.004);
    expect(Math.abs(rate(0, 1000) - q)).toBeLessThan(0.0015);
  });

  it('q = 1 takes every record; bad arguments are refused', () => {
    expect(Array.from(poissonSample(4, 1, seededRandomness(1)))).toEqual([0, 1, 2, 3]);
    expect(() => poissonSample(10, 0, seededRandomness(1))).toThrow(/sampleRate/);
    expect(() => poissonSample(10, 1.2, seededRandomness(1))).toThrow(/sampleRate/);
    expect(() => poissonSample(-1, 0.5, seededRandomness(1))).toThrow(/records/);
  });
});
