import { createAliasTable } from './alias-table';
import { createRng } from './prng';

describe('createAliasTable', () => {
  it('samples in proportion to the weights', () => {
    const table = createAliasTable([1, 0, 3, 6]);
    expect(Array.from(table.probabilities)).toEqual([0.1, 0, 0.3, 0.6]);
    const rng = createRng(1);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 50000; i++) counts[table.sample(rng)]++;
    expect(counts[1]).toBe(0);
    expect(counts[0] / 50000).toBeCloseTo(0.1, 2);
    expect(counts[2] / 50000).toBeCloseTo(0.3, 2);
    expect(counts[3] / 50000).toBeCloseTo(0.6, 2);
  });

  it('handles a single weight', () => {
    expect(createAliasTable([5]).sample(createRng(1))).toBe(0);
  });

  it('rejects empty, negative and all-zero weights', () => {
    expect(() => createAliasTable([])).toThrow(RangeError);
    expect(() => createAliasTable([1, -1])).toThrow(RangeError);
    expect(() => createAliasTable([0, 0])).toThrow(RangeError);
    expect(() => createAliasTable([1, NaN])).toThrow(RangeError);
  });
});
