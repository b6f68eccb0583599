/** The dashboard's chart code runs in the browser; its math is checked here, in Node. */
interface ChartsApi {
  niceTicks(min: number, max: number, count?: number): number[];
  scaleLinear(d0: number, d1: number, r0: number, r1: number): (value: number) => number;
  linePath(points: { x: number; y: number }[]): string;
  formatTick(value: number): string;
  extents(series: { points: { x: number; y: number }[] }[]): { xMin: number; xMax: number; yMin: number; yMax: number } | null;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const charts = require('./public/charts.js') as ChartsApi;

describe('dashboard charts', () => {
  it('picks ticks on steps of 1, 2 or 5 × 10^k covering the data', () => {
    expect(charts.niceTicks(0, 10, 5)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(charts.niceTicks(1.21, 1.6, 4)).toEqual([1.2, 1.3, 1.4, 1.5, 1.6]);
    expect(charts.niceTicks(0.417, 0.4214, 4)).toEqual([0.416, 0.418, 0.42, 0.422]);
    expect(charts.niceTicks(3, 97, 4)).toEqual([0, 50, 100]);
  });

  it('keeps an exact 0 tick (multiples of the step, not a running sum)', () => {
    const ticks = charts.niceTicks(-0.15, 0.001, 4);
    expect(ticks).toContain(0);
    expect(ticks.every((t) => t === 0 || Math.abs(t) >= 0.01)).toBe(true);
  });

  it('widens a single value into a range and orders reversed bounds', () => {
    expect(charts.niceTicks(69, 69, 4)).toEqual([60, 65, 70, 75, 80]); // ± 10 %
    expect(charts.niceTicks(0, 0, 4)).toEqual([-1, -0.5, 0, 0.5, 1]);
    expect(charts.niceTicks(10, 0, 5)).toEqual([0, 2, 4, 6, 8, 10]);
    expect(charts.niceTicks(Number.NaN, 1, 4)).toEqual([]);
  });

  it('maps a domain linearly onto pixels (y grows downwards when the range is reversed)', () => {
    const y = charts.scaleLinear(0, 10, 200, 0);
    expect(y(0)).toBe(200);
    expect(y(2.5)).toBe(150);
    expect(y(10)).toBe(0);
    expect(charts.scaleLinear(5, 5, 0, 100)(5)).toBe(50);
  });

  it('draws a path through the points in order', () => {
    expect(charts.linePath([{ x: 1, y: 2 }, { x: 3.456, y: 4 }])).toBe('M1.00 2.00 L3.46 4.00');
    expect(charts.linePath([])).toBe('');
  });

  it('labels ticks briefly', () => {
    expect([0, 0.5, 1.2401, 1234.5, 123_456, 0.000123].map(charts.formatTick)).toEqual(['0', '0.5', '1.24', '1230', '1.2e+5', '1.2e-4']);
  });

  it('finds the extent of the finite points of every series', () => {
    expect(charts.extents([{ points: [{ x: 2, y: 1.3 }, { x: 4, y: Number.NaN }] }, { points: [{ x: 3, y: 0.9 }] }])).toEqual({ xMin: 2, xMax: 3, yMin: 0.9, yMax: 1.3 });
    expect(charts.extents([{ points: [] }])).toBeNull();
  });
});
