import { m } from './__fixtures__/matrices';
import { exactCopyRate } from './exact-copies';

describe('exactCopyRate', () => {
  it('counts candidate records identical to a reference record', () => {
    // [0,1] is copied; [2] and [0] are not ([0] is only a subset of [0,1]).
    expect(exactCopyRate(m([[0, 1], [2], [0]], 4), m([[0, 1], [3]], 4))).toBeCloseTo(1 / 3, 12);
    expect(exactCopyRate(m([], 4), m([[0]], 4))).toBe(0);
  });
});
