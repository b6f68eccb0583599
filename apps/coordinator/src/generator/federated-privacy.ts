import type { FederatedRunOptions } from '../federation/run-options';
import type { RunPrivacySummary } from '../store/privacy.repository';

/** What fedsynth.json says about a DP run's privacy: the mechanism and each site's reported (ε, δ). */
export interface FederatedPrivacyProvenance {
  mechanism: 'dp-sgd';
  sampling: 'poisson';
  /** Each site runs its own RDP accountant (subsampled Gaussian) over everything it released. */
  accountant: 'rdp-sampled-gaussian, per site';
  noiseMultiplier: number;
  clipNorm: number;
  /** q at a site = expectedBatchSize ÷ its records. */
  expectedBatchSize: number;
  /** Off under DP: the discriminator scores each record on its own. */
  minibatchAveraging: false;
  /** Marginal matching, when on: each site's one-off noisy prevalence release (in its ε) and the term's weight. */
  marginals?: { weight: number; noiseMultiplier: number; maxCodesPerRecord: number };
  /** Each site's latest report: the ε it had spent (its vocabulary release included) by that round. */
  sites: RunPrivacySummary['sites'];
  /** The largest ε any site reported: the run's guarantee holds for each site's records at this ε or better. */
  maxEpsilon: number | null;
  delta: number | null;
}

/** The privacy section of a run's exported generator; undefined for a run without dp. */
export function federatedPrivacyProvenance(options: FederatedRunOptions, summary: RunPrivacySummary): FederatedPrivacyProvenance | undefined {
  if (!options.dp) return undefined;
  return {
    mechanism: 'dp-sgd',
    sampling: 'poisson',
    accountant: 'rdp-sampled-gaussian, per site',
    noiseMultiplier: options.dp.noiseMultiplier,
    clipNorm: options.dp.clipNorm,
    expectedBatchSize: options.train.batchSize,
    minibatchAveraging: false,
    ...(options.marginals?.noiseMultiplier ? { marginals: { weight: options.marginals.weight, noiseMultiplier: options.marginals.noiseMultiplier, maxCodesPerRecord: 20 } } : {}),
    sites: summary.sites,
    maxEpsilon: summary.maxEpsilon,
    delta: summary.delta,
  };
}
