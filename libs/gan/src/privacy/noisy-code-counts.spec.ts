import { matrixFromRows } from '../data/binary-matrix';
import { createVocabulary } from '../data/vocabulary';
import { seededRandomness } from './dp-randomness';
import { matrixRecordCodes, noisyCodeCounts } from './noisy-code-counts';
import { computeEpsilon } from './rdp-accountant';

/** A seeded source so runs are reproducible (production uses node:crypto). */
function seeded(seed: number) {
  return { randomness: seededRandomness(seed) };
}

const DOMAIN = ['250', '401', '414', '427', '428', '584', 'V45'];

describe('noisyCodeCounts', () => {
  it('counts each record once per code, cuts long records to m codes, and thresholds at k', () => {
    const records = [
      ['401', '401', '250'], // a repeat counts once
      ['401', '428'],
      ['401', '250', '999'], // 999 is outside the domain: dropped, never released
      ['401', '250', '414', '427', '428', '584'], // 6 codes > m = 4: keeps a random 4
    ];
    // A vanishing noise multiplier shows the counts the noise is added to.
    const result = noisyCodeCounts(records, { domain: DOMAIN, maxCodesPerRecord: 4, noiseMultiplier: 1e-9, minCount: 2, ...seeded(1) });
    const counts = Object.fromEntries(result.noisyCounts);
    expect(counts['V45']).toBe(0);
    expect(counts['401']).toBeGreaterThanOrEqual(3);
    expect(counts['250']).toBeGreaterThanOrEqual(2);
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    expect(total).toBe(2 + 2 + 2 + 4); // record 4 contributes exactly m = 4 codes
    expect(result.truncatedRecords).toBe(1);
    expect(result.occurrencesOutsideDomain).toBe(1);
    expect(result.codes).toEqual(DOMAIN.filter((code) => counts[code] >= 2));
    expect(result.l2Sensitivity).toBe(2);
  });

  it('adds N(0, (z·√m)²) noise to every domain code, so absent codes pass k at the stated rate', () => {
    const domain = Array.from({ length: 40_000 }, (_, i) => `C${i}`);
    const z = 1.2;
    const m = 9;
    const k = 8;
    const result = noisyCodeCounts([], { domain, maxCodesPerRecord: m, noiseMultiplier: z, minCount: k, ...seeded(7) });
    const values = Array.from(result.noisyCounts.values());
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
    expect(result.noiseStd).toBeCloseTo(3.6, 12);
    expect(Math.abs(mean)).toBeLessThan(0.06); // 3 standard errors (3.6/√40000 = 0.018)
    // Rounding adds variance 1/12 to the Gaussian's 3.6² = 12.96.
    expect(Math.sqrt(variance)).toBeGreaterThan(3.6 * 0.98);
    expect(Math.sqrt(variance)).toBeLessThan(Math.sqrt(12.96 + 1 / 12) * 1.02);
    // P(N(0, 3.6²) ≥ 7.5) = 0.018610 (scipy norm.sf(7.5/3.6)); false positives are binomial.
    expect(result.falsePositiveRate).toBeCloseTo(0.018610, 5);
    const expected = result.falsePositiveRate * domain.length;
    expect(Math.abs(result.codes.length - expected)).toBeLessThan(4 * Math.sqrt(expected));
  });

  it('keeps codes held well above k and drops codes held well below it', () => {
    const records = [
      ...Array.from({ length: 200 }, () => ['401', '250']),
      ...Array.from({ length: 2 }, () => ['427']),
    ];
    const result = noisyCodeCounts(records, { domain: DOMAIN, maxCodesPerRecord: 4, noiseMultiplier: 1, minCount: 20, ...seeded(3) });
    expect(result.codes).toContain('401');
    expect(result.codes).toContain('250');
    expect(result.codes).not.toContain('427');
  });

  it('is reproducible for a seed and random by default', () => {
    const options = { domain: DOMAIN, maxCodesPerRecord: 3, noiseMultiplier: 2, minCount: 1 };
    const records = [['401', '250'], ['428']];
    const a = noisyCodeCounts(records, { ...options, ...seeded(5) });
    const b = noisyCodeCounts(records, { ...options, ...seeded(5) });
    expect(Array.from(a.noisyCounts)).toEqual(Array.from(b.noisyCounts));
    const draws = new Set<string>();
    for (let i = 0; i < 5; i++) draws.add(JSON.stringify(Array.from(noisyCodeCounts(records, options).noisyCounts)));
    expect(draws.size).toBeGreaterThan(1);
  });

  it('costs one unsampled Gaussian step at σ = z, which composes with training in the accountant', () => {
    const result = noisyCodeCounts([['401']], { domain: DOMAIN, maxCodesPerRecord: 16, noiseMultiplier: 4, minCount: 10, ...seeded(2) });
    expect(result.privacyCost).toEqual({ sampleRate: 1, noiseMultiplier: 4, steps: 1 });
    const vocabularyOnly = computeEpsilon([result.privacyCost], { delta: 1e-5 });
    // RDP α/(2z²) = α/32; the improved conversion gives ε = 1.0126 at α = 18 for δ = 1e-5.
    expect(vocabularyOnly.rdp[vocabularyOnly.orders.indexOf(32)]).toBeCloseTo(1, 12);
    expect(vocabularyOnly.epsilon).toBeGreaterThan(1);
    expect(vocabularyOnly.epsilon).toBeLessThan(1.5);
    const withTraining = computeEpsilon([result.privacyCost, { sampleRate: 0.01, noiseMultiplier: 1.1, steps: 1000 }], { delta: 1e-5 });
    expect(withTraining.epsilon).toBeGreaterThan(vocabularyOnly.epsilon);
  });

  it.each([
    [{ domain: [] }, 'domain must list at least one code'],
    [{ domain: ['401', '401'] }, 'domain must not repeat a code'],
    [{ maxCodesPerRecord: 0 }, 'maxCodesPerRecord must be an integer ≥ 1, got 0'],
    [{ noiseMultiplier: 0 }, 'noiseMultiplier must be a finite number > 0, got 0'],
    [{ minCount: 0.5 }, 'minCount must be a number ≥ 1, got 0.5'],
  ])('refuses %j', (override, message) => {
    const options = { domain: DOMAIN, maxCodesPerRecord: 4, noiseMultiplier: 1, minCount: 5, ...override };
    expect(() => noisyCodeCounts([], options)).toThrow(message);
  });
});

describe('matrixRecordCodes', () => {
  it('lists each record’s codes from a matrix and its vocabulary', () => {
    const vocabulary = createVocabulary(['250', '401', '428']);
    const matrix = matrixFromRows([[1, 0], [], [2]], 3);
    expect(Array.from(matrixRecordCodes(matrix, vocabulary))).toEqual([['250', '401'], [], ['428']]);
    expect(() => Array.from(matrixRecordCodes(matrix, createVocabulary(['250'])))).toThrow(
      'vocabulary has 1 codes but the matrix has 3 columns',
    );
  });
});
