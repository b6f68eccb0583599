import { composeRdp, DEFAULT_RDP_ORDERS, epsilonFromRdp } from '@fedsynth/gan';

/** One site's DP-SGD plan for a whole run: sampling rate q and the steps it will take. */
export interface SitePlan {
  sampleRate: number;
  steps: number;
}

/** ε (at δ) of the worst site of a plan, at noise multiplier σ. */
export function worstSiteEpsilon(sites: readonly SitePlan[], noiseMultiplier: number, delta: number): number {
  let worst = 0;
  for (const site of sites) {
    const rdp = composeRdp([{ sampleRate: site.sampleRate, noiseMultiplier, steps: site.steps }]);
    worst = Math.max(worst, epsilonFromRdp(DEFAULT_RDP_ORDERS, rdp, delta).epsilon);
  }
  return worst;
}

/**
 * The smallest noise multiplier σ (to 3 significant digits, rounded up) at which every site
 * stays within ε at δ over the run's planned steps: ε falls monotonically as σ grows, so a
 * bisection on log σ over [0.3, 100] finds it. Throws when even σ = 100 is not enough.
 */
export function noiseForEpsilon(targetEpsilon: number, delta: number, sites: readonly SitePlan[]): number {
  if (!(targetEpsilon > 0) || !Number.isFinite(targetEpsilon)) throw new RangeError(`target ε must be a finite number > 0, got ${targetEpsilon}`);
  if (sites.length === 0) throw new RangeError('noiseForEpsilon needs at least one site plan');
  let lo = Math.log(0.3);
  let hi = Math.log(100);
  if (worstSiteEpsilon(sites, Math.exp(hi), delta) > targetEpsilon) throw new RangeError(`ε = ${targetEpsilon} needs σ > 100 for these plans: take fewer steps`);
  if (worstSiteEpsilon(sites, Math.exp(lo), delta) <= targetEpsilon) return 0.3;
  for (let i = 0; i < 24; i++) {
    const mid = (lo + hi) / 2;
    if (worstSiteEpsilon(sites, Math.exp(mid), delta) > targetEpsilon) lo = mid;
    else hi = mid;
  }
  // Round up to 3 significant digits: the σ printed is one that meets the target.
  const sigma = Math.exp(hi);
  const scale = 10 ** (Math.floor(Math.log10(sigma)) - 2);
  return Math.ceil(sigma / scale - 1e-9) * scale;
}
