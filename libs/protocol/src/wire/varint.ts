/**
 * The two pieces of the protobuf wire format the spliced encoder writes itself: base-128
 * varints (for lengths) and length-delimited field keys. Lengths here are < 2^32.
 */

/** Protobuf wire type of length-delimited fields (bytes, strings, embedded messages). */
export const WIRE_TYPE_LENGTH_DELIMITED = 2;

/** Bytes a uint32 takes as a varint (1..5). */
export function varintSize(value: number): number {
  if (value < 0 || value > 0xffffffff || !Number.isInteger(value)) throw new RangeError(`not a uint32: ${value}`);
  return value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : value < 0x10000000 ? 4 : 5;
}

/** Writes `value` as a varint at `pos`; returns the position after it. */
export function writeVarint(out: Uint8Array, pos: number, value: number): number {
  let v = value >>> 0;
  while (v > 0x7f) {
    out[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  out[pos++] = v;
  return pos;
}

/** Encoded key (field number + wire type) of a length-delimited field. */
export function lengthDelimitedKey(fieldNumber: number): Uint8Array {
  const key = fieldNumber * 8 + WIRE_TYPE_LENGTH_DELIMITED;
  const out = new Uint8Array(varintSize(key));
  writeVarint(out, 0, key);
  return out;
}

/** Bytes of a complete length-delimited field: key, length varint, content. */
export function lengthDelimitedSize(keySize: number, contentSize: number): number {
  return keySize + varintSize(contentSize) + contentSize;
}
