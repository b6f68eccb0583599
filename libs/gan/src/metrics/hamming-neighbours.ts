import type { BinaryMatrix } from '../data/binary-matrix';

/** Weighted nearest reference records of one query. */
export interface Neighbours {
  /** Reference row numbers. */
  rows: number[];
  /** Vote weight of each row; they sum to k (rows tied at the k-th distance share what is left). */
  weights: number[];
}

/**
 * Nearest-neighbour search in Hamming distance over sparse code sets. For sets a and b,
 * d(a, b) = |a| + |b| − 2|a ∩ b|, so only the intersection counts need work: an inverted index
 * (code → reference rows) adds 1 to every reference row sharing each query code. Every other
 * reference row has |a ∩ b| = 0, and the closest of those is simply the smallest one, found in a
 * list sorted by size. The cost per query is the total posting length of its codes, not the
 * size of the reference set times the vocabulary.
 */
export interface HammingIndex {
  readonly size: number;
  /** Smallest distance from the code set (ascending columns) to any reference record; Infinity if there are none. */
  nearestDistance(codes: ArrayLike<number>): number;
  /**
   * The k nearest reference records. Rows tied at the k-th smallest distance share the weight
   * left after the strictly closer ones, so the answer does not depend on row order.
   */
  nearestNeighbours(codes: ArrayLike<number>, k: number): Neighbours;
}

/**
 * Indexes the reference records, optionally restricted to some columns (then both the
 * reference and the queries are compared on those columns only, e.g. the codes an attacker knows).
 */
export function createHammingIndex(reference: BinaryMatrix, columns?: readonly number[]): HammingIndex {
  const keep = new Uint8Array(reference.cols);
  if (columns) for (const c of columns) keep[c] = 1;
  else keep.fill(1);

  const n = reference.rows;
  const sizes = new Uint32Array(n);
  const postingCounts = new Uint32Array(reference.cols + 1);
  for (let r = 0; r < n; r++) {
    for (let p = reference.offsets[r]; p < reference.offsets[r + 1]; p++) {
      const c = reference.indices[p];
      if (keep[c]) {
        sizes[r]++;
        postingCounts[c + 1]++;
      }
    }
  }
  const postingOffsets = new Uint32Array(reference.cols + 1);
  for (let c = 0; c < reference.cols; c++) postingOffsets[c + 1] = postingOffsets[c] + postingCounts[c + 1];
  const postings = new Uint32Array(postingOffsets[reference.cols]);
  const fill = postingOffsets.slice(0, reference.cols);
  for (let r = 0; r < n; r++) {
    for (let p = reference.offsets[r]; p < reference.offsets[r + 1]; p++) {
      const c = reference.indices[p];
      if (keep[c]) postings[fill[c]++] = r;
    }
  }
  // Rows by size (counting sort), and how many rows have each size.
  let maxSize = 0;
  for (let r = 0; r < n; r++) if (sizes[r] > maxSize) maxSize = sizes[r];
  const sizeCounts = new Uint32Array(maxSize + 1);
  for (let r = 0; r < n; r++) sizeCounts[sizes[r]]++;
  const sizeStart = new Uint32Array(maxSize + 2);
  for (let s = 0; s <= maxSize; s++) sizeStart[s + 1] = sizeStart[s] + sizeCounts[s];
  const bySize = new Uint32Array(n);
  const sizeFill = sizeStart.slice(0, maxSize + 1);
  for (let r = 0; r < n; r++) bySize[sizeFill[sizes[r]]++] = r;

  // Scratch reused across queries: intersection counts and the rows they were written to.
  const shared = new Uint32Array(n);
  const touched = new Uint32Array(n);

  /** Counts |query ∩ row| for every row sharing a code; returns how many rows were touched and |query|. */
  function intersect(codes: ArrayLike<number>): { touchedCount: number; querySize: number } {
    let touchedCount = 0;
    let querySize = 0;
    for (let i = 0; i < codes.length; i++) {
      const c = codes[i];
      if (c >= keep.length || !keep[c]) continue;
      querySize++;
      for (let p = postingOffsets[c]; p < postingOffsets[c + 1]; p++) {
        const r = postings[p];
        if (shared[r]++ === 0) touched[touchedCount++] = r;
      }
    }
    return { touchedCount, querySize };
  }

  function reset(touchedCount: number): void {
    for (let t = 0; t < touchedCount; t++) shared[touched[t]] = 0;
  }

  return {
    size: n,

    nearestDistance(codes) {
      if (n === 0) return Infinity;
      const { touchedCount, querySize } = intersect(codes);
      let best = Infinity;
      for (let t = 0; t < touchedCount; t++) {
        const r = touched[t];
        const d = querySize + sizes[r] - 2 * shared[r];
        if (d < best) best = d;
      }
      // The smallest untouched row; stop once no untouched row can beat the best so far.
      for (let i = 0; i < n; i++) {
        const r = bySize[i];
        const d = querySize + sizes[r];
        if (d >= best) break;
        if (shared[r] === 0) {
          best = d;
          break;
        }
      }
      reset(touchedCount);
      return best;
    },

    nearestNeighbours(codes, k) {
      const want = Math.min(k, n);
      const rows: number[] = [];
      const weights: number[] = [];
      if (want <= 0) return { rows, weights };
      const { touchedCount, querySize } = intersect(codes);
      // Histogram of all n distances: touched rows exactly, untouched rows by size.
      const maxDistance = querySize + maxSize;
      const atDistance = new Uint32Array(maxDistance + 1);
      const touchedWithSize = new Uint32Array(maxSize + 1);
      for (let t = 0; t < touchedCount; t++) {
        const r = touched[t];
        atDistance[querySize + sizes[r] - 2 * shared[r]]++;
        touchedWithSize[sizes[r]]++;
      }
      for (let s = 0; s <= maxSize; s++) atDistance[querySize + s] += sizeCounts[s] - touchedWithSize[s];
      let cutoff = 0;
      let closer = 0;
      while (closer + atDistance[cutoff] < want) closer += atDistance[cutoff++];
      const tieWeight = (want - closer) / atDistance[cutoff];
      const add = (r: number, d: number) => {
        if (d < cutoff) {
          rows.push(r);
          weights.push(1);
        } else if (d === cutoff) {
          rows.push(r);
          weights.push(tieWeight);
        }
      };
      for (let t = 0; t < touchedCount; t++) {
        const r = touched[t];
        add(r, querySize + sizes[r] - 2 * shared[r]);
      }
      for (let i = 0; i < n; i++) {
        const r = bySize[i];
        if (querySize + sizes[r] > cutoff) break;
        if (shared[r] === 0) add(r, querySize + sizes[r]);
      }
      reset(touchedCount);
      return { rows, weights };
    },
  };
}

/** For each query record, the Hamming distance to its closest record in the index. */
export function nearestDistances(queries: BinaryMatrix, index: HammingIndex): Uint32Array {
  const out = new Uint32Array(queries.rows);
  for (let r = 0; r < queries.rows; r++) {
    out[r] = index.nearestDistance(queries.indices.subarray(queries.offsets[r], queries.offsets[r + 1]));
  }
  return out;
}
