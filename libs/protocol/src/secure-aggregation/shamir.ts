import { bigintToBytes, bytesToBigint, FIELD_BYTES, FIELD_PRIME, invert, mod, randomFieldElement } from './prime-field';
import { SecureAggregationError } from './secure-aggregation-error';

/**
 * Shamir secret sharing (Shamir 1979) over GF(2^521 − 1): the secret is f(0) of a random
 * polynomial of degree t − 1 and share i is (x_i, f(x_i)). Any t shares give f(0) by
 * Lagrange interpolation; t − 1 shares are consistent with every possible secret, so they
 * say nothing about it.
 */
export interface Share {
  /** The holder's x coordinate: its 1-based index in the round's roster (never 0). */
  readonly x: number;
  /** f(x) in GF(2^521 − 1). */
  readonly y: bigint;
}

/** Largest secret: 65 bytes (520 bits) always lies below the 521-bit prime. */
const MAX_SECRET_BYTES = FIELD_BYTES - 1;

function invalid(message: string): SecureAggregationError {
  return new SecureAggregationError('INVALID_INPUT', message);
}

function checkXs(xs: readonly number[]): void {
  const seen = new Set<number>();
  for (const x of xs) {
    if (!Number.isSafeInteger(x) || x < 1) throw invalid(`share x must be an integer ≥ 1, got ${x}`);
    if (seen.has(x)) throw invalid(`share x = ${x} appears twice`);
    seen.add(x);
  }
}

/** Splits a secret (≤ 65 bytes) into one share per x, any `threshold` of which recover it. */
export function splitSecret(secret: Uint8Array, threshold: number, xs: readonly number[]): Share[] {
  if (secret.length === 0 || secret.length > MAX_SECRET_BYTES) {
    throw invalid(`a secret must be 1 to ${MAX_SECRET_BYTES} bytes, got ${secret.length}`);
  }
  checkXs(xs);
  if (!Number.isSafeInteger(threshold) || threshold < 1 || threshold > xs.length) {
    throw invalid(`threshold must be an integer in [1, ${xs.length}] (the number of shares), got ${threshold}`);
  }
  // f(x) = s + a1·x + … + a_{t−1}·x^(t−1), coefficients uniform in the field.
  const coefficients = [bytesToBigint(secret)];
  for (let i = 1; i < threshold; i++) coefficients.push(randomFieldElement());
  return xs.map((x) => {
    const bx = BigInt(x);
    let y = 0n;
    for (let i = coefficients.length - 1; i >= 0; i--) y = mod(y * bx + coefficients[i]!);
    return { x, y };
  });
}

/** Lagrange interpolation of f(at) through the given points (no threshold check). */
export function interpolate(shares: readonly Share[], at = 0): bigint {
  checkXs(shares.map((s) => s.x));
  const t = BigInt(at);
  let result = 0n;
  for (const [i, si] of shares.entries()) {
    let numerator = 1n;
    let denominator = 1n;
    for (const [j, sj] of shares.entries()) {
      if (i === j) continue;
      numerator = mod(numerator * (t - BigInt(sj.x)));
      denominator = mod(denominator * (BigInt(si.x) - BigInt(sj.x)));
    }
    result = mod(result + si.y * numerator * invert(denominator));
  }
  return result;
}

/**
 * The secret from at least `threshold` shares, as `byteLength` bytes. Fewer shares are
 * refused (TOO_FEW_SHARES). Shares beyond the first t must lie on the same polynomial,
 * and the result must fit in byteLength bytes; anything else is BAD_SHARE (a tampered or
 * misattributed share, or shares of different secrets).
 */
export function combineShares(shares: readonly Share[], threshold: number, byteLength: number): Uint8Array {
  if (!Number.isSafeInteger(threshold) || threshold < 1) throw invalid(`threshold must be an integer ≥ 1, got ${threshold}`);
  if (shares.length < threshold) {
    throw new SecureAggregationError('TOO_FEW_SHARES', `need ${threshold} shares to reconstruct a secret, got ${shares.length}`);
  }
  const basis = shares.slice(0, threshold);
  for (const extra of shares.slice(threshold)) {
    if (interpolate(basis, extra.x) !== extra.y) {
      throw new SecureAggregationError('BAD_SHARE', `share x = ${extra.x} is not consistent with the others`);
    }
  }
  const secret = interpolate(basis, 0);
  if (secret >> BigInt(8 * byteLength) !== 0n) {
    throw new SecureAggregationError('BAD_SHARE', `the shares do not reconstruct a ${byteLength}-byte secret`);
  }
  return bigintToBytes(secret, byteLength);
}

/** A share's y as 66 big-endian bytes, for encryption and the wire. */
export function shareValueBytes(share: Share): Uint8Array {
  return bigintToBytes(share.y, FIELD_BYTES);
}

export function shareFromBytes(x: number, bytes: Uint8Array): Share {
  if (bytes.length !== FIELD_BYTES) throw invalid(`a share value is ${FIELD_BYTES} bytes, got ${bytes.length}`);
  const y = bytesToBigint(bytes);
  if (y >= FIELD_PRIME) throw new SecureAggregationError('BAD_SHARE', 'a share value is not a field element');
  return { x, y };
}
