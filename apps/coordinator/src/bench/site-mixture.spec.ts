import { siteMixture } from './site-mixture';

const siteA = [0.1, 0.5, 0.0, 0.2];
const siteB = [0.3, 0.1, 0.4, 0.2];
const siteC = [0.0, 0.2, 0.1, 0.6];
const mix = (w: number[]) => siteA.map((_, j) => w[0]! * siteA[j]! + w[1]! * siteB[j]! + w[2]! * siteC[j]!);

describe('siteMixture', () => {
  it('recovers the weights of an exact mix of the sites', () => {
    const fit = siteMixture({ synthetic: mix([0.2, 0.5, 0.3]), sites: [siteA, siteB, siteC], siteRecords: [100, 300, 100], reference: mix([0.2, 0.6, 0.2]) });
    fit.weights.forEach((w, i) => expect(w).toBeCloseTo([0.2, 0.5, 0.3][i]!, 12));
    expect(fit.pooledShares).toEqual([0.2, 0.6, 0.2]);
    // Swapping the fitted mix for the pooled one leaves nothing wrong.
    expect(fit.rmseAtPooledMixture).toBeCloseTo(0, 12);
  });

  it('keeps an error that is no mix of the sites', () => {
    const offset = [0.01, -0.01, 0.01, -0.01];
    const synthetic = mix([0.2, 0.6, 0.2]).map((p, j) => p + offset[j]!);
    const fit = siteMixture({ synthetic, sites: [siteA, siteB, siteC], siteRecords: [1, 3, 1], reference: mix([0.2, 0.6, 0.2]) });
    // The offset is not orthogonal to the sites' differences, so part of it is read as a mix; the rest remains.
    expect(fit.rmseAtPooledMixture).toBeGreaterThan(0);
    expect(fit.rmseAtPooledMixture).toBeLessThanOrEqual(0.01 + 1e-12);
    expect(fit.weights.reduce((s, w) => s + w, 0)).toBeCloseTo(1, 12);
  });

  it('refuses mismatched inputs and sites that cannot be told apart', () => {
    expect(() => siteMixture({ synthetic: siteA, sites: [siteA], siteRecords: [1], reference: siteA })).toThrow('need ≥ 2 sites');
    expect(() => siteMixture({ synthetic: siteA, sites: [siteA, siteB.slice(0, 3)], siteRecords: [1, 1], reference: siteA })).toThrow('every prevalence vector needs 4 codes, got 3');
    expect(() => siteMixture({ synthetic: siteA, sites: [siteA, siteA], siteRecords: [1, 1], reference: siteA })).toThrow('not identifiable');
  });
});
