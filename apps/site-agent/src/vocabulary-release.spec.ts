import { createVocabulary, matrixFromRows, seededRandomness } from '@fedsynth/gan';
import type { SiteData } from './site-data';
import { icd9CategoryDomain, releaseDomain, releaseThreshold, releaseVocabulary } from './vocabulary-release';

/** 600 patients: 401 in every record, 428 in half, 250 in 3 records only. */
function siteData(minCodeCount: number): SiteData {
  const vocabulary = createVocabulary(['250', '401', '428']);
  const col = (code: string) => vocabulary.codes.indexOf(code);
  const rows = Array.from({ length: 600 }, (_, r) => [col('401'), ...(r % 2 === 0 ? [col('428')] : []), ...(r < 3 ? [col('250')] : [])].sort((a, b) => a - b));
  const dataset = { matrix: matrixFromRows(rows, 3), vocabulary } as unknown as SiteData['train'];
  return { train: dataset, holdout: dataset, minCodeCount, read: { format: 'long', input: 'x', rollup: true } } as SiteData;
}

describe('icd9CategoryDomain', () => {
  it('lists every ICD-9 category once, as the readers roll codes up', () => {
    const domain = icd9CategoryDomain();
    expect(domain.length).toBe(999 + 91 + 1000);
    expect(new Set(domain).size).toBe(domain.length);
    expect(domain.slice(0, 2)).toEqual(['001', '002']);
    expect(domain).toEqual(expect.arrayContaining(['038', '401', '999', 'V01', 'V45', 'V91', 'E000', 'E878', 'E999']));
    expect(domain).not.toContain('V00');
  });
});

describe('releaseThreshold', () => {
  it('is k when the noise is small, and rises until 0.05 false codes are expected', () => {
    expect(releaseThreshold(5, 0.5, 2090)).toBe(5);
    // sd 17.9 (z = 4, m = 20) over 2090 codes: P(N ≥ τ − ½) ≤ 0.05/2090 = 2.4e-5 needs τ − ½ ≥ 4.07 sd.
    const tau = releaseThreshold(5, 17.9, 2090);
    expect(tau).toBe(Math.ceil(0.5 + 4.066 * 17.9));
    expect(releaseThreshold(100, 17.9, 2090)).toBe(100);
  });
});

describe('releaseVocabulary', () => {
  it('announces the codes held by many records, not the one held by 3, and costs one Gaussian step', () => {
    const release = releaseVocabulary(siteData(2), 'category', { noiseMultiplier: 2, maxCodesPerRecord: 4 }, seededRandomness(7));
    expect(release.noiseStd).toBeCloseTo(4, 10);
    expect(release.threshold).toBeGreaterThan(2);
    expect(release.codes).toEqual(['401', '428']);
    expect(release.cost).toEqual({ sampleRate: 1, noiseMultiplier: 2, steps: 1 });
  });

  it('needs a public domain for full codes', () => {
    expect(() => releaseDomain('full', {})).toThrow(/with full \(not rolled-up\) codes that list must be given/);
    expect(releaseDomain('full', { domain: ['4019'] })).toEqual(['4019']);
  });
});
