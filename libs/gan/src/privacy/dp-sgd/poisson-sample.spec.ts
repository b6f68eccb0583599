import { seededRandomness } from '../dp-randomness';
import { poissonSample } from './poisson-sample';

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
    const mean = sizes.reduce((a, b) => a + b, 0) / steps;
    const sd = Math.sqrt(sizes.reduce((a, b) => a + (b - mean) ** 2, 0) / (steps - 1));
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
