import { mixtureKind, siteMixtures } from './mixture-kind';

describe('mixtureKind', () => {
  // Two sites, 100 and 300 records (w = ¼, ¾); code 0 held by one site only.
  const sites = [
    [0.2, 0.5, 0.1],
    [0.002, 0.5, 0.3],
  ];
  const records = [100, 300];

  it('gives the arithmetic and the logit-averaged (geometric) mixture per code (by hand)', () => {
    const { arithmetic, geometric } = siteMixtures(sites, records);
    expect(arithmetic[0]).toBeCloseTo(0.25 * 0.2 + 0.75 * 0.002, 12);
    const logit = (p: number) => Math.log(p / (1 - p));
    expect(geometric[0]).toBeCloseTo(1 / (1 + Math.exp(-(0.25 * logit(0.2) + 0.75 * logit(0.002)))), 12);
    // Where the sites agree, both mixtures are that prevalence.
    expect(arithmetic[1]).toBeCloseTo(0.5, 12);
    expect(geometric[1]).toBeCloseTo(0.5, 12);
    // A site-specific code comes out far lower in the geometric mixture.
    expect(geometric[0]! / arithmetic[0]!).toBeLessThan(0.5);
  });

  it('fits a generator that follows one mixture to that mixture alone', () => {
    const { arithmetic, geometric } = siteMixtures(sites, records);
    const onGeometric = mixtureKind({ generated: geometric, sites, siteRecords: records });
    expect(onGeometric.geometricRmse).toBe(0);
    expect(onGeometric.fit.geometric).toBeCloseTo(1, 9);
    expect(onGeometric.fit.arithmetic).toBeCloseTo(0, 9);
    const onArithmetic = mixtureKind({ generated: arithmetic, sites, siteRecords: records });
    expect(onArithmetic.arithmeticRmse).toBe(0);
    expect(onArithmetic.fit.arithmetic).toBeCloseTo(1, 9);
    expect(onArithmetic.geometricRmse).toBeGreaterThan(0);
  });

  it('refuses inputs that do not fit, naming what is wrong', () => {
    expect(() => mixtureKind({ generated: [0.1, 0.2], sites, siteRecords: records })).toThrow('2 generated prevalences for 3 codes');
    expect(() => siteMixtures([sites[0]!], [100])).toThrow('need ≥ 2 sites with a record count each, got 1 sites and 1 counts');
    expect(() => mixtureKind({ generated: [0.3], sites: [[0.3], [0.3]], siteRecords: [10, 10] })).toThrow('the two mixtures coincide');
  });
});
