import { deriveSeed, hashString, seededShuffle, uniformStream } from './seeded-random';

describe('seeded randomness', () => {
  it('derives stable, order-sensitive uint32 seeds', () => {
    const seed = deriveSeed(7, 'site-a', 3);

    expect(deriveSeed(7, 'site-a', 3)).toBe(seed);
    expect(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32).toBe(true);
    expect(deriveSeed(3, 'site-a', 7)).not.toBe(seed);
    expect(deriveSeed(7, 'site-b', 3)).not.toBe(seed);
    expect(hashString('a')).not.toBe(hashString('b'));
  });

  it('draws uniform numbers in [0, 1) with a plausible mean', () => {
    const next = uniformStream(42);
    let sum = 0;
    for (let i = 0; i < 10_000; i++) {
      const x = next();
      expect(x >= 0 && x < 1).toBe(true);
      sum += x;
    }
    expect(sum / 10_000).toBeCloseTo(0.5, 1);
  });

  it('shuffles to a permutation that depends on the seed only', () => {
    const items = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];

    const once = seededShuffle(items, 5);

    expect(seededShuffle(items, 5)).toEqual(once);
    expect([...once].sort()).toEqual(items);
    expect(items).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']); // input untouched
    const seeds = [1, 2, 3, 4, 5, 6].map((s) => seededShuffle(items, s).join(''));
    expect(new Set(seeds).size).toBeGreaterThan(1);
  });
});
