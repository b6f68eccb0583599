import { matrixFromRows } from '../data/binary-matrix';
import { seededRandomness } from './dp-randomness';
import { noisyPrevalence } from './noisy-prevalence';

describe('noisyPrevalence', () => {
  // 4,000 records over 3 codes: prevalences 0.5, 0.1 and 0.
  const rows = Array.from({ length: 4000 }, (_, r) => [...(r % 2 === 0 ? [0] : []), ...(r % 10 === 0 ? [1] : [])]);
  const matrix = matrixFromRows(rows, 3);

  it('releases each prevalence with Gaussian noise of sd z·√m records, costing one un-sampled Gaussian step', () => {
    const release = noisyPrevalence(matrix, { noiseMultiplier: 2, maxCodesPerRecord: 4, randomness: seededRandomness(1) });
    expect(release.noiseStd).toBe(4);
    expect(release.privacyCost).toEqual({ sampleRate: 1, noiseMultiplier: 2, steps: 1 });
    // sd 4 records of 4,000 = 0.001: within 5 sd of the truth, and never below 0.
    expect(Math.abs(release.prevalence[0]! - 0.5)).toBeLessThan(0.005);
    expect(Math.abs(release.prevalence[1]! - 0.1)).toBeLessThan(0.005);
    expect(release.prevalence[2]).toBeGreaterThanOrEqual(0);
    expect(release.prevalence[2]).toBeLessThan(0.005);
  });

  it('is noisy: over many releases the error has the promised spread', () => {
    const errors: number[] = [];
    const randomness = seededRandomness(2);
    for (let i = 0; i < 200; i++) errors.push(noisyPrevalence(matrix, { noiseMultiplier: 5, maxCodesPerRecord: 2, randomness }).prevalence[0]! * 4000 - 2000);
    const sd = Math.sqrt(errors.reduce((a, e) => a + e * e, 0) / errors.length);
    // z·√m = 5·√2 ≈ 7.1 records (rounding adds 1/12 in variance).
    expect(sd).toBeGreaterThan(6);
    expect(sd).toBeLessThan(8.2);
  });

  it('refuses a matrix without records', () => {
    expect(() => noisyPrevalence(matrixFromRows([], 3), { noiseMultiplier: 1, maxCodesPerRecord: 1 })).toThrow('cannot release prevalences of a matrix without records');
  });
});
