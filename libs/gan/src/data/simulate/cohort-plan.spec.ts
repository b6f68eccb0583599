import { splitPatients } from './cohort-plan';

describe('splitPatients', () => {
  it('takes the holdout first and splits the rest by share', () => {
    expect(splitPatients(1000, 0.1, [1, 1, 1])).toEqual({ sitePatients: [300, 300, 300], holdoutPatients: 100 });
    expect(splitPatients(46520, 0.1, [0.5, 0.3, 0.2])).toEqual({ sitePatients: [20934, 12560, 8374], holdoutPatients: 4652 });
  });

  it('sums to the total, with at least one patient per site', () => {
    const split = splitPatients(13, 0.25, [0.98, 0.01, 0.01]);
    expect(split.holdoutPatients).toBe(3);
    expect(split.sitePatients.reduce((s, n) => s + n, 0)).toBe(10);
    expect(Math.min(...split.sitePatients)).toBe(1);
  });

  it('writes no holdout at fraction 0 and at least one patient for any positive fraction', () => {
    expect(splitPatients(5, 0, [1]).holdoutPatients).toBe(0);
    expect(splitPatients(5, 0.01, [1]).holdoutPatients).toBe(1);
  });

  it('refuses more sites than patients left', () => {
    expect(() => splitPatients(3, 0.5, [1, 1])).toThrow('3 patients leave 1 for 2 sites');
  });
});
