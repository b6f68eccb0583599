import { matrixFromRows } from '@fedsynth/gan';
import { siteDataOptions, stackRows } from './experiment-cohort';

describe('experiment cohort helpers', () => {
  it('stacks the records of matrices with the same columns, in order', () => {
    const a = matrixFromRows([[0, 2], [1]], 3);
    const b = matrixFromRows([[], [0, 1, 2]], 3);

    const stacked = stackRows([a, b]);

    expect(stacked.rows).toBe(4);
    expect(stacked.cols).toBe(3);
    expect(Array.from(stacked.offsets)).toEqual([0, 2, 3, 3, 6]);
    expect(Array.from(stacked.indices)).toEqual([0, 2, 1, 0, 1, 2]);
  });

  it('refuses no matrices, or matrices with different columns', () => {
    expect(() => stackRows([])).toThrow('stackRows needs at least one matrix');
    expect(() => stackRows([matrixFromRows([[0]], 3), matrixFromRows([[0]], 4)])).toThrow('matrix 1 has 4 columns, matrix 0 has 3');
  });

  it('reads a site as its agent does: rolled up for category-level runs, whole codes otherwise', () => {
    const common = { holdoutFraction: 0.2, splitSeed: 1, minCodeCount: 5 };
    expect(siteDataOptions('/data/site-1', { codeLevel: 'category', ...common })).toEqual({ read: { format: 'mimic', input: '/data/site-1', rollup: true }, ...common });
    expect(siteDataOptions('/data/site-1', { codeLevel: 'full', ...common }).read.rollup).toBe(false);
  });
});
