import { randomFillSync } from 'node:crypto';
import { createRng } from '../data/simulate/prng';

/**
 * The randomness every differential-privacy mechanism here rests on: which records join a
 * DP-SGD batch (Poisson sampling), the Gaussian noise on a clipped gradient sum, the noise
 * on vocabulary counts and which codes an over-long record keeps. All must be unknown to an
 * adversary. Seeds are not secret (fedsynth.json records the training seed; Math.random's
 * state can be recovered from its outputs), so by default draws come from node:crypto; a
 * seeded source exists for reproducible tests and experiments only.
 *
 * Caveat: this is floating-point Gaussian noise, like TF Privacy's and Opacus's. Textbook
 * DP assumes real-valued noise; Mironov (2012) showed floating-point Laplace samplers can
 * leak through the low bits, and a discrete Gaussian (Canonne, Kamath & Steinke 2020)
 * closes that gap for integer counts. Noise is rounded away for counts (see
 * noisyCodeCounts), which removes the low-bit channel in practice, not in proof.
 */
export interface DpRandomness {
  /** True when draws come from the operating system's CSPRNG. */
  readonly secure: boolean;
  /** Uniform in the open interval (0, 1), with 53 bits of resolution. */
  uniform(): number;
  /** One standard normal (double precision): for a few draws at a time, e.g. per count. */
  normal(): number;
  /** `count` independent standard normals in bulk: for noise on whole tensors. */
  normals(count: number): Float32Array;
}

const TWO_POW_26 = 2 ** 26;
const TWO_POW_53 = 2 ** 53;
const TWO_PI = 2 * Math.PI;

/** (k + 0.5)/2⁵³ for a 53-bit k built from two 32-bit words: never 0, never 1. */
function uniform53(hi: number, lo: number): number {
  return ((hi >>> 5) * TWO_POW_26 + (lo >>> 6) + 0.5) / TWO_POW_53;
}

/**
 * Box–Muller: two independent standard normals from two uniforms in (0, 1), written at
 * out[at] and out[at + 1] (the second only if it fits). With 53-bit uniforms the tails reach
 * √(−2·ln 2⁻⁵⁴) ≈ 8.7 standard deviations, so the truncation changes the distribution by
 * less than 1e-17 in total variation (far below any δ) — unlike 32-bit uniforms, which cut
 * it off at 6.8 sd.
 */
function gaussianPair(u1: number, u2: number, out: Float32Array | Float64Array, at: number): void {
  const r = Math.sqrt(-2 * Math.log(u1));
  const theta = TWO_PI * u2;
  out[at] = r * Math.cos(theta);
  if (at + 1 < out.length) out[at + 1] = r * Math.sin(theta);
}

/** Fills `out` with standard normals from `words`: four words per pair. */
function fillNormals(out: Float32Array, words: Uint32Array): void {
  for (let i = 0, w = 0; i < out.length; i += 2, w += 4) {
    gaussianPair(uniform53(words[w], words[w + 1]), uniform53(words[w + 2], words[w + 3]), out, i);
  }
}

/** Fills an array with uniformly random 32-bit words. */
type FillWords = (target: Uint32Array) => void;

function fromWords(secure: boolean, fill: FillWords): DpRandomness {
  // Single uniforms (batch sampling, count noise) come from a block, refilled when used up:
  // one fill (for node:crypto, one system call) per 8,192 uniforms rather than per draw.
  const block = new Uint32Array(16_384);
  let next = block.length;
  const uniform = (): number => {
    if (next === block.length) {
      fill(block);
      next = 0;
    }
    const u = uniform53(block[next], block[next + 1]);
    next += 2;
    return u;
  };
  // normal() hands out both draws of a pair before making another.
  const pair = new Float64Array(2);
  let spare = false;
  return {
    secure,
    uniform,
    normal() {
      if (spare) {
        spare = false;
        return pair[1];
      }
      gaussianPair(uniform(), uniform(), pair, 0);
      spare = true;
      return pair[0];
    },
    normals(count) {
      if (!Number.isInteger(count) || count < 0) throw new RangeError(`normals(count) needs a whole number ≥ 0, got ${count}`);
      const out = new Float32Array(count);
      const words = new Uint32Array(4 * Math.ceil(count / 2));
      fill(words);
      fillNormals(out, words);
      return out;
    },
  };
}

/** Draws from node:crypto's CSPRNG: what every private release and training run uses. */
export function secureRandomness(): DpRandomness {
  return fromWords(true, (target) => randomFillSync(target));
}

/**
 * Reproducible draws from a seed. Anyone who knows the seed can recompute the noise and
 * subtract it, so a release made with it carries no privacy guarantee against them: for
 * tests and experiments only.
 */
export function seededRandomness(seed: number): DpRandomness {
  const rng = createRng(seed);
  return fromWords(false, (target) => {
    for (let i = 0; i < target.length; i++) target[i] = rng.next() * 4294967296;
  });
}
