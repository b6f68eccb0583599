import { m, shuffledRows } from './__fixtures__/matrices';
import { canonicalRowOrder, compareRows } from './canonical-order';

describe('canonical row order', () => {
  it('orders records by their code lists', () => {
    // Prepare
    const x = m([[1, 2], [0, 5], [], [0], [1, 2]], 6);
    // Execute
    const c = canonicalRowOrder(x);
    // Assert: [] < [0] < [0,5] < [1,2] = [1,2].
    expect(Array.from(c.offsets)).toEqual([0, 0, 1, 3, 5, 7]);
    expect(Array.from(c.indices)).toEqual([0, 0, 5, 1, 2, 1, 2]);
    expect(compareRows(x, 0, 4)).toBe(0);
    expect(compareRows(x, 3, 1)).toBeLessThan(0);
  });

  it('does not depend on the input order', () => {
    const x = m([[1, 2], [0, 5], [], [0], [3]], 6);
    expect(canonicalRowOrder(shuffledRows(x, 4))).toEqual(canonicalRowOrder(x));
  });
});
