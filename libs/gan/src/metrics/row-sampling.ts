import type { Rng } from '../data/simulate/prng';

/**
 * k distinct indices from 0..n-1, chosen uniformly with the given generator and returned in
 * ascending order (a partial Fisher–Yates shuffle: O(n) memory, O(k) draws). k ≥ n returns all.
 */
export function sampleIndices(n: number, k: number, rng: Rng): Uint32Array {
  if (k >= n) return Uint32Array.from({ length: n }, (_, i) => i);
  const pool = Uint32Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(n - i);
    const tmp = pool[i];
    pool[i] = pool[j];
    pool[j] = tmp;
  }
  return pool.slice(0, k).sort();
}

/** 0..n-1 in a random order. */
export function permutation(n: number, rng: Rng): Uint32Array {
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const tmp = order[i];
    order[i] = order[j];
    order[j] = tmp;
  }
  return order;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/**
 * An endless walk over 0..n-1 that visits every index once per n steps in a scattered order:
 * r_i = (start + i · stride) mod n with a random stride coprime to n. Minibatch training needs
 * only "every record once per pass, neighbours apart", and this costs two draws instead of
 * a fresh n-draw shuffle every pass.
 */
export function strideWalk(n: number, rng: Rng): () => number {
  let position = n > 0 ? rng.int(n) : 0;
  // A stride near n·φ⁻¹ spreads consecutive steps across the whole range; nudge it to coprime.
  let stride = n > 2 ? Math.floor(n * 0.618034) + rng.int(Math.max(1, Math.floor(n / 16))) : 1;
  while (n > 1 && gcd(stride % n, n) !== 1) stride++;
  return () => {
    const r = position;
    position = (position + stride) % n;
    return r;
  };
}
