import type { BinaryMatrix } from '../data/binary-matrix';
import { FedsynthError } from '../errors/fedsynth-error';
import type { DpRandomness } from './dp-randomness';
import { noisyCodeCounts } from './noisy-code-counts';
import type { SampledGaussianSegment } from './rdp-accountant';

export interface NoisyPrevalenceOptions {
  /** z > 0: noise sd ÷ the count vector's L2 sensitivity √m. */
  readonly noiseMultiplier: number;
  /** m ≥ 1: the most codes one record contributes (records with more keep a random m). */
  readonly maxCodesPerRecord: number;
  /** Default secureRandomness(); seededRandomness only in tests. */
  readonly randomness?: DpRandomness;
}

export interface NoisyPrevalence {
  /** Noisy count ÷ records per column, clamped into [0, 1]. */
  readonly prevalence: Float64Array;
  /** z·√m, in records. */
  readonly noiseStd: number;
  /** One un-sampled Gaussian step, for the site's ledger. */
  readonly privacyCost: SampledGaussianSegment;
}

/**
 * Each column's prevalence (share of records holding the code), released with the Gaussian
 * mechanism of noisyCodeCounts over the matrix's own columns: the columns are the run's
 * agreed vocabulary, fixed before these counts are looked at, so every one is noised and
 * none is dropped. Dividing by the record count and clamping are post-processing (the record
 * count itself is not protected here: a site's size is known to its coordinator).
 */
export function noisyPrevalence(matrix: BinaryMatrix, options: NoisyPrevalenceOptions): NoisyPrevalence {
  if (matrix.rows < 1) throw new FedsynthError('cannot release prevalences of a matrix without records', 'PRIVACY_INVALID');
  const domain = Array.from({ length: matrix.cols }, (_, c) => String(c));
  function* records(): Generator<string[]> {
    for (let r = 0; r < matrix.rows; r++) {
      const codes: string[] = [];
      for (let p = matrix.offsets[r]; p < matrix.offsets[r + 1]; p++) codes.push(domain[matrix.indices[p]]);
      yield codes;
    }
  }
  const counts = noisyCodeCounts(records(), { domain, maxCodesPerRecord: options.maxCodesPerRecord, noiseMultiplier: options.noiseMultiplier, minCount: 1, ...(options.randomness ? { randomness: options.randomness } : {}) });
  const prevalence = Float64Array.from(domain, (c) => Math.min(1, Math.max(0, counts.noisyCounts.get(c)! / matrix.rows)));
  return { prevalence, noiseStd: counts.noiseStd, privacyCost: counts.privacyCost };
}
