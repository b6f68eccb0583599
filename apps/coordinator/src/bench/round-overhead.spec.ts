import { median, roundOverhead } from './round-overhead';

describe('round overhead', () => {
  it('is the wall time not spent by the slowest site, as a share of the wall time', () => {
    const o = roundOverhead({ round: 3, phase: 'gan', wallMs: 10_000, siteTrainMs: [6_000, 9_600, 8_000] });

    expect(o.slowestSiteMs).toBe(9_600);
    expect(o.overheadMs).toBe(400);
    expect(o.overheadShare).toBeCloseTo(0.04, 12);
    expect(o).toMatchObject({ round: 3, phase: 'gan', wallMs: 10_000 });
  });

  it('keeps a slightly negative overhead as measured (millisecond timestamps round the wall time)', () => {
    expect(roundOverhead({ round: 0, phase: 'autoencoder', wallMs: 1_000, siteTrainMs: [1_000.4] }).overheadMs).toBeCloseTo(-0.4, 9);
  });

  it('refuses inputs it cannot turn into an overhead, naming the round and the value', () => {
    expect(() => roundOverhead({ round: 2, phase: 'gan', wallMs: 0, siteTrainMs: [1] })).toThrow('round 2: wall time must be a positive number of ms, got 0');
    expect(() => roundOverhead({ round: 2, phase: 'gan', wallMs: 5, siteTrainMs: [] })).toThrow('round 2: no site reported its local training time');
    expect(() => roundOverhead({ round: 4, phase: 'gan', wallMs: 5, siteTrainMs: [1, Number.NaN] })).toThrow("round 4: a site's local training time must be a number ≥ 0 ms, got NaN");
  });
});

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([0.03, 0.01, 0.02])).toBe(0.02);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow('the median of no values is undefined');
  });
});
