import type { WeightSet } from '@fedsynth/protocol';
import { CoordinatorError } from '../errors/coordinator-error';
import { alignToLayout, compareLayouts, describeLayoutProblems } from './weight-layout';

const labels = { expected: 'the global weights', actual: 'site "h2"\'s update' };

function layout(...tensors: Array<[string, number[]]>): WeightSet {
  return tensors.map(([name, shape]) => ({ name, shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) }));
}

describe('compareLayouts', () => {
  it('finds nothing for the same tensors in another order', () => {
    expect(compareLayouts(layout(['a', [2, 3]], ['b', [4]]), layout(['b', [4]], ['a', [2, 3]]))).toEqual([]);
  });

  it('lists missing, extra, reshaped, mis-sized and duplicate tensors', () => {
    const expected = layout(['a', [2, 3]], ['b', [4]], ['c', [1]]);
    const actual = layout(['a', [3, 2]], ['d', [1]], ['d', [1]]);
    actual.push({ name: 'e', shape: [2], data: new Float32Array(3) });

    const problems = compareLayouts(expected, actual);

    expect(problems).toEqual(
      expect.arrayContaining([
        { kind: 'shape', name: 'a', expectedShape: [2, 3], actualShape: [3, 2] },
        { kind: 'missing', name: 'b' },
        { kind: 'missing', name: 'c' },
        { kind: 'extra', name: 'd' },
        { kind: 'extra', name: 'e' },
        { kind: 'duplicate', name: 'd', side: 'actual' },
        { kind: 'length', name: 'e', shape: [2], length: 3, side: 'actual' },
      ]),
    );
  });
});

describe('describeLayoutProblems', () => {
  it('names both sides and both shapes', () => {
    const text = describeLayoutProblems(compareLayouts(layout(['k', [3, 4]], ['b', [4]]), layout(['k', [4, 3]], ['z', [1]])), labels);

    expect(text).toContain('tensor "k" has shape [3, 4] in the global weights but [4, 3] in site "h2"\'s update');
    expect(text).toContain('site "h2"\'s update lacks "b", present in the global weights');
    expect(text).toContain('site "h2"\'s update has "z", absent from the global weights');
  });
});

describe('alignToLayout', () => {
  it('returns the data in the expected order, as views', () => {
    const expected = layout(['a', [2]], ['b', [3]]);
    const actual = layout(['b', [3]], ['a', [2]]);

    const aligned = alignToLayout(expected, actual, labels);

    expect(aligned[0]).toBe(actual[1]!.data);
    expect(aligned[1]).toBe(actual[0]!.data);
  });

  it('throws LAYOUT_MISMATCH with the description', () => {
    const run = () => alignToLayout(layout(['a', [2]]), layout(['a', [3]]), labels);

    expect(run).toThrow(CoordinatorError);
    expect(run).toThrow('tensor "a" has shape [2] in the global weights but [3] in site "h2"\'s update');
    expect(run).toThrow(expect.objectContaining({ code: 'LAYOUT_MISMATCH' }));
  });
});
