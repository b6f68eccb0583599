import type { Rng } from './prng';

/**
 * Walker/Vose alias table: O(1) draws from a fixed discrete distribution. Background codes are
 * drawn ~250k times per MIMIC-scale site from ~1,000 weights, so a linear or binary search per
 * draw would dominate the simulation time.
 */
export interface AliasTable {
  readonly size: number;
  /** Normalised probabilities, for inspection and tests. */
  readonly probabilities: Float64Array;
  sample(rng: Rng): number;
}

export function createAliasTable(weights: ArrayLike<number>): AliasTable {
  const n = weights.length;
  if (n === 0) throw new RangeError('alias table needs at least one weight');
  let total = 0;
  for (let i = 0; i < n; i++) {
    const w = weights[i];
    if (!(w >= 0) || !Number.isFinite(w)) throw new RangeError(`weight ${i} is ${w}; weights must be finite and ≥ 0`);
    total += w;
  }
  if (!(total > 0)) throw new RangeError('alias table needs a positive total weight');

  const probabilities = new Float64Array(n);
  const scaled = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    probabilities[i] = weights[i] / total;
    scaled[i] = probabilities[i] * n;
  }
  const accept = new Float64Array(n);
  const alias = new Uint32Array(n);
  const small: number[] = [];
  const large: number[] = [];
  for (let i = 0; i < n; i++) (scaled[i] < 1 ? small : large).push(i);
  while (small.length > 0 && large.length > 0) {
    const s = small.pop() as number;
    const l = large.pop() as number;
    accept[s] = scaled[s];
    alias[s] = l;
    scaled[l] = scaled[l] + scaled[s] - 1;
    (scaled[l] < 1 ? small : large).push(l);
  }
  // Leftovers are 1 up to rounding error.
  for (const i of large) accept[i] = 1;
  for (const i of small) accept[i] = 1;

  return {
    size: n,
    probabilities,
    sample(rng) {
      const i = rng.int(n);
      return rng.next() < accept[i] ? i : alias[i];
    },
  };
}
