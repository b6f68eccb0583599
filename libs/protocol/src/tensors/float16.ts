/**
 * IEEE 754 binary16 ("half") conversions, used to halve weight updates on the wire.
 * float32 → float16 rounds to nearest, ties to even, like hardware converters; values
 * beyond ±65504 become ±Infinity, tiny values become subnormals or signed zero, NaN
 * stays NaN. float16 → float32 is exact (every half is a float).
 */

export const FLOAT16_MAX = 65504;
/** Smallest positive normal half (2^-14); below it precision degrades to subnormals. */
export const FLOAT16_MIN_NORMAL = 2 ** -14;

const SIGN_MASK = 0x8000;
const HALF_EXP_MASK = 0x7c00;

/** Half bits of a float32 given by its raw bits. */
function float32BitsToFloat16Bits(bits: number): number {
  const sign = (bits >>> 16) & SIGN_MASK;
  const exp = (bits >>> 23) & 0xff;
  const mant = bits & 0x7fffff;

  if (exp === 0xff) {
    // Infinity keeps its sign; NaN keeps its top payload bits and stays a (quiet) NaN.
    return mant === 0 ? sign | HALF_EXP_MASK : sign | HALF_EXP_MASK | 0x200 | (mant >>> 13);
  }

  const halfExp = exp - 112; // rebias: -127 + 15
  if (halfExp >= 0x1f) return sign | HALF_EXP_MASK; // too large: overflow to infinity

  if (halfExp <= 0) {
    // Subnormal half (or zero): value = m × 2^-24 with m = significand >> (14 - halfExp).
    const shift = 14 - halfExp;
    if (shift > 24) return sign; // below half the smallest subnormal: rounds to zero
    const significand = mant | 0x800000;
    let half = significand >>> shift;
    const rest = significand & ((1 << shift) - 1);
    const midpoint = 1 << (shift - 1);
    if (rest > midpoint || (rest === midpoint && (half & 1) === 1)) half += 1;
    return sign | half; // a carry into bit 10 correctly yields the smallest normal
  }

  let half = (halfExp << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (half & 1) === 1)) half += 1; // carry may reach infinity, as it should
  return sign | half;
}

/** Exact float value of half bits. */
function float16BitsToNumber(half: number): number {
  const sign = half & SIGN_MASK ? -1 : 1;
  const exp = (half >>> 10) & 0x1f;
  const mant = half & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant === 0 ? sign * Infinity : NaN;
  return sign * (1024 + mant) * 2 ** (exp - 25);
}

// Decoding is a table lookup of float32 bit patterns: 65,536 entries (256 KiB), built once,
// exact by construction, written through a Uint32Array view so no value passes through a
// JavaScript double on the way (that round trip costs more than the lookup).
const HALF_TO_FLOAT_BITS = new Uint32Array(0x10000);
{
  const floats = new Float32Array(HALF_TO_FLOAT_BITS.buffer);
  for (let h = 0; h < 0x10000; h++) floats[h] = float16BitsToNumber(h);
}
const HALF_TO_FLOAT = new Float32Array(HALF_TO_FLOAT_BITS.buffer);

const scratchFloat = new Float32Array(1);
const scratchBits = new Uint32Array(scratchFloat.buffer);

/** Half bits of a number, after first rounding it to float32 (as a Float32Array would). */
export function toFloat16Bits(value: number): number {
  scratchFloat[0] = value;
  return float32BitsToFloat16Bits(scratchBits[0]!);
}

/** Float value of half bits (0..65535). */
export function fromFloat16Bits(half: number): number {
  return HALF_TO_FLOAT[half & 0xffff]!;
}

// |x| bits of the normal-half range [2^-14, 65520): there, rounding is pure integer
// arithmetic (rebias, add the round-to-nearest-even bias, shift); everything else
// (subnormal, overflow, Inf, NaN) takes the exact general path.
const NORMAL_LOW = 0x38800000;
const NORMAL_HIGH = 0x477ff000;
const REBIAS = 0x38000000; // (127 - 15) << 23

/**
 * float32 array → half bits (platform byte order), into `out` when given. Returns
 * whether every half is finite alongside, so callers need no second pass.
 */
function convertToHalves(src: Float32Array, out: Uint16Array): boolean {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  let finite = true;
  for (let i = 0; i < bits.length; i++) {
    const b = bits[i]!;
    const abs = b & 0x7fffffff;
    if (abs >= NORMAL_LOW && abs < NORMAL_HIGH) {
      out[i] = ((b >>> 16) & SIGN_MASK) | ((abs - REBIAS + 0xfff + ((abs >>> 13) & 1)) >>> 13);
    } else {
      const half = float32BitsToFloat16Bits(b);
      if ((half & HALF_EXP_MASK) === HALF_EXP_MASK) finite = false;
      out[i] = half;
    }
  }
  return finite;
}

/** float32 array → half bits (platform byte order), into `out` when given. */
export function float32ToFloat16(src: Float32Array, out: Uint16Array = new Uint16Array(src.length)): Uint16Array {
  if (out.length < src.length) throw new RangeError(`output holds ${out.length} halves, need ${src.length}`);
  convertToHalves(src, out);
  return out;
}

/**
 * Half bits of `src`, or undefined if any value would not be a finite half (beyond
 * ±65504, or already NaN/Infinity): the encoder then keeps that tensor float32.
 */
export function float32ToFiniteFloat16(src: Float32Array): Uint16Array | undefined {
  const out = new Uint16Array(src.length);
  return convertToHalves(src, out) ? out : undefined;
}

/** Half bits (platform byte order) → float32 array, into `out` when given. */
export function float16ToFloat32(src: Uint16Array, out: Float32Array = new Float32Array(src.length)): Float32Array {
  if (out.length < src.length) throw new RangeError(`output holds ${out.length} floats, need ${src.length}`);
  const bits = new Uint32Array(out.buffer, out.byteOffset, src.length);
  const table = HALF_TO_FLOAT_BITS;
  for (let i = 0; i < src.length; i++) bits[i] = table[src[i]!]!;
  return out;
}
