import { toyCohort } from './bench/toy-cohort';
import { m, shuffledRows } from './__fixtures__/matrices';
import { fidelityMetrics } from './fidelity';
import { FedsynthError } from '../errors/fedsynth-error';

describe('fidelityMetrics', () => {
  it('matches a hand computation on a small example', () => {
    // Prepare: pX = [.5, .5, .25, 0], pS = [.25, .25, .25, 0].
    // Deviations from the means (.3125, .1875): X [.1875, .1875, −.0625, −.3125], S [.0625, .0625, .0625, −.1875];
    // Σ dx·ds = .078125, Σ dx² = .171875, Σ ds² = .046875.
    const X = m([[0, 1], [0, 1], [2], []], 4);
    const S = m([[0], [1], [2], []], 4);
    // Execute
    const f = fidelityMetrics(X, S);
    // Assert
    expect(f.prevalence.pearson).toBeCloseTo(0.078125 / Math.sqrt(0.171875 * 0.046875), 12);
    expect(f.prevalence.rmse).toBeCloseTo(Math.sqrt((0.25 ** 2 * 2) / 4), 12);
    expect(f.prevalence.coverage).toBe(1);
    // Sizes X 2,2,1,0 (mean 1.25) vs S 1,1,1,0 (mean .75); histograms [1,1,2] vs [1,3]:
    // TV = ½(0 + .5 + .5) = .5; CDF gaps 0, −.5, 0 → W1 = .5.
    expect(f.codesPerRecord).toEqual({ meanReal: 1.25, meanSynthetic: 0.75, totalVariation: 0.5, wasserstein: 0.5 });
    expect(f.coOccurrence.codes).toBe(3);
  });

  it('counts the codes of X that S never generates', () => {
    const f = fidelityMetrics(m([[0], [1], [2, 3]], 5), m([[0], [0, 2]], 5));
    // X uses 0–3; S has 0 and 2.
    expect(f.prevalence.coverage).toBe(0.5);
  });

  it('gives r = 1 and zero distances for identical data, whatever the row order', () => {
    // Prepare
    const X = toyCohort({ records: 400, codes: 120, seed: 1 });
    // Execute
    const f = fidelityMetrics(X, shuffledRows(X, 9));
    // Assert
    expect(f.prevalence.pearson).toBeCloseTo(1, 12);
    expect(f.prevalence.rmse).toBe(0);
    expect(f.codesPerRecord.totalVariation).toBe(0);
    expect(f.codesPerRecord.wasserstein).toBe(0);
    expect(f.coOccurrence.distance).toBe(0);
  });

  it('refuses matrices over different vocabularies', () => {
    expect(() => fidelityMetrics(m([[0]], 3), m([[0]], 4))).toThrow(FedsynthError);
  });
});
