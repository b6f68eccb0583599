import { composeRdp, DEFAULT_RDP_ORDERS, epsilonFromRdp, type SampledGaussianSegment } from '@fedsynth/gan';

/** One site's DP-SGD plan for a whole run: sampling rate q and the steps it will take. */
export interface SitePlan {
  sampleRate: number;
  steps: number;
  /** One-off releases charged to the same budget (e.g. marginal matching's prevalences). */
  releases?: readonly SampledGaussianSegment[];
}

/** ε (at δ) of the worst site of a plan, at noise multiplier σ. */
export function worstSiteEpsilon(sites: readonly SitePlan[], noiseMultiplier: number, delta: number): number {
  let worst = 0;
  for (const site of sites) {
    const rdp = composeRdp([{ sampleRate: site.sampleRate, noiseMultiplier, steps: site.steps }, ...(site.releases ?? [])]);
    worst = Math.max(worst, epsilonFromRdp(DEFAULT_RDP_ORDERS, rdp, delta).epsilon);
  }
  return worst;
}

/**
 * The smallest noise multiplier in [0.3, 100] (to 3 significant digits, rounded up) at which
 * `epsilonAt(σ)` ≤ target: ε falls monotonically as σ grows, so a bisection on log σ finds it.
 * Throws when even σ = 100 is not enough.
 */
function smallestNoise(targetEpsilon: number, epsilonAt: (sigma: number) => number, what: string): number {
  if (!(targetEpsilon > 0) || !Number.isFinite(targetEpsilon)) throw new RangeError(`target ε must be a finite number > 0, got ${targetEpsilon}`);
  let lo = Math.log(0.3);
  let hi = Math.log(100);
  if (epsilonAt(Math.exp(hi)) > targetEpsilon) throw new RangeError(`ε = ${targetEpsilon} needs σ > 100 for ${what}`);
  if (epsilonAt(Math.exp(lo)) <= targetEpsilon) return 0.3;
  for (let i = 0; i < 24; i++) {
    const mid = (lo + hi) / 2;
    if (epsilonAt(Math.exp(mid)) > targetEpsilon) lo = mid;
    else hi = mid;
  }
  // Round up to 3 significant digits: the σ printed is one that meets the target.
  const sigma = Math.exp(hi);
  const scale = 10 ** (Math.floor(Math.log10(sigma)) - 2);
  return Math.ceil(sigma / scale - 1e-9) * scale;
}

/**
 * The smallest DP-SGD noise multiplier σ at which every site stays within ε at δ over the
 * run's planned steps (and its planned one-off releases).
 */
export function noiseForEpsilon(targetEpsilon: number, delta: number, sites: readonly SitePlan[]): number {
  if (sites.length === 0) throw new RangeError('noiseForEpsilon needs at least one site plan');
  return smallestNoise(targetEpsilon, (sigma) => worstSiteEpsilon(sites, sigma, delta), 'these plans: take fewer steps');
}

/** The smallest noise multiplier z of one un-sampled Gaussian release that costs at most ε at δ on its own. */
export function noiseForRelease(targetEpsilon: number, delta: number): number {
  return smallestNoise(
    targetEpsilon,
    (z) => epsilonFromRdp(DEFAULT_RDP_ORDERS, composeRdp([{ sampleRate: 1, noiseMultiplier: z, steps: 1 }]), delta).epsilon,
    'one release',
  );
}
