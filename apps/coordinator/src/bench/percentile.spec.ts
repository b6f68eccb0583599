import { percentile } from './percentile';

describe('percentile (nearest rank)', () => {
  it('picks the smallest value with p % of the values at or below it', () => {
    const values = [15, 20, 35, 40, 50];
    expect(percentile(values, 50)).toBe(35);
    expect(percentile(values, 30)).toBe(20);
    expect(percentile(values, 95)).toBe(50);
    expect(percentile(values, 100)).toBe(50);
    expect(percentile([40, 15, 50, 35, 20], 40)).toBe(20);
  });

  it('refuses no values and a p outside (0, 100]', () => {
    expect(() => percentile([], 50)).toThrow('percentile of no values');
    expect(() => percentile([1], 0)).toThrow('percentile must be in (0, 100], got 0');
  });
});
