import { createRng } from '../data/simulate/prng';
import { m } from './__fixtures__/matrices';
import { HammingIndex, nearestDistances } from './hamming-neighbours';
import type { BinaryMatrix } from '../data/binary-matrix';

function bruteForceNearest(query: number[], reference: BinaryMatrix, keep?: Set<number>): number {
  const q = query.filter((c) => !keep || keep.has(c));
  let best = Infinity;
  for (let r = 0; r < reference.rows; r++) {
    const row = Array.from(reference.indices.subarray(reference.offsets[r], reference.offsets[r + 1])).filter((c) => !keep || keep.has(c));
    const shared = row.filter((c) => q.includes(c)).length;
    best = Math.min(best, q.length + row.length - 2 * shared);
  }
  return best;
}

function randomRows(rows: number, cols: number, seed: number): number[][] {
  const rng = createRng(seed);
  // Skewed column popularity so the common-code bit masks are exercised.
  return Array.from({ length: rows }, () => Array.from({ length: cols }, (_, c) => c).filter((c) => rng.next() < 0.6 / (1 + c / 3)));
}

describe('HammingIndex', () => {
  const reference = m([[0, 1, 2], [3], []], 6);

  it('finds the nearest distance by hand', () => {
    // Prepare
    const index = new HammingIndex(reference);
    // Execute / Assert: [0,1] is 1 from [0,1,2], 3 from [3], 2 from [].
    expect(index.nearestDistance([0, 1])).toBe(1);
    // [5] shares nothing: 4, 2, 1 → the empty record.
    expect(index.nearestDistance([5])).toBe(1);
    expect(index.nearestDistance([3])).toBe(0);
    expect(new HammingIndex(m([], 6)).nearestDistance([1])).toBe(Infinity);
  });

  it('agrees with brute force on random records, with and without a column restriction', () => {
    // Prepare
    const ref = m(randomRows(150, 30, 1), 30);
    const queries = randomRows(80, 30, 2);
    const columns = [0, 2, 4, 5, 7, 11, 13, 17, 19, 23, 29];
    // Execute
    const full = new HammingIndex(ref);
    const restricted = new HammingIndex(ref, columns);
    // Assert
    for (const q of queries) {
      expect(full.nearestDistance(q)).toBe(bruteForceNearest(q, ref));
      expect(restricted.nearestDistance(q)).toBe(bruteForceNearest(q, ref, new Set(columns)));
    }
    expect(Array.from(nearestDistances(m(queries, 30), full))).toEqual(queries.map((q) => bruteForceNearest(q, ref)));
  });

  it('shares the weight of records tied at the k-th distance', () => {
    // Prepare: distances from [3]: 0, 1, 2, 1.
    const index = new HammingIndex(m([[3], [3, 4], [4], []], 6));
    // Execute
    const { rows, weights } = index.nearestNeighbours([3], 2);
    // Assert: record 0 counts fully; records 1 and 3 share the second vote.
    const byRow = new Map(rows.map((r, i) => [r, weights[i]]));
    expect(byRow).toEqual(
      new Map([
        [0, 1],
        [1, 0.5],
        [3, 0.5],
      ]),
    );
  });

  it('finds the k nearest like brute force', () => {
    const ref = m(randomRows(60, 12, 3), 12);
    const index = new HammingIndex(ref);
    for (const q of randomRows(20, 12, 4)) {
      const { rows, weights } = index.nearestNeighbours(q, 5);
      expect(weights.reduce((s, w) => s + w, 0)).toBeCloseTo(5, 12);
      const worstTaken = Math.max(...rows.map((r) => bruteForceNearest(q, m([Array.from(ref.indices.subarray(ref.offsets[r], ref.offsets[r + 1]))], 12))));
      // Every record strictly closer than the worst one taken is taken.
      for (let r = 0; r < ref.rows; r++) {
        const d = bruteForceNearest(q, m([Array.from(ref.indices.subarray(ref.offsets[r], ref.offsets[r + 1]))], 12));
        if (d < worstTaken) expect(rows).toContain(r);
      }
    }
  });
});
