import { logAddExp, logErfc, logSubExp } from './log-math';

/**
 * Rényi differential privacy of one step of the sampled Gaussian mechanism (SGM): each
 * record joins the batch independently with probability q (Poisson sampling), the batch's
 * clipped sum (sensitivity 1 after dividing by the clip norm C) gets N(0, σ²) noise.
 *
 * Following Mironov, Talwar & Zhang (2019), "Rényi Differential Privacy of the Sampled
 * Gaussian Mechanism" (arXiv:1908.10530), with μ0 = N(0, σ²), μ1 = N(1, σ²) and the
 * mixture μ = (1−q)·μ0 + q·μ1, the RDP of order α under add/remove-one adjacency is
 *
 *   ε(α) = log(A_α) / (α − 1),   A_α = E_{z∼μ0}[(μ(z)/μ0(z))^α]
 *
 * (their Theorem 4: the other direction D_α(μ0‖μ) never exceeds it). A_α ≥ 1 by Jensen.
 */

/**
 * log A_α for integer α ≥ 2 (paper §3.3, integer case): the binomial expansion of
 * ((1−q) + q·μ1/μ0)^α with E_μ0[(μ1/μ0)^k] = exp((k² − k)/(2σ²)) gives the finite sum
 *
 *   A_α = Σ_{k=0..α} C(α,k)·(1−q)^(α−k)·q^k·exp((k² − k)/(2σ²)).
 */
function logAInteger(q: number, sigma: number, alpha: number): number {
  const logQ = Math.log(q);
  const log1mQ = Math.log1p(-q);
  const twoSigma2 = 2 * sigma * sigma;
  let logBinomial = 0;
  let logA = -Infinity;
  for (let k = 0; k <= alpha; k++) {
    if (k > 0) logBinomial += Math.log(alpha - k + 1) - Math.log(k);
    const term = logBinomial + k * logQ + (alpha - k) * log1mQ + (k * k - k) / twoSigma2;
    logA = logAddExp(logA, term);
  }
  return logA;
}

/**
 * The series stops at the first term past k = α + 1 below exp(−40) (A_α ≥ 1, so it moves
 * log A by < 5e-18) or below 1e-10 of log A so far (so it moves the RDP by < 1e-10 of
 * itself). Past α + 1 the terms alternate in sign with decreasing magnitude, so the
 * dropped tail is smaller than the first dropped term. The relative rule matters when q is
 * large and σ large: there the tail decays only polynomially (like k^(−α−2)).
 */
const ABSOLUTE_STOP = -40;
const LOG_RELATIVE_STOP = Math.log(1e-10);
const MAX_TERMS = 5_000_000;

/**
 * log A_α for fractional α > 1 (paper §3.3, fractional case). The integral is split at
 * z0 = σ²·log(1/q − 1) + 1/2, where (1−q)·μ0(z) = q·μ1(z). Left of z0 the generalised
 * binomial series of ((1−q) + q·μ1/μ0)^α converges (its ratio is below 1), right of z0
 * the series of (q + (1−q)·μ0/μ1)^α·(μ1/μ0)^α does. Each term integrates a Gaussian over
 * a half-line, which is where the erfc factors come from:
 *
 *   A = Σ_k C(α,k)·(1−q)^(α−k)·q^k·e^((k²−k)/2σ²)·½erfc((k − z0)/(√2σ))
 *     + Σ_k C(α,k)·q^(α−k)·(1−q)^k·e^((j²−j)/2σ²)·½erfc((z0 − j)/(√2σ)),  j = α − k.
 *
 * C(α,k) changes sign for k > α + 1, so positive and negative parts are summed
 * separately in log space.
 */
function logAFractional(q: number, sigma: number, alpha: number): number {
  const logQ = Math.log(q);
  const log1mQ = Math.log1p(-q);
  const twoSigma2 = 2 * sigma * sigma;
  const sqrt2Sigma = Math.SQRT2 * sigma;
  const z0 = sigma * sigma * (log1mQ - logQ) + 0.5;
  const logHalf = -Math.LN2;

  let positive = -Infinity;
  let negative = -Infinity;
  // |C(α,k)| and its sign, updated by C(α,k) = C(α,k−1)·(α − k + 1)/k.
  let logAbsBinomial = 0;
  let sign = 1;
  for (let k = 0; k < MAX_TERMS; k++) {
    if (k > 0) {
      const factor = alpha - k + 1;
      logAbsBinomial += Math.log(Math.abs(factor)) - Math.log(k);
      if (factor < 0) sign = -sign;
    }
    const j = alpha - k;
    const left =
      logAbsBinomial + k * logQ + j * log1mQ + (k * k - k) / twoSigma2 + logHalf + logErfc((k - z0) / sqrt2Sigma);
    const right =
      logAbsBinomial + j * logQ + k * log1mQ + (j * j - j) / twoSigma2 + logHalf + logErfc((z0 - j) / sqrt2Sigma);
    const both = logAddExp(left, right);
    if (sign > 0) positive = logAddExp(positive, both);
    else negative = logAddExp(negative, both);
    if (k > alpha + 1) {
      const logA = logSubExp(positive, negative);
      const stop = logA > 0 ? Math.max(ABSOLUTE_STOP, LOG_RELATIVE_STOP + Math.log(logA)) : ABSOLUTE_STOP;
      if (both < stop) return logA;
    }
  }
  throw new Error(`the sampled Gaussian series did not converge (q = ${q}, σ = ${sigma}, α = ${alpha})`);
}

/**
 * RDP ε(α) of one step of the Poisson-sampled Gaussian mechanism. Inputs are assumed
 * valid (see validateSegment in rdp-accountant.ts): 0 ≤ q ≤ 1, σ ≥ 0, α > 1.
 */
export function sampledGaussianRdp(q: number, sigma: number, alpha: number): number {
  if (q === 0) return 0;
  if (sigma === 0 || alpha === Infinity) return Infinity;
  // Without sampling it is the plain Gaussian mechanism: D_α(N(1,σ²)‖N(0,σ²)) = α/(2σ²).
  if (q === 1) return alpha / (2 * sigma * sigma);
  const logA = Number.isInteger(alpha) ? logAInteger(q, sigma, alpha) : logAFractional(q, sigma, alpha);
  // Rounding can leave log A a hair below 0 when the true value is ~1e-17.
  return Math.max(0, logA) / (alpha - 1);
}
