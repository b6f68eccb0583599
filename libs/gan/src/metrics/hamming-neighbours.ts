import type { BinaryMatrix } from '../data/binary-matrix';

/** Common codes handled as bit masks by nearestDistance (see HammingIndex). */
const MASK_BITS = 10;

/** Set bits of every MASK_BITS-bit mask, looked up rather than counted in the hot loops. */
const POPCOUNT = Uint8Array.from({ length: 1 << MASK_BITS }, (_, x) => {
  let bits = 0;
  for (let v = x; v > 0; v >>>= 1) bits += v & 1;
  return bits;
});

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
 *
 * Diagnosis codes are heavy-tailed: the ten most common codes (hypertension is in a third of
 * records) account for most of that posting length. For the nearest distance alone those codes
 * are therefore kept as a small bit mask per record instead: the reference records are grouped
 * by mask, and a record no rare query code reaches is at |q| + |r| − 2·popcount(mask_q & mask_r),
 * so per group only its smallest record matters. A query then walks the short rare-code postings
 * plus one popcount per group, several times less work than walking the common codes' postings.
 *
 * A class rather than closures: one hidden class keeps V8's optimised code valid across the
 * many indexes a report builds (closures over different typed arrays ran ~2× slower after the first).
 */
export class HammingIndex {
  readonly size: number;
  private readonly keep: Uint8Array;
  private readonly sizes: Uint32Array;
  private readonly postingOffsets: Uint32Array;
  private readonly postings: Uint32Array;
  private readonly maxSize: number;
  /** How many rows have each size, and the rows ordered by size. */
  private readonly sizeCounts: Uint32Array;
  private readonly bySize: Uint32Array;
  /** Mask bit of each common code, -1 for the others. */
  private readonly frequent: Int32Array;
  private readonly masks: Uint32Array;
  private readonly groupMasks: Uint32Array;
  private readonly groupSizes: Uint32Array;
  /** Scratch reused across queries: intersection counts and the rows they were written to. */
  private readonly shared: Uint32Array;
  private readonly touched: Uint32Array;

  /**
   * Indexes the reference records, optionally restricted to some columns (then both the
   * reference and the queries are compared on those columns only, e.g. the codes an attacker knows).
   */
  constructor(reference: BinaryMatrix, columns?: readonly number[]) {
    const { rows: n, cols, offsets, indices } = reference;
    this.size = n;
    const keep = new Uint8Array(cols);
    if (columns) for (const c of columns) keep[c] = 1;
    else keep.fill(1);
    this.keep = keep;

    const sizes = new Uint32Array(n);
    const postingCounts = new Uint32Array(cols);
    for (let r = 0; r < n; r++) {
      for (let p = offsets[r]; p < offsets[r + 1]; p++) {
        const c = indices[p];
        if (keep[c]) {
          sizes[r]++;
          postingCounts[c]++;
        }
      }
    }
    const postingOffsets = new Uint32Array(cols + 1);
    for (let c = 0; c < cols; c++) postingOffsets[c + 1] = postingOffsets[c] + postingCounts[c];
    const postings = new Uint32Array(postingOffsets[cols]);
    const fill = postingOffsets.slice(0, cols);
    for (let r = 0; r < n; r++) {
      for (let p = offsets[r]; p < offsets[r + 1]; p++) {
        const c = indices[p];
        if (keep[c]) postings[fill[c]++] = r;
      }
    }
    this.sizes = sizes;
    this.postingOffsets = postingOffsets;
    this.postings = postings;

    // Rows by size (counting sort).
    let maxSize = 0;
    for (let r = 0; r < n; r++) if (sizes[r] > maxSize) maxSize = sizes[r];
    const sizeCounts = new Uint32Array(maxSize + 1);
    for (let r = 0; r < n; r++) sizeCounts[sizes[r]]++;
    const sizeFill = new Uint32Array(maxSize + 1);
    for (let s = 1; s <= maxSize; s++) sizeFill[s] = sizeFill[s - 1] + sizeCounts[s - 1];
    const bySize = new Uint32Array(n);
    for (let r = 0; r < n; r++) bySize[sizeFill[sizes[r]]++] = r;
    this.maxSize = maxSize;
    this.sizeCounts = sizeCounts;
    this.bySize = bySize;

    // The most common kept codes become mask bits; records are grouped by mask, keeping each
    // group's smallest size (the class comment says why that is exact).
    const frequent = new Int32Array(cols).fill(-1);
    Array.from({ length: cols }, (_, c) => c)
      .filter((c) => postingCounts[c] > 0)
      .sort((a, b) => postingCounts[b] - postingCounts[a] || a - b)
      .slice(0, MASK_BITS)
      .forEach((c, bit) => {
        frequent[c] = bit;
      });
    const masks = new Uint32Array(n);
    for (let r = 0; r < n; r++) {
      for (let p = offsets[r]; p < offsets[r + 1]; p++) {
        const bit = frequent[indices[p]];
        if (bit >= 0) masks[r] |= 1 << bit;
      }
    }
    const groupSmallest = new Map<number, number>();
    for (let r = 0; r < n; r++) {
      const known = groupSmallest.get(masks[r]);
      if (known === undefined || sizes[r] < known) groupSmallest.set(masks[r], sizes[r]);
    }
    this.frequent = frequent;
    this.masks = masks;
    // Smallest groups first, so a query can stop once even a full mask overlap cannot win.
    const groups = [...groupSmallest].sort((a, b) => a[1] - b[1] || a[0] - b[0]);
    this.groupMasks = Uint32Array.from(groups, ([mask]) => mask);
    this.groupSizes = Uint32Array.from(groups, ([, size]) => size);

    this.shared = new Uint32Array(n);
    this.touched = new Uint32Array(n);
  }

  /** Smallest distance from the code set (ascending columns) to any reference record; Infinity if there are none. */
  nearestDistance(codes: ArrayLike<number>): number {
    if (this.size === 0) return Infinity;
    const { keep, frequent, postingOffsets, postings, shared, touched, sizes, masks, groupMasks, groupSizes } = this;
    let querySize = 0;
    let queryMask = 0;
    let touchedCount = 0;
    for (let i = 0; i < codes.length; i++) {
      const c = codes[i];
      if (c >= keep.length || !keep[c]) continue;
      querySize++;
      if (frequent[c] >= 0) {
        queryMask |= 1 << frequent[c];
        continue;
      }
      for (let p = postingOffsets[c]; p < postingOffsets[c + 1]; p++) {
        const r = postings[p];
        if (shared[r]++ === 0) touched[touchedCount++] = r;
      }
    }
    let best = Infinity;
    for (let t = 0; t < touchedCount; t++) {
      const r = touched[t];
      const d = querySize + sizes[r] - 2 * (shared[r] + POPCOUNT[queryMask & masks[r]]);
      if (d < best) best = d;
      shared[r] = 0;
    }
    const bestOverlap = 2 * POPCOUNT[queryMask];
    for (let g = 0; g < groupMasks.length; g++) {
      if (querySize + groupSizes[g] - bestOverlap >= best) break;
      const d = querySize + groupSizes[g] - 2 * POPCOUNT[queryMask & groupMasks[g]];
      if (d < best) best = d;
    }
    return best;
  }

  /**
   * The k nearest reference records. Rows tied at the k-th smallest distance share the weight
   * left after the strictly closer ones, so the answer does not depend on row order.
   */
  nearestNeighbours(codes: ArrayLike<number>, k: number): Neighbours {
    const { keep, postingOffsets, postings, shared, touched, sizes, maxSize, sizeCounts, bySize } = this;
    const n = this.size;
    const want = Math.min(k, n);
    const rows: number[] = [];
    const weights: number[] = [];
    if (want <= 0) return { rows, weights };
    let querySize = 0;
    let touchedCount = 0;
    for (let i = 0; i < codes.length; i++) {
      const c = codes[i];
      if (c >= keep.length || !keep[c]) continue;
      querySize++;
      for (let p = postingOffsets[c]; p < postingOffsets[c + 1]; p++) {
        const r = postings[p];
        if (shared[r]++ === 0) touched[touchedCount++] = r;
      }
    }
    // Histogram of all n distances: touched rows exactly, untouched rows by size.
    const atDistance = new Uint32Array(querySize + maxSize + 1);
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
    for (let t = 0; t < touchedCount; t++) {
      const r = touched[t];
      const d = querySize + sizes[r] - 2 * shared[r];
      if (d <= cutoff) {
        rows.push(r);
        weights.push(d < cutoff ? 1 : tieWeight);
      }
    }
    // Untouched rows in size order, up to the cutoff distance.
    for (let i = 0; i < n; i++) {
      const r = bySize[i];
      const d = querySize + sizes[r];
      if (d > cutoff) break;
      if (shared[r] === 0) {
        rows.push(r);
        weights.push(d < cutoff ? 1 : tieWeight);
      }
    }
    for (let t = 0; t < touchedCount; t++) shared[touched[t]] = 0;
    return { rows, weights };
  }
}

/** For each query record, the Hamming distance to its closest record in the index (Infinity for an empty index). */
export function nearestDistances(queries: BinaryMatrix, index: HammingIndex): Float64Array {
  const out = new Float64Array(queries.rows);
  for (let r = 0; r < queries.rows; r++) {
    out[r] = index.nearestDistance(queries.indices.subarray(queries.offsets[r], queries.offsets[r + 1]));
  }
  return out;
}
