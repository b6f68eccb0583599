import { createRng } from '../../data/simulate/prng';
import { matrixFromRows } from '../../data/binary-matrix';
import { bernoulliMixtureBaseline, fitBernoulliMixture, sampleBernoulliMixture } from './bernoulli-mixture';

/** Two clinics: records hold codes 0–4 or codes 5–9 (each with probability 0.8), never both. */
function twoClusters(records: number) {
  const rng = createRng(11);
  return matrixFromRows(
    Array.from({ length: records }, (_, i) => {
      const base = i % 2 === 0 ? 0 : 5;
      return [0, 1, 2, 3, 4].map((c) => base + c).filter(() => rng.next() < 0.8);
    }),
    10,
  );
}

describe('Bernoulli mixture', () => {
  it('recovers two separated clusters', () => {
    // Execute
    const { model, logLikelihood } = fitBernoulliMixture(twoClusters(400), { components: 2, seed: 3 });
    // Assert: one component per clinic, weights about ½, θ ≈ 0.8 inside and ≈ 0 outside.
    const K = model.components;
    const first = model.probabilities[0 * K + 0] > 0.5 ? 0 : 1;
    const second = 1 - first;
    for (let c = 0; c < 5; c++) {
      expect(model.probabilities[c * K + first]).toBeGreaterThan(0.7);
      expect(model.probabilities[(c + 5) * K + first]).toBeLessThan(0.05);
      expect(model.probabilities[(c + 5) * K + second]).toBeGreaterThan(0.7);
    }
    expect(Math.abs(model.weights[0] - 0.5)).toBeLessThan(0.05);
    // EM does not go downhill (up to the small prior).
    for (let i = 1; i < logLikelihood.length; i++) expect(logLikelihood[i]).toBeGreaterThan(logLikelihood[i - 1] - 1e-3);
  });

  it('samples records that keep the clusters apart', () => {
    // Prepare
    const { model } = fitBernoulliMixture(twoClusters(400), { components: 2, seed: 3 });
    // Execute
    const s = sampleBernoulliMixture(model, 1000, 5);
    // Assert: hardly any record mixes the two clinics' codes.
    let mixed = 0;
    for (let r = 0; r < s.rows; r++) {
      const row = Array.from(s.indices.subarray(s.offsets[r], s.offsets[r + 1]));
      if (row.some((c) => c < 5) && row.some((c) => c >= 5)) mixed++;
    }
    expect(mixed).toBeLessThan(30);
    expect(bernoulliMixtureBaseline(twoClusters(100), 1000, { components: 2 }).rows).toBe(1000);
  });

  it('is deterministic for a seed', () => {
    const a = bernoulliMixtureBaseline(twoClusters(100), 200, { components: 3, seed: 8 });
    expect(bernoulliMixtureBaseline(twoClusters(100), 200, { components: 3, seed: 8 })).toEqual(a);
  });
});
