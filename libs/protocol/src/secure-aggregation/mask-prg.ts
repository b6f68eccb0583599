import { createCipheriv } from 'node:crypto';
import { HOST_IS_LITTLE_ENDIAN, swapBytes } from '../tensors/byte-order';
import { SecureAggregationError } from './secure-aggregation-error';

export const SEED_BYTES = 32;

// Each seed keys exactly one stream (a pair's or a site's own mask in one round), so a
// fixed all-zero IV (32-bit block counter 0, 96-bit nonce 0) never reuses a keystream.
const ZERO_IV = Buffer.alloc(16);

/**
 * Expands a 32-byte seed into `length` uniform 32-bit words with the ChaCha20 stream
 * cipher (RFC 8439, via node:crypto): the keystream is the encryption of zeros. Words are
 * read little-endian on every host, so two sites always expand a seed to the same mask.
 */
export function expandMask(seed: Uint8Array, length: number): Uint32Array {
  if (seed.length !== SEED_BYTES) {
    throw new SecureAggregationError('INVALID_INPUT', `a mask seed is ${SEED_BYTES} bytes, got ${seed.length}`);
  }
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new SecureAggregationError('INVALID_INPUT', `mask length must be an integer ≥ 0, got ${length}`);
  }
  const words = new Uint32Array(length);
  const bytes = new Uint8Array(words.buffer);
  const cipher = createCipheriv('chacha20', seed, ZERO_IV);
  // Encrypt zeros in 1 MiB pieces: the keystream lands in `bytes` without a second copy of
  // a model-sized buffer.
  const piece = 1 << 20;
  const zeros = Buffer.alloc(Math.min(piece, bytes.length));
  for (let offset = 0; offset < bytes.length; offset += piece) {
    const n = Math.min(piece, bytes.length - offset);
    bytes.set(cipher.update(n === zeros.length ? zeros : zeros.subarray(0, n)), offset);
  }
  if (!HOST_IS_LITTLE_ENDIAN) return new Uint32Array(swapBytes(bytes, 4).buffer);
  return words;
}

function checkSameLength(a: Uint32Array, b: Uint32Array): void {
  if (a.length !== b.length) {
    throw new SecureAggregationError('INVALID_INPUT', `vectors differ in length: ${a.length} and ${b.length}`);
  }
}

/** target += source (mod 2^32), in place: a Uint32Array store wraps modulo 2^32. */
export function addInto(target: Uint32Array, source: Uint32Array): Uint32Array {
  checkSameLength(target, source);
  for (let i = 0; i < target.length; i++) target[i] = target[i]! + source[i]!;
  return target;
}

/** target −= source (mod 2^32), in place. */
export function subtractInto(target: Uint32Array, source: Uint32Array): Uint32Array {
  checkSameLength(target, source);
  for (let i = 0; i < target.length; i++) target[i] = target[i]! - source[i]!;
  return target;
}
