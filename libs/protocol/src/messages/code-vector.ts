import { ProtocolError } from '../errors/protocol-error';
import type { ProtocolLimits } from '../limits';
import { float32FromLittleEndian, littleEndianBytes } from '../tensors/byte-order';

/**
 * One float32 per vocabulary code (a site's code counts, the pooled prevalences), sent as
 * little-endian bytes like tensors. Checked the same on encode and decode: whole floats, at
 * most `maxCodes`, every value finite and within [0, max] (and whole, for counts). Decoding copies, so the vector
 * outlives the message buffer. Pure.
 */
export function checkCodeVector(values: Float32Array | Uint8Array, field: string, limits: ProtocolLimits, max: number, options: { integers?: boolean } = {}): Float32Array {
  let vector: Float32Array;
  if (values instanceof Float32Array) {
    vector = values;
  } else {
    if (values.length % 4 !== 0) throw new ProtocolError('INVALID_VALUE', `${values.length} bytes is not a whole number of float32 values`, { field });
    vector = float32FromLittleEndian(values, { copy: true });
  }
  if (vector.length > limits.maxCodes) throw new ProtocolError('TOO_LARGE', `${vector.length} values, more than the ${limits.maxCodes} codes allowed`, { field });
  for (let i = 0; i < vector.length; i++) {
    const v = vector[i];
    if (!Number.isFinite(v)) throw new ProtocolError('NON_FINITE', `value ${i} is ${v}`, { field });
    if (v < 0 || v > max) throw new ProtocolError('INVALID_VALUE', `value ${i} is ${v}, outside [0, ${max}]`, { field });
    if (options.integers && !Number.isInteger(v)) throw new ProtocolError('INVALID_VALUE', `value ${i} is ${v}, not a whole count`, { field });
  }
  return vector;
}

/** The wire form of a checked code vector. */
export function codeVectorBytes(vector: Float32Array): Uint8Array {
  return littleEndianBytes(vector);
}
