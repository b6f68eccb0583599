import type { PrivacyProvenance } from '../../model/model-manifest';
import { computeEpsilon, type SampledGaussianSegment } from '../rdp-accountant';
import type { ResolvedDpOptions } from './dp-options';

/** DP-SGD steps taken so far, per network that sees real records. */
export interface DpSteps {
  autoencoder: number;
  discriminator: number;
}

/** What a DP training run has spent: the accountant's inputs and its (ε, δ). */
export interface PrivacySpent {
  readonly clipNorm: number;
  readonly noiseMultiplier: number;
  readonly sampleRate: number;
  readonly steps: Readonly<DpSteps>;
  /** This run's subsampled-Gaussian segments (one per network), for a site's ledger. */
  readonly segments: SampledGaussianSegment[];
  /** ε at `delta` over this run's segments and any prior ones (RDP accountant); Infinity when σ = 0. */
  readonly epsilon: number;
  readonly delta: number;
  /** False when the run used dp.insecureSeed: then the guarantee does not hold against anyone who knows the seed. */
  readonly secureRandomness: boolean;
}

/**
 * The autoencoder's and the discriminator's steps are separate applications of the sampled
 * Gaussian mechanism to the same records, so their RDP adds up (with any earlier rounds').
 */
export function privacySpent(dp: ResolvedDpOptions, steps: Readonly<DpSteps>): PrivacySpent {
  const segments: SampledGaussianSegment[] = [steps.autoencoder, steps.discriminator]
    .filter((n) => n > 0)
    .map((n) => ({ sampleRate: dp.sampleRate, noiseMultiplier: dp.noiseMultiplier, steps: n }));
  const { epsilon } = computeEpsilon([...dp.priorSegments, ...segments], { delta: dp.delta });
  return {
    clipNorm: dp.clipNorm,
    noiseMultiplier: dp.noiseMultiplier,
    sampleRate: dp.sampleRate,
    steps: { ...steps },
    segments,
    epsilon,
    delta: dp.delta,
    secureRandomness: dp.randomness.secure,
  };
}

/**
 * q for an expected batch over a site's records: each record joins each Poisson batch with
 * this probability (1 when the batch is at least the records). The site's ledger plans with
 * it and the coordinator checks a site's step count with it, so both must compute it here.
 */
export function dpSampleRate(expectedBatch: number, records: number): number {
  return Math.min(1, expectedBatch / records);
}

/** Steps in one DP "epoch": the number of Poisson batches that see each record once on average. */
export function dpStepsPerEpoch(sampleRate: number): number {
  return Math.max(1, Math.ceil(1 / sampleRate - 1e-9));
}

/** The expected batch q·records, the divisor of DP-SGD's noisy sum. */
export function expectedBatchSize(sampleRate: number, records: number): number {
  return sampleRate * records;
}

/** The JSON form for fedsynth.json's training provenance (ε = ∞ becomes null). */
export function privacyProvenance(spent: PrivacySpent): PrivacyProvenance {
  return {
    mechanism: 'dp-sgd',
    sampling: 'poisson',
    accountant: 'rdp-sampled-gaussian',
    clipNorm: spent.clipNorm,
    noiseMultiplier: spent.noiseMultiplier,
    sampleRate: spent.sampleRate,
    steps: { ...spent.steps },
    epsilon: Number.isFinite(spent.epsilon) ? spent.epsilon : null,
    delta: spent.delta,
    secureRandomness: spent.secureRandomness,
  };
}
