import { createRng } from '../data/simulate/prng';
import { permutation, sampleIndices, strideWalk } from './row-sampling';

describe('row sampling', () => {
  it('samples distinct indices in ascending order, deterministically', () => {
    const a = sampleIndices(100, 10, createRng(1));
    expect(new Set(a).size).toBe(10);
    expect(Array.from(a)).toEqual([...a].sort((x, y) => x - y));
    expect(Array.from(sampleIndices(100, 10, createRng(1)))).toEqual(Array.from(a));
    expect(Array.from(sampleIndices(3, 10, createRng(1)))).toEqual([0, 1, 2]);
  });

  it('permutes every index once', () => {
    expect([...permutation(50, createRng(2))].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('walks every index once per pass', () => {
    for (const n of [1, 2, 7, 64, 1000]) {
      // Execute
      const walk = strideWalk(n, createRng(n));
      const seen = Array.from({ length: n }, () => walk());
      // Assert
      expect(new Set(seen).size).toBe(n);
      expect(walk()).toBe(seen[0]);
    }
  });
});
