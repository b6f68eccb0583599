import { logAddExp } from './log-math';
import { sampledGaussianRdp } from './sampled-gaussian-rdp';

/**
 * log A_α by brute force, independent of the series: the defining integral
 * A_α = ∫ μ0(z)·((1−q) + q·e^((2z−1)/(2σ²)))^α dz by the trapezoid rule on a fine grid
 * (spectrally accurate for a smooth, fast-decaying integrand), in log space.
 */
function logABruteForce(q: number, sigma: number, alpha: number): number {
  const h = sigma / 400;
  const from = -14 * sigma;
  const to = alpha + 14 * sigma;
  const logNorm = -Math.log(sigma * Math.sqrt(2 * Math.PI));
  const logQ = Math.log(q);
  const log1mQ = Math.log1p(-q);
  let acc = -Infinity;
  for (let z = from; z <= to; z += h) {
    const ratio = logAddExp(log1mQ, logQ + (2 * z - 1) / (2 * sigma * sigma));
    acc = logAddExp(acc, logNorm - (z * z) / (2 * sigma * sigma) + alpha * ratio);
  }
  return acc + Math.log(h);
}

describe('sampledGaussianRdp', () => {
  it('is the plain Gaussian α/(2σ²) without sampling (q = 1)', () => {
    for (const [sigma, alpha] of [[1, 2], [4, 32], [0.7, 1.5], [10, 20]]) {
      expect(sampledGaussianRdp(1, sigma, alpha)).toBe(alpha / (2 * sigma * sigma));
    }
  });

  it('costs nothing when no record is sampled and everything without noise', () => {
    expect(sampledGaussianRdp(0, 1, 5)).toBe(0);
    expect(sampledGaussianRdp(0, 0, 5)).toBe(0);
    expect(sampledGaussianRdp(0.01, 0, 5)).toBe(Infinity);
  });

  // log A_α from multi-precision quadrature of the defining integral: mpmath 1.3,
  // mp.dps = 40, quad(μ0·(μ/μ0)^α, breakpoints around 0, z0 and α, maxdegree = 12) —
  // the method of TF Privacy's and dp_accounting's `test_compute_log_a_equals_mp`, whose
  // (q, σ, α) list the first ten cases are (the hard corners: tiny q, tiny σ, α near 1,
  // α = 256, q near 1). The last two are extra fractional cases.
  it.each([
    [1e-7, 0.1, 1.01, 4.0034123225263986e-8],
    [1e-6, 0.1, 256, 3260463.2292971608],
    [1e-5, 0.1, 256.1, 3263607.0397884213],
    [1e-6, 1, 27, 8.7695113048484979e-10],
    [1e-4, 1, 1.5, 6.4426869538366497e-9],
    [1e-3, 1, 2, 1.7182803522145154e-6],
    [0.01, 10, 20, 0.00019129699912842963],
    [0.1, 100, 20.5, 0.00019991818458068296],
    [0.99, 0.1, 256, 3263997.4271140211],
    [0.999, 100, 256.1, 3.2601080379731127],
    [0.5, 10, 1.1, 0.00013770600149736032],
    [0.3, 0.7, 7.3, 38.139614375902622],
  ])('log A at q = %p, σ = %p, α = %p matches the multi-precision integral', (q, sigma, alpha, logA) => {
    const computed = sampledGaussianRdp(q, sigma, alpha) * (alpha - 1);
    // TF Privacy's own tolerance is rtol 1e-4; this implementation is within 1e-8.
    expect(Math.abs(computed - logA)).toBeLessThanOrEqual(1e-8 * logA);
  });

  it.each([
    [0.01, 2.5, 1.5],
    [0.2, 0.9, 3.7],
    [0.05, 1.3, 12.5],
    [0.5, 2, 2.5],
    [0.001, 0.7, 20],
    [0.004, 1.1, 9],
  ])('agrees with brute-force integration at q = %p, σ = %p, α = %p', (q, sigma, alpha) => {
    const computed = sampledGaussianRdp(q, sigma, alpha) * (alpha - 1);
    const integral = logABruteForce(q, sigma, alpha);
    expect(Math.abs(computed - integral)).toBeLessThanOrEqual(1e-9 * Math.abs(integral) + 1e-13);
  });

  it('is continuous between the integer and the fractional formula', () => {
    for (const [q, sigma] of [[0.01, 1], [0.1, 0.8], [0.5, 3]]) {
      for (const alpha of [2, 3, 8, 32]) {
        const exact = sampledGaussianRdp(q, sigma, alpha);
        expect(sampledGaussianRdp(q, sigma, alpha + 1e-9)).toBeCloseTo(exact, 7);
        expect(sampledGaussianRdp(q, sigma, alpha - 1e-9)).toBeCloseTo(exact, 7);
      }
    }
  });

  it('is non-decreasing in the order α and below the unsampled Gaussian', () => {
    const q = 0.02;
    const sigma = 1.1;
    let previous = 0;
    for (let alpha = 1.1; alpha < 64; alpha += 0.3) {
      const rdp = sampledGaussianRdp(q, sigma, alpha);
      expect(rdp).toBeGreaterThanOrEqual(previous * (1 - 1e-12));
      expect(rdp).toBeLessThanOrEqual(alpha / (2 * sigma * sigma));
      previous = rdp;
    }
  });

  it('approaches α·q²·(e^(1/σ²) − 1)/2 for small q (second-order term of the binomial expansion)', () => {
    // A_α = E_μ0[(1 + q(X − 1))^α] with X = μ1/μ0, E[X] = 1, E[X²] = e^(1/σ²), so
    // log A_α = C(α,2)·q²·(e^(1/σ²) − 1) + O(q³) and ε(α) = log A_α/(α − 1). (Abadi et al.
    // 2016, Lemma 3, bound the same moment by q²α(α−1)/((1−q)σ²), twice this.)
    const q = 1e-3;
    const sigma = 4;
    for (const alpha of [2, 4, 8, 5.5]) {
      const leading = (alpha * q * q * Math.expm1(1 / (sigma * sigma))) / 2;
      expect(sampledGaussianRdp(q, sigma, alpha) / leading).toBeCloseTo(1, 2);
      expect(sampledGaussianRdp(q, sigma, alpha)).toBeLessThan((q * q * alpha) / ((1 - q) * sigma * sigma));
    }
  });
});
