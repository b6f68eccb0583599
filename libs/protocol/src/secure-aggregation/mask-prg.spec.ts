import { createCipheriv, randomBytes } from 'node:crypto';
import { addInto, expandMask, subtractInto } from './mask-prg';

describe('expandMask (ChaCha20 keystream as uint32 words)', () => {
  it('runs RFC 8439 ChaCha20: node:crypto reproduces the §2.3.2 block function test vector', () => {
    // Key 00 01 … 1f, nonce 00 00 00 09 00 00 00 4a 00 00 00 00, block counter 1: the
    // serialized block starts 10 f1 e7 e4 d1 3b 59 15. OpenSSL's 16-byte IV is the 32-bit
    // little-endian counter followed by the nonce; expandMask uses counter 0 and nonce 0.
    const key = Buffer.from(Array.from({ length: 32 }, (_, i) => i));
    const iv = Buffer.concat([Buffer.from([1, 0, 0, 0]), Buffer.from('000000090000004a00000000', 'hex')]);
    const block = createCipheriv('chacha20', key, iv).update(Buffer.alloc(64));
    expect(block.subarray(0, 8).toString('hex')).toBe('10f1e7e4d13b5915');
    expect(expandMask(new Uint8Array(key), 16)).toEqual(
      new Uint32Array(new Uint8Array(createCipheriv('chacha20', key, Buffer.alloc(16)).update(Buffer.alloc(64))).buffer),
    );
  });

  it('is deterministic per seed and differs between seeds', () => {
    const seed = new Uint8Array(randomBytes(32));
    const a = expandMask(seed, 1000);
    expect(expandMask(seed, 1000)).toEqual(a);
    expect(expandMask(seed, 10)).toEqual(a.subarray(0, 10));
    const other = expandMask(new Uint8Array(randomBytes(32)), 1000);
    expect(other.filter((w, i) => w === a[i]).length).toBeLessThan(3);
    expect(expandMask(seed, 0)).toHaveLength(0);
  });

  it('spans more than one 1 MiB piece seamlessly', () => {
    const seed = new Uint8Array(randomBytes(32));
    const long = expandMask(seed, (1 << 18) + 5); // 1 MiB + 20 bytes
    expect(long.subarray(0, 1000)).toEqual(expandMask(seed, 1000));
    expect(new Set(long.subarray(long.length - 4)).size).toBe(4);
  });

  it('looks uniform: the top byte of 256k words passes a χ² test', () => {
    const words = expandMask(new Uint8Array(randomBytes(32)), 256 * 1024);
    const counts = new Array<number>(256).fill(0);
    for (const w of words) counts[w >>> 24]!++;
    const expected = words.length / 256;
    const chi2 = counts.reduce((acc, c) => acc + (c - expected) ** 2 / expected, 0);
    // 255 degrees of freedom: the 99.9999th percentile is about 372.
    expect(chi2).toBeLessThan(372);
  });

  it('adds and subtracts modulo 2^32', () => {
    const a = Uint32Array.from([0xffffffff, 5, 0]);
    const b = Uint32Array.from([2, 0xfffffffe, 0]);
    expect(Array.from(addInto(Uint32Array.from(a), b))).toEqual([1, 3, 0]);
    expect(Array.from(subtractInto(addInto(Uint32Array.from(a), b), b))).toEqual(Array.from(a));
    expect(() => addInto(a, new Uint32Array(2))).toThrow('vectors differ in length: 3 and 2');
  });

  it('refuses a seed that is not 32 bytes', () => {
    expect(() => expandMask(new Uint8Array(16), 4)).toThrow('a mask seed is 32 bytes, got 16');
  });
});
