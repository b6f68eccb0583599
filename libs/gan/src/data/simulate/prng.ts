/**
 * A small seeded pseudo-random number generator (xoshiro128**, seeded through splitmix32)
 * with the few distributions the cohort simulator needs. Simulated cohorts must be
 * byte-identical for a seed on every machine, so nothing here touches Math.random and all
 * arithmetic is 32-bit integer or plain double maths with a fixed evaluation order.
 */
export interface Rng {
  /** Uniform in [0, 1), 32 bits of resolution. */
  next(): number;
  /** Uniform integer in [0, n); n must be a positive integer ≤ 2^32. */
  int(n: number): number;
  /** True with probability p. */
  bernoulli(p: number): boolean;
  /** Standard normal (mean 0, sd 1). */
  normal(): number;
  /** Gamma(shape, scale): mean shape × scale. */
  gamma(shape: number, scale?: number): number;
  /** Poisson with the given mean (≥ 0). */
  poisson(mean: number): number;
  /** Shuffles in place (Fisher–Yates) and returns the same array. */
  shuffle<T>(array: T[]): T[];
  /** A uniformly chosen element of a non-empty array. */
  pick<T>(array: readonly T[]): T;
}

const TWO_POW_32 = 4294967296;

/** splitmix32: turns any 32-bit seed (even 0 or 1) into a well-mixed state word. */
function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * A seed for an independent sub-stream, e.g. one per hospital: deriveSeed(seed, 3). Mixing
 * both words through splitmix32 keeps neighbouring (seed, stream) pairs uncorrelated, so a
 * site's patients do not depend on how many patients other sites drew.
 */
export function deriveSeed(seed: number, stream: number): number {
  const mix = splitmix32((seed >>> 0) ^ Math.imul(stream >>> 0, 0x27d4eb2f));
  mix();
  return mix();
}

/** Log-gamma for x > 0 (Lanczos, g = 7); accurate to ~1e-13, enough for Poisson rejection. */
function logGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
    -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
    1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const y = x - 1;
  let a = c[0];
  const t = y + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (y + i);
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(a);
}

/** A generator for the given seed (any number; it is reduced to an unsigned 32-bit word). */
export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  const init = splitmix32(seed >>> 0);
  let s0 = init();
  let s1 = init();
  let s2 = init();
  let s3 = init();
  // xoshiro's one forbidden state; splitmix32 practically never yields it, but be exact.
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1;
  // Cached second value of the Box–Muller pair, so normal() costs one log/sqrt per two draws.
  let spareNormal: number | undefined;

  function nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    s2 ^= s0;
    s3 ^= s1;
    s1 ^= s2;
    s0 ^= s3;
    s2 ^= t;
    s3 = rotl(s3, 11);
    return result;
  }

  const rng: Rng = {
    next: () => nextUint32() / TWO_POW_32,

    int(n) {
      if (!(n >= 1 && n <= TWO_POW_32) || !Number.isInteger(n)) {
        throw new RangeError(`int(n) needs an integer 1 ≤ n ≤ 2^32, got ${n}`);
      }
      // Rejection removes the modulo bias that plain floor(next() * n) has for large n.
      const limit = TWO_POW_32 - (TWO_POW_32 % n);
      let x = nextUint32();
      while (x >= limit) x = nextUint32();
      return x % n;
    },

    bernoulli: (p) => nextUint32() / TWO_POW_32 < p,

    normal() {
      if (spareNormal !== undefined) {
        const z = spareNormal;
        spareNormal = undefined;
        return z;
      }
      // Polar Box–Muller: no trig, exact for the pair it produces.
      let u: number;
      let v: number;
      let s: number;
      do {
        u = 2 * rng.next() - 1;
        v = 2 * rng.next() - 1;
        s = u * u + v * v;
      } while (s >= 1 || s === 0);
      const f = Math.sqrt((-2 * Math.log(s)) / s);
      spareNormal = v * f;
      return u * f;
    },

    gamma(shape, scale = 1) {
      if (!(shape > 0) || !(scale > 0)) throw new RangeError(`gamma needs shape, scale > 0, got ${shape}, ${scale}`);
      if (shape < 1) {
        // Boost: Gamma(a) = Gamma(a + 1) · U^(1/a).
        return rng.gamma(shape + 1, scale) * Math.pow(1 - rng.next(), 1 / shape);
      }
      // Marsaglia & Tsang (2000).
      const d = shape - 1 / 3;
      const c = 1 / Math.sqrt(9 * d);
      for (;;) {
        let x: number;
        let v: number;
        do {
          x = rng.normal();
          v = 1 + c * x;
        } while (v <= 0);
        v = v * v * v;
        const u = 1 - rng.next();
        if (u < 1 - 0.0331 * x * x * x * x) return d * v * scale;
        if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v * scale;
      }
    },

    poisson(mean) {
      if (!(mean >= 0) || !Number.isFinite(mean)) throw new RangeError(`poisson needs a finite mean ≥ 0, got ${mean}`);
      if (mean === 0) return 0;
      if (mean < 30) {
        // Knuth's product of uniforms: O(mean) draws, exact, fast for the small means used here.
        const limit = Math.exp(-mean);
        let k = 0;
        let p = rng.next();
        while (p > limit) {
          k++;
          p *= rng.next();
        }
        return k;
      }
      // Hörmann's PTRS transformed rejection (1993): O(1) draws for large means.
      const smu = Math.sqrt(mean);
      const b = 0.931 + 2.53 * smu;
      const a = -0.059 + 0.02483 * b;
      const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
      const vr = 0.9277 - 3.6224 / (b - 2);
      const logMean = Math.log(mean);
      for (;;) {
        const u = rng.next() - 0.5;
        const v = rng.next();
        const us = 0.5 - Math.abs(u);
        const k = Math.floor(((2 * a) / us + b) * u + mean + 0.43);
        if (us >= 0.07 && v <= vr) return k;
        if (k < 0 || (us < 0.013 && v > us)) continue;
        if (Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <= -mean + k * logMean - logGamma(k + 1)) {
          return k;
        }
      }
    },

    shuffle(array) {
      for (let i = array.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        const tmp = array[i];
        array[i] = array[j];
        array[j] = tmp;
      }
      return array;
    },

    pick(array) {
      if (array.length === 0) throw new RangeError('pick needs a non-empty array');
      return array[rng.int(array.length)];
    },
  };
  return rng;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
