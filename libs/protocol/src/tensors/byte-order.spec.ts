import { float32FromLittleEndian, littleEndianBytes, swapBytes, uint16FromLittleEndian } from './byte-order';

describe('byte order', () => {
  const floats = new Float32Array([1, -2.5, 3e-8]);
  const le = new Uint8Array(new DataView(new ArrayBuffer(12)).buffer);
  const dv = new DataView(le.buffer);
  floats.forEach((v, i) => dv.setFloat32(i * 4, v, true));

  it('gives a view of the same memory on little-endian hosts', () => {
    const bytes = littleEndianBytes(floats, true);
    expect(bytes.buffer).toBe(floats.buffer);
    expect(Array.from(bytes)).toEqual(Array.from(le));
  });

  it('byte-swaps on big-endian hosts, both ways', () => {
    const bigEndianMemory = new Float32Array(swapBytes(le, 4).buffer); // what a BE host would hold
    const bytes = littleEndianBytes(bigEndianMemory, false);
    expect(Array.from(bytes)).toEqual(Array.from(le));
    const back = float32FromLittleEndian(le, { hostIsLittleEndian: false });
    expect(Array.from(swapBytes(new Uint8Array(back.buffer), 4))).toEqual(Array.from(le));
  });

  it('reads aligned bytes in place and copies misaligned ones', () => {
    const padded = new Uint8Array(13);
    padded.set(le, 1);
    const misaligned = float32FromLittleEndian(padded.subarray(1), { hostIsLittleEndian: true });
    expect(Array.from(misaligned)).toEqual(Array.from(floats));
    expect(misaligned.buffer).not.toBe(padded.buffer);

    const aligned = float32FromLittleEndian(le, { hostIsLittleEndian: true });
    expect(aligned.buffer).toBe(le.buffer);
    const copied = float32FromLittleEndian(le, { hostIsLittleEndian: true, copy: true });
    expect(copied.buffer).not.toBe(le.buffer);
    expect(Array.from(copied)).toEqual(Array.from(floats));
  });

  it('reads uint16 halves in place or by copy', () => {
    const bytes = new Uint8Array([0x00, 0x3c, 0x00, 0xc0, 0xff]);
    expect(Array.from(uint16FromLittleEndian(bytes.subarray(0, 4), true))).toEqual([0x3c00, 0xc000]);
    expect(Array.from(uint16FromLittleEndian(bytes.subarray(1, 5), true))).toEqual([0x003c, 0xffc0]);
    expect(Array.from(uint16FromLittleEndian(bytes.subarray(0, 4), false))).toEqual([0x003c, 0x00c0]);
  });

  it('copies out of a Node Buffer for real (Buffer#slice would be a view)', () => {
    const pooled = Buffer.alloc(20);
    pooled.set(le, 4);
    const copied = float32FromLittleEndian(pooled.subarray(4, 16), { hostIsLittleEndian: true, copy: true });
    expect(Array.from(copied)).toEqual(Array.from(floats));
    pooled.fill(0);
    expect(Array.from(copied)).toEqual(Array.from(floats));
  });
});
