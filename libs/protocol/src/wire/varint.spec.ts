import { lengthDelimitedKey, lengthDelimitedSize, varintSize, writeVarint } from './varint';

describe('varint', () => {
  it.each([
    [0, [0x00]],
    [1, [0x01]],
    [127, [0x7f]],
    [128, [0x80, 0x01]],
    [300, [0xac, 0x02]],
    [16383, [0xff, 0x7f]],
    [16384, [0x80, 0x80, 0x01]],
    [0xffffffff, [0xff, 0xff, 0xff, 0xff, 0x0f]],
  ])('%d is %j', (value, bytes) => {
    const out = new Uint8Array(8);
    expect(writeVarint(out, 1, value)).toBe(1 + bytes.length);
    expect(Array.from(out.subarray(1, 1 + bytes.length))).toEqual(bytes);
    expect(varintSize(value)).toBe(bytes.length);
  });

  it('refuses values that are not uint32', () => {
    expect(() => varintSize(-1)).toThrow(RangeError);
    expect(() => varintSize(2 ** 32)).toThrow(RangeError);
    expect(() => varintSize(1.5)).toThrow(RangeError);
  });

  it('builds length-delimited keys and sizes', () => {
    expect(Array.from(lengthDelimitedKey(5))).toEqual([0x2a]);
    expect(Array.from(lengthDelimitedKey(16))).toEqual([0x82, 0x01]);
    expect(lengthDelimitedSize(1, 200)).toBe(1 + 2 + 200);
  });
});
