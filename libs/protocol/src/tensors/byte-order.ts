import { endianness } from 'node:os';

/**
 * Tensor bytes are little-endian on the wire. On little-endian hosts (x86, ARM as run
 * everywhere today) typed arrays already are, so encode and decode reuse memory; the
 * byte-swapping copies below keep big-endian hosts correct.
 */
export const HOST_IS_LITTLE_ENDIAN = endianness() === 'LE';

/** Elements are 2 or 4 bytes wide. */
type ElementArray = Float32Array | Uint16Array;

/**
 * Little-endian bytes of a typed array: a view over its memory on little-endian hosts,
 * a byte-swapped copy otherwise.
 */
export function littleEndianBytes(array: ElementArray, hostIsLittleEndian = HOST_IS_LITTLE_ENDIAN): Uint8Array {
  const view = new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
  return hostIsLittleEndian ? view : swapBytes(view, array instanceof Float32Array ? 4 : 2);
}

/**
 * Reverses the byte order of every `width`-byte element into a new (aligned) buffer.
 * The same function converts either way.
 */
export function swapBytes(bytes: Uint8Array, width: 2 | 4): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i + width <= bytes.length; i += width) {
    for (let j = 0; j < width; j++) out[i + j] = bytes[i + width - 1 - j]!;
  }
  return out;
}

/**
 * A copy in a fresh, aligned buffer. Not `bytes.slice()`: on a Node Buffer that is a view.
 */
function copyBytes(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  out.set(bytes);
  return out;
}

/**
 * Float32 values of little-endian bytes (length a multiple of 4). A view when the host is
 * little-endian and the bytes are 4-byte aligned (no copy; it aliases `bytes`), else a copy.
 */
export function float32FromLittleEndian(
  bytes: Uint8Array,
  options: { copy?: boolean; hostIsLittleEndian?: boolean } = {},
): Float32Array {
  const hostLE = options.hostIsLittleEndian ?? HOST_IS_LITTLE_ENDIAN;
  if (!hostLE) return new Float32Array(swapBytes(bytes, 4).buffer);
  if (!options.copy && bytes.byteOffset % 4 === 0) {
    return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
  }
  return new Float32Array(copyBytes(bytes).buffer);
}

/** Uint16 values of little-endian bytes (length even); a view when possible, like above. */
export function uint16FromLittleEndian(bytes: Uint8Array, hostIsLittleEndian = HOST_IS_LITTLE_ENDIAN): Uint16Array {
  if (!hostIsLittleEndian) return new Uint16Array(swapBytes(bytes, 2).buffer);
  if (bytes.byteOffset % 2 === 0) return new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2);
  return new Uint16Array(copyBytes(bytes).buffer);
}
