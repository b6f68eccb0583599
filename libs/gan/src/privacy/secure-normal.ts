import { randomBytes } from 'node:crypto';

/** A source of standard normal draws (mean 0, sd 1). */
export type NormalSource = () => number;

/** A source of uniform draws in [0, 1). */
export type UniformSource = () => number;

const BUFFER_WORDS = 1024;

/**
 * Uniform doubles in [0, 1) with 53 random bits each, from the operating system's
 * cryptographic generator. Privacy noise must not come from a seeded or predictable
 * generator (Math.random's state can be recovered from its outputs). Bytes are fetched
 * 8 KiB at a time so a million draws cost ~1,000 system calls, not a million.
 */
export function cryptoUniform(): UniformSource {
  let words = new Uint32Array(0);
  let next = 0;
  return () => {
    if (next + 2 > words.length) {
      const bytes = randomBytes(BUFFER_WORDS * 4);
      words = new Uint32Array(bytes.buffer, bytes.byteOffset, BUFFER_WORDS);
      next = 0;
    }
    const high = words[next++] >>> 5; // 27 bits
    const low = words[next++] >>> 6; // 26 bits
    return (high * 67108864 + low) / 9007199254740992; // (high·2^26 + low) / 2^53
  };
}

/**
 * Standard normal draws by the polar Box–Muller method from a uniform source
 * (default: cryptoUniform). Tests pass a seeded source to get reproducible noise.
 *
 * Caveat: this is floating-point Gaussian noise, like TF Privacy's and Opacus's. Textbook
 * DP assumes real-valued noise; Mironov (2012) showed floating-point Laplace samplers can
 * leak through the low bits, and a discrete Gaussian (Canonne, Kamath & Steinke 2020)
 * closes that gap for integer counts. Noise here is rounded away for counts (see
 * noisyCodeCounts), which removes the low-bit channel in practice, not in proof.
 */
export function normalSource(uniform: UniformSource = cryptoUniform()): NormalSource {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const z = spare;
      spare = undefined;
      return z;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * uniform() - 1;
      v = 2 * uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    spare = v * f;
    return u * f;
  };
}
