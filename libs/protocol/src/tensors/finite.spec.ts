import { firstNonFinite, firstNonFiniteHalf } from './finite';

describe('firstNonFinite', () => {
  it('returns -1 for finite data, including extremes and subnormals', () => {
    expect(firstNonFinite(new Float32Array([0, -0, 3.4e38, -3.4e38, 1e-45, 1, 2, 3, 4]))).toBe(-1);
    expect(firstNonFinite(new Float32Array(0))).toBe(-1);
  });

  it.each([NaN, Infinity, -Infinity])('finds %p wherever it is', (bad) => {
    for (const length of [1, 3, 4, 5, 8, 9, 16, 17]) {
      for (let at = 0; at < length; at++) {
        const data = new Float32Array(length).fill(0.5);
        data[at] = bad;
        expect(firstNonFinite(data)).toBe(at);
      }
    }
  });

  it('reports the first of several', () => {
    expect(firstNonFinite(new Float32Array([1, 2, 3, 4, 5, NaN, 7, Infinity]))).toBe(5);
  });

  it('works on a view at an offset', () => {
    const all = new Float32Array([NaN, 1, 2, Infinity]);
    expect(firstNonFinite(all.subarray(1))).toBe(2);
  });
});

describe('firstNonFiniteHalf', () => {
  it('finds half infinities and NaNs', () => {
    expect(firstNonFiniteHalf(new Uint16Array([0x3c00, 0x7bff, 0x0001]))).toBe(-1);
    expect(firstNonFiniteHalf(new Uint16Array([0x3c00, 0xfc00]))).toBe(1);
    expect(firstNonFiniteHalf(new Uint16Array([0x7e00]))).toBe(0);
  });

  it('finds them wherever they are, around the 8-wide steps', () => {
    for (const bad of [0x7c00, 0xfc00, 0x7e01]) {
      for (const length of [1, 7, 8, 9, 16, 17]) {
        for (let at = 0; at < length; at++) {
          const halves = new Uint16Array(length).fill(0x7bff);
          halves[at] = bad;
          expect(firstNonFiniteHalf(halves)).toBe(at);
        }
      }
    }
  });
});
