import { createRng, deriveSeed } from './prng';

const draws = (seed: number, n: number) => Array.from({ length: n }, createRng(seed).next);
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const variance = (xs: number[]) => {
  const m = mean(xs);
  return xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1);
};

describe('createRng', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    expect(draws(42, 5)).toEqual(draws(42, 5));
    expect(draws(42, 5)).not.toEqual(draws(43, 5));
    // Small adjacent seeds are mixed by splitmix32, so their first draws are unrelated.
    expect(Math.abs(draws(0, 1)[0] - draws(1, 1)[0])).toBeGreaterThan(1e-6);
  });

  it('next() is uniform in [0, 1)', () => {
    const xs = draws(7, 20000);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(mean(xs)).toBeCloseTo(0.5, 2);
    expect(variance(xs)).toBeCloseTo(1 / 12, 2);
  });

  it('int(n) covers 0..n-1 evenly and rejects bad n', () => {
    const rng = createRng(3);
    const counts = new Array(6).fill(0);
    for (let i = 0; i < 60000; i++) counts[rng.int(6)]++;
    for (const c of counts) expect(Math.abs(c - 10000)).toBeLessThan(400);
    expect(() => rng.int(0)).toThrow(RangeError);
    expect(() => rng.int(2.5)).toThrow(RangeError);
  });

  it('normal() has mean 0 and sd 1', () => {
    const rng = createRng(11);
    const xs = Array.from({ length: 40000 }, () => rng.normal());
    expect(mean(xs)).toBeCloseTo(0, 1);
    expect(variance(xs)).toBeCloseTo(1, 1);
  });

  it.each([0.3, 1, 4.5])('gamma(%p, 2) has mean 2·shape and variance 4·shape', (shape) => {
    const rng = createRng(5);
    const xs = Array.from({ length: 40000 }, () => rng.gamma(shape, 2));
    expect(Math.min(...xs)).toBeGreaterThan(0);
    expect(mean(xs) / (2 * shape)).toBeCloseTo(1, 1);
    expect(variance(xs) / (4 * shape)).toBeCloseTo(1, 1);
  });

  it.each([0.5, 7, 30, 250])('poisson(%p) has mean = variance = λ', (lambda) => {
    const rng = createRng(9);
    const xs = Array.from({ length: 40000 }, () => rng.poisson(lambda));
    expect(xs.every((x) => Number.isInteger(x) && x >= 0)).toBe(true);
    expect(mean(xs) / lambda).toBeCloseTo(1, 1);
    expect(variance(xs) / lambda).toBeCloseTo(1, 1);
  });

  it('poisson(0) is 0', () => {
    expect(createRng(1).poisson(0)).toBe(0);
  });

  it('shuffle() permutes in place, deterministically', () => {
    const a = Array.from({ length: 50 }, (_, i) => i);
    const shuffled = createRng(2).shuffle(a.slice());
    expect(shuffled.slice().sort((x, y) => x - y)).toEqual(a);
    expect(shuffled).not.toEqual(a);
    expect(createRng(2).shuffle(a.slice())).toEqual(shuffled);
  });

  it('pick() returns an element and refuses an empty array', () => {
    const rng = createRng(4);
    expect(['a', 'b', 'c']).toContain(rng.pick(['a', 'b', 'c']));
    expect(() => rng.pick([])).toThrow(RangeError);
  });
});

describe('deriveSeed', () => {
  it('gives distinct, repeatable sub-stream seeds', () => {
    const seeds = [0, 1, 2, 3].map((s) => deriveSeed(1, s));
    expect(new Set(seeds).size).toBe(4);
    expect(deriveSeed(1, 2)).toBe(seeds[2]);
    expect(deriveSeed(2, 1)).not.toBe(deriveSeed(1, 2));
  });
});
