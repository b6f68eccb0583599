import { randomBytes } from 'node:crypto';
import { bigintToBytes, bytesToBigint, FIELD_PRIME, invert, mod } from './prime-field';
import { combineShares, interpolate, shareFromBytes, shareValueBytes, splitSecret } from './shamir';

/** Every k-element subset of items. */
function subsets<T>(items: readonly T[], k: number): T[][] {
  if (k === 0) return [[]];
  if (items.length < k) return [];
  const [head, ...tail] = items;
  return [...subsets(tail, k - 1).map((rest) => [head!, ...rest]), ...subsets(tail, k)];
}

describe('GF(2^521 − 1)', () => {
  it('inverts and reduces', () => {
    for (const a of [1n, 2n, 12345678901234567890n, FIELD_PRIME - 1n]) expect(mod(a * invert(a))).toBe(1n);
    expect(mod(-1n)).toBe(FIELD_PRIME - 1n);
    expect(() => invert(FIELD_PRIME)).toThrow('0 has no inverse');
    expect(bytesToBigint(bigintToBytes(FIELD_PRIME - 1n, 66))).toBe(FIELD_PRIME - 1n);
    expect(() => bigintToBytes(256n, 1)).toThrow('value does not fit in 1 bytes');
  });
});

describe('Shamir secret sharing', () => {
  const secret = new Uint8Array(randomBytes(32));
  const xs = [1, 2, 3, 4, 5, 6];

  it('any t of n shares rebuild the secret', () => {
    const shares = splitSecret(secret, 4, xs);
    for (const subset of subsets(shares, 4)) expect(combineShares(subset, 4, 32)).toEqual(secret);
    expect(combineShares(shares, 4, 32)).toEqual(secret); // all six, extra ones cross-checked
  });

  it('refuses to rebuild from fewer than t shares', () => {
    const shares = splitSecret(secret, 4, xs);
    expect(() => combineShares(shares.slice(0, 3), 4, 32)).toThrow(
      expect.objectContaining({ code: 'TOO_FEW_SHARES', message: 'need 4 shares to reconstruct a secret, got 3' }),
    );
  });

  it('t − 1 shares interpolate to a value unrelated to the secret (not even a 32-byte number)', () => {
    // Interpolating the t − 1 points as if they were all there is lands on a uniformly
    // random field element: below 2^256 with probability 2^−265, equal to the secret never.
    for (let trial = 0; trial < 20; trial++) {
      const shares = splitSecret(secret, 4, xs);
      for (const subset of subsets(shares, 3)) {
        const guess = interpolate(subset, 0);
        expect(guess).not.toBe(bytesToBigint(secret));
        expect(guess >> 256n).not.toBe(0n);
        expect(() => combineShares(subset, 3, 32)).toThrow(expect.objectContaining({ code: 'BAD_SHARE' }));
      }
    }
  });

  it('detects a tampered share among more than t', () => {
    const shares = splitSecret(secret, 3, xs);
    const tampered = shares.map((s, i) => (i === 4 ? { ...s, y: mod(s.y + 1n) } : s));
    expect(() => combineShares(tampered, 3, 32)).toThrow(
      expect.objectContaining({ code: 'BAD_SHARE', message: 'share x = 5 is not consistent with the others' }),
    );
  });

  it('serialises share values as 66 bytes', () => {
    const [share] = splitSecret(secret, 2, [7, 9]);
    const bytes = shareValueBytes(share!);
    expect(bytes).toHaveLength(66);
    expect(shareFromBytes(7, bytes)).toEqual(share);
    expect(() => shareFromBytes(7, bytes.subarray(1))).toThrow('a share value is 66 bytes, got 65');
    expect(() => shareFromBytes(7, new Uint8Array(66).fill(0xff))).toThrow('a share value is not a field element');
  });

  it.each([
    [new Uint8Array(0), 2, [1, 2], 'a secret must be 1 to 65 bytes, got 0'],
    [new Uint8Array(32), 3, [1, 2], 'threshold must be an integer in [1, 2] (the number of shares), got 3'],
    [new Uint8Array(32), 2, [1, 1], 'share x = 1 appears twice'],
    [new Uint8Array(32), 2, [0, 1], 'share x must be an integer ≥ 1, got 0'],
  ])('refuses to split %#', (s, t, points, message) => {
    expect(() => splitSecret(s, t, points)).toThrow(message);
  });
});
