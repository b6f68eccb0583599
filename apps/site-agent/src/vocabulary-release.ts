import { logErfc, matrixRecordCodes, noisyCodeCounts, type DpRandomness, type SampledGaussianSegment } from '@fedsynth/gan';
import type { CodeLevel } from '@fedsynth/protocol';
import type { SiteData } from './site-data';

/**
 * The vocabulary agreement under differential privacy: the codes a site announces come
 * from Gaussian-noised counts over a public domain of codes (libs/gan noisyCodeCounts), so
 * no single patient decides whether a code is announced, and the release is charged to the
 * site's privacy budget. Defaults below: z = 4 costs ε ≈ 1.2 at δ = 1e-5 on its own.
 */
export interface VocabularyReleaseOptions {
  /** z > 0: noise sd ÷ L2 sensitivity of the count vector. Default 4. */
  noiseMultiplier?: number;
  /** m ≥ 1: most codes one record contributes (records with more keep a random m). Default 20. */
  maxCodesPerRecord?: number;
  /**
   * Every code that may be announced, fixed without looking at the records. Default at the
   * category level: every ICD-9 category (icd9CategoryDomain). Required for full codes.
   */
  domain?: readonly string[];
}

export const DEFAULT_VOCABULARY_NOISE = 4;
export const DEFAULT_MAX_CODES_PER_RECORD = 20;

function range(from: number, to: number, width: number, prefix = ''): string[] {
  return Array.from({ length: to - from + 1 }, (_, i) => prefix + String(from + i).padStart(width, '0'));
}

/**
 * All 3-character ICD-9-CM categories as the site's readers roll codes up (icd9Category):
 * 001–999, V01–V91, and the 4-character external causes E000–E999. Public (the ICD-9
 * tabular list's ranges, with unassigned numbers included: harmless, never held), so
 * noising every one of them reveals nothing about which codes the site holds.
 */
export function icd9CategoryDomain(): string[] {
  return [...range(1, 999, 3), ...range(1, 91, 2, 'V'), ...range(0, 999, 3, 'E')];
}

/** Expected codes announced that no record holds, per release: one release in 20 has one. */
export const EXPECTED_FALSE_CODES = 0.05;

/**
 * The announcement threshold: at least k, and high enough that codes nobody holds are
 * rarely announced: the smallest τ ≥ k with domainSize · P(N(0, sd²) ≥ τ − ½) ≤
 * EXPECTED_FALSE_CODES. Post-processing of the noisy counts, so free of privacy cost. The
 * price: a code must be held by about τ records to be announced (τ ≈ 74 at the defaults
 * over the ICD-9 categories), so small sites should join runs with a fixed vocabulary.
 */
export function releaseThreshold(k: number, noiseStd: number, domainSize: number): number {
  let tau = Math.max(1, Math.ceil(k));
  const tail = (t: number) => Math.exp(logErfc((t - 0.5) / (Math.SQRT2 * noiseStd)) - Math.LN2);
  while (domainSize * tail(tau) > EXPECTED_FALSE_CODES) tau++;
  return tau;
}

export interface VocabularyRelease {
  /** Codes whose noisy count reached the threshold, sorted. */
  codes: string[];
  /** What the release cost (one un-sampled Gaussian step), for the site's ledger. */
  cost: SampledGaussianSegment;
  /** τ used and the noise sd, for the site's own log. */
  threshold: number;
  noiseStd: number;
}

/** The domain for a site's code level, or an error saying what to set. */
export function releaseDomain(level: CodeLevel, options: VocabularyReleaseOptions): readonly string[] {
  if (options.domain) return options.domain;
  if (level === 'category') return icd9CategoryDomain();
  throw new Error(
    'a site with a privacy budget announces its codes from noisy counts over a public list of codes; ' +
      'with full (not rolled-up) codes that list must be given (a dictionary of codes), or read the codes rolled up to categories',
  );
}

/** The site's noisy code announcement (computed once per agent: a second release would cost again). */
export function releaseVocabulary(data: SiteData, level: CodeLevel, options: VocabularyReleaseOptions, randomness?: DpRandomness): VocabularyRelease {
  const domain = releaseDomain(level, options);
  const noiseMultiplier = options.noiseMultiplier ?? DEFAULT_VOCABULARY_NOISE;
  const maxCodesPerRecord = options.maxCodesPerRecord ?? DEFAULT_MAX_CODES_PER_RECORD;
  const noiseStd = noiseMultiplier * Math.sqrt(maxCodesPerRecord);
  const threshold = releaseThreshold(data.minCodeCount, noiseStd, domain.length);
  const released = noisyCodeCounts(matrixRecordCodes(data.train.matrix, data.train.vocabulary), {
    domain,
    maxCodesPerRecord,
    noiseMultiplier,
    minCount: threshold,
    ...(randomness ? { randomness } : {}),
  });
  return { codes: released.codes, cost: released.privacyCost, threshold, noiseStd };
}
