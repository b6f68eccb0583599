import { randomBytes } from 'node:crypto';

/**
 * Arithmetic in GF(p) with p = 2^521 − 1, a Mersenne prime. Shamir sharing needs a field
 * larger than the secrets: X25519 private keys and mask seeds are 32 bytes (256 bits), so
 * every secret is an element and a share is 66 bytes. bigint is plenty fast for the few
 * hundred multiplications a round of 20 sites needs.
 */
export const FIELD_PRIME = (1n << 521n) - 1n;
/** Bytes of a field element (521 bits), big-endian on the wire. */
export const FIELD_BYTES = 66;

export function mod(a: bigint): bigint {
  const r = a % FIELD_PRIME;
  return r < 0n ? r + FIELD_PRIME : r;
}

/** Multiplicative inverse by the extended Euclidean algorithm; a must be non-zero mod p. */
export function invert(a: bigint): bigint {
  let [oldR, r] = [mod(a), FIELD_PRIME];
  let [oldS, s] = [1n, 0n];
  if (oldR === 0n) throw new RangeError('0 has no inverse');
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  return mod(oldS);
}

/** A uniformly random element of GF(p) from node:crypto (rejection sampling on 521 bits). */
export function randomFieldElement(): bigint {
  for (;;) {
    const bytes = randomBytes(FIELD_BYTES);
    bytes[0] &= 0x01; // keep 521 bits: 66 bytes = 528 bits, the top 7 cleared
    const value = bytesToBigint(bytes);
    if (value < FIELD_PRIME) return value;
  }
}

export function bytesToBigint(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

/** Big-endian bytes of a non-negative bigint below 2^(8·length). */
export function bigintToBytes(value: bigint, length: number): Uint8Array {
  if (value < 0n || value >> BigInt(8 * length) !== 0n) {
    throw new RangeError(`value does not fit in ${length} bytes`);
  }
  const out = new Uint8Array(length);
  let v = value;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}
