import { noiseForEpsilon, noiseForRelease, worstSiteEpsilon } from './noise-for-epsilon';

describe('noiseForEpsilon', () => {
  // The smaller site (higher q, fewer records) is the worst at equal epochs.
  const sites = [
    { sampleRate: 100 / 1600, steps: 160 },
    { sampleRate: 100 / 2400, steps: 240 },
  ];

  it('finds the σ at which the worst site meets the target ε, and no smaller one', () => {
    for (const target of [1, 10]) {
      const sigma = noiseForEpsilon(target, 1e-5, sites);
      expect(worstSiteEpsilon(sites, sigma, 1e-5)).toBeLessThanOrEqual(target);
      expect(worstSiteEpsilon(sites, sigma * 0.98, 1e-5)).toBeGreaterThan(target);
    }
    expect(worstSiteEpsilon(sites, 2, 1e-5)).toBe(worstSiteEpsilon([sites[0]!], 2, 1e-5));
  });

  it('matches the published example: Abadi et al. q = 0.01, 10,000 steps, δ = 1e-5 reach ε ≈ 1.26 at σ = 4 (RDP at least as tight)', () => {
    const sigma = noiseForEpsilon(1.26, 1e-5, [{ sampleRate: 0.01, steps: 10_000 }]);
    expect(sigma).toBeLessThanOrEqual(4);
    expect(sigma).toBeGreaterThan(3);
  });

  it('refuses an unusable target', () => {
    expect(() => noiseForEpsilon(0, 1e-5, sites)).toThrow('target ε must be a finite number > 0, got 0');
    expect(() => noiseForEpsilon(1e-4, 1e-5, [{ sampleRate: 1, steps: 1e6 }])).toThrow('needs σ > 100');
  });

  it('counts one-off releases in the budget: a site with a release needs more DP-SGD noise for the same ε', () => {
    const release = { sampleRate: 1, noiseMultiplier: noiseForRelease(2, 1e-5), steps: 1 };
    const withRelease = sites.map((site) => ({ ...site, releases: [release] }));
    const plain = noiseForEpsilon(10, 1e-5, sites);
    const charged = noiseForEpsilon(10, 1e-5, withRelease);
    expect(charged).toBeGreaterThan(plain);
    expect(worstSiteEpsilon(withRelease, charged, 1e-5)).toBeLessThanOrEqual(10);
    // The release alone stays within its share, and composition costs less than the sum of the parts.
    expect(worstSiteEpsilon(withRelease, charged, 1e-5)).toBeLessThan(10 + 2);
  });
});

describe('noiseForRelease', () => {
  it('finds the smallest z of one Gaussian release within ε: larger ε, less noise', () => {
    const z1 = noiseForRelease(1, 1e-5);
    const z2 = noiseForRelease(2, 1e-5);
    expect(z1).toBeGreaterThan(z2);
    // The classical bound z = √(2 ln(1.25/δ)) / ε is looser than RDP's conversion.
    expect(z1).toBeLessThan(Math.sqrt(2 * Math.log(1.25 / 1e-5)));
    expect(z1).toBeGreaterThan(2);
  });
});
