import { SeededRandom } from '../testing/seeded-random';
import {
  FLOAT16_MAX,
  FLOAT16_MIN_NORMAL,
  float16ToFloat32,
  float32ToFiniteFloat16,
  float32ToFloat16,
  fromFloat16Bits,
  toFloat16Bits,
} from './float16';

describe('float16 conversion', () => {
  it.each([
    [0, '0000'],
    [-0, '8000'],
    [1, '3c00'],
    [-2, 'c000'],
    [0.5, '3800'],
    [FLOAT16_MAX, '7bff'],
    [FLOAT16_MIN_NORMAL, '0400'],
    [2 ** -24, '0001'], // smallest subnormal
    [Infinity, '7c00'],
    [-Infinity, 'fc00'],
    [1 / 3, '3555'],
  ])('%p → 0x%s', (value, hex) => {
    expect(toFloat16Bits(value)).toBe(parseInt(hex, 16));
  });

  it('rounds ties to even', () => {
    // 1 + 2^-11 lies halfway between 1 (even mantissa) and 1 + 2^-10: goes down.
    expect(toFloat16Bits(1 + 2 ** -11)).toBe(0x3c00);
    // 1 + 3·2^-11 lies halfway between 1 + 2^-10 (odd) and 1 + 2^-9 (even): goes up.
    expect(toFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    // Just above a midpoint rounds up.
    expect(toFloat16Bits(1 + 2 ** -11 + 2 ** -20)).toBe(0x3c01);
  });

  it('rounds subnormals to nearest even, and underflows to signed zero', () => {
    expect(toFloat16Bits(2 ** -25)).toBe(0x0000); // exactly half the smallest subnormal: tie → even 0
    expect(toFloat16Bits(1.5 * 2 ** -24)).toBe(0x0002); // tie between 1 and 2 → 2
    expect(toFloat16Bits(2 ** -25 + 2 ** -35)).toBe(0x0001);
    expect(toFloat16Bits(-(2 ** -30))).toBe(0x8000);
    expect(toFloat16Bits(FLOAT16_MIN_NORMAL - 2 ** -25)).toBe(0x0400); // carries into the first normal
  });

  it('overflows to infinity past the largest half, rounding first', () => {
    expect(toFloat16Bits(65519)).toBe(0x7bff); // still rounds down to 65504
    expect(toFloat16Bits(65520)).toBe(0x7c00); // tie → even → infinity
    expect(toFloat16Bits(-1e9)).toBe(0xfc00);
  });

  it('keeps NaN a NaN', () => {
    const bits = toFloat16Bits(NaN);
    expect(bits & 0x7c00).toBe(0x7c00);
    expect(bits & 0x3ff).not.toBe(0);
    expect(fromFloat16Bits(bits)).toBeNaN();
  });

  it('round-trips every half exactly through float32', () => {
    const halves = new Uint16Array(0x10000).map((_, i) => i);
    const floats = float16ToFloat32(halves);
    const back = float32ToFloat16(floats);
    const wrong: number[] = [];
    for (let h = 0; h < 0x10000; h++) {
      const isNaN = (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
      if (isNaN ? !Number.isNaN(floats[h]) : back[h] !== h) wrong.push(h);
    }
    expect(wrong).toEqual([]);
  });

  it('converts arrays into a caller buffer and refuses one too small', () => {
    const out = new Uint16Array(3);
    expect(float32ToFloat16(new Float32Array([1, -1, 0.25]), out)).toBe(out);
    expect(Array.from(float16ToFloat32(out))).toEqual([1, -1, 0.25]);
    expect(() => float32ToFloat16(new Float32Array(4), out)).toThrow(RangeError);
  });

  it('is within half an ulp (relative 2^-11) for normal values', () => {
    for (const value of [0.1, 3.14159, -0.0123, 1234.5678, 6.2e-5 * 1.7]) {
      const back = fromFloat16Bits(toFloat16Bits(value));
      expect(Math.abs(back - value) / Math.abs(value)).toBeLessThanOrEqual(2 ** -11);
    }
  });

  it('converts arrays exactly like the scalar reference (fast path included), 262,144 random floats', () => {
    const rng = new SeededRandom(16);
    const floats = new Float32Array(1 << 18);
    const bits = new Uint32Array(floats.buffer);
    for (let i = 0; i < bits.length; i++) {
      // Half the values near the normal-half range edges, half any bit pattern at all.
      bits[i] = rng.bool() ? (rng.int(0x387f0000, 0x47800fff) | (rng.bool() ? 0x80000000 : 0)) >>> 0 : rng.int(0, 0xffffffff);
    }
    const halves = float32ToFloat16(floats);
    const wrong: number[] = [];
    for (let i = 0; i < floats.length; i++) if (halves[i] !== toFloat16Bits(floats[i]!)) wrong.push(bits[i]!);
    expect(wrong.slice(0, 5).map((b) => b.toString(16))).toEqual([]);
  });

  it('reports halves that would not be finite', () => {
    expect(Array.from(float32ToFiniteFloat16(new Float32Array([1, -65504]))!)).toEqual([0x3c00, 0xfbff]);
    expect(float32ToFiniteFloat16(new Float32Array([1, 70000]))).toBeUndefined();
    expect(float32ToFiniteFloat16(new Float32Array([NaN]))).toBeUndefined();
  });
});
