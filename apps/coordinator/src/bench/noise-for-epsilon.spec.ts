import { noiseForEpsilon, worstSiteEpsilon } from './noise-for-epsilon';

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
});
