import type { BinaryMatrix } from '../data/binary-matrix';
import type { Vocabulary } from '../data/vocabulary';
import { FedsynthError } from '../errors/fedsynth-error';
import { logErfc } from './log-math';
import type { SampledGaussianSegment } from './rdp-accountant';
import { secureRandomness, type DpRandomness } from './dp-randomness';

/**
 * Differentially private code counts for the vocabulary agreement: which codes a site
 * holds in at least k records, released with Gaussian noise so that no single patient's
 * presence decides whether a code is proposed.
 *
 * Mechanism (add/remove one record):
 * 1. Each record contributes at most m codes (records with more keep a random m); each
 *    code's count moves by at most 1, so the count vector's L2 sensitivity is √m.
 * 2. Every code of a public domain (fixed before looking at the data, e.g. the ICD-9
 *    dictionary) gets N(0, (z·√m)²) noise — codes the site does not hold included, so the
 *    released set cannot reveal a code held by a single patient.
 * 3. Counts are rounded and the codes with a noisy count ≥ k are proposed.
 * Steps 3 and the rounding are post-processing. The release is the Gaussian mechanism
 * with noise multiplier z: RDP α/(2z²), i.e. one un-sampled step
 * `{ sampleRate: 1, noiseMultiplier: z, steps: 1 }` in the site's ledger.
 *
 * Why Gaussian and not Laplace: a patient touches up to m counts, so the L1 sensitivity
 * is m but the L2 sensitivity only √m; Gaussian noise scales with the latter (sd z·√m vs
 * Laplace scale m/ε), which for m ≈ 10–30 codes per patient is 3–5× less noise per code
 * at comparable ε. And it composes exactly with DP-SGD's RDP in the same accountant.
 *
 * Why a public domain and not "the codes the site holds": noising only observed codes
 * needs a δ-costing threshold argument (Korolova et al. 2009; Wilson et al. 2020) that
 * adds a δ outside the RDP accountant. The price of the public domain is false positives:
 * a code no record holds passes with probability `falsePositiveRate`.
 */
export interface NoisyCodeCountsOptions {
  /** Every code that may be released, fixed independently of the data (e.g. a dictionary). */
  readonly domain: readonly string[];
  /** m ≥ 1: the most codes one record contributes. */
  readonly maxCodesPerRecord: number;
  /** z > 0: noise sd ÷ L2 sensitivity. */
  readonly noiseMultiplier: number;
  /** k ≥ 1: codes whose rounded noisy count is at least k are proposed. */
  readonly minCount: number;
  /**
   * The noise, and which m codes an over-long record keeps. Default: secureRandomness()
   * (node:crypto). seededRandomness only in tests: a known seed voids the guarantee.
   */
  readonly randomness?: DpRandomness;
}

export interface NoisyCodeCounts {
  /** Codes with a rounded noisy count ≥ k, sorted: what the site proposes. */
  readonly codes: string[];
  /** Rounded noisy count of every domain code (same release, so also safe to send). */
  readonly noisyCounts: ReadonlyMap<string, number>;
  /** z·√m. */
  readonly noiseStd: number;
  /** √m. */
  readonly l2Sensitivity: number;
  /** What this release costs, to add to the site's privacy ledger. */
  readonly privacyCost: SampledGaussianSegment;
  /** P(a code no record holds is proposed) = P(N(0, noiseStd²) ≥ k − ½). */
  readonly falsePositiveRate: number;
  /** Local diagnostics (stay at the site): records cut to m codes, occurrences outside the domain. */
  readonly truncatedRecords: number;
  readonly occurrencesOutsideDomain: number;
}

function invalid(message: string): FedsynthError {
  return new FedsynthError(message, 'PRIVACY_INVALID');
}

function validate(options: NoisyCodeCountsOptions): void {
  const { domain, maxCodesPerRecord, noiseMultiplier, minCount } = options;
  if (domain.length === 0) throw invalid('domain must list at least one code');
  if (new Set(domain).size !== domain.length) throw invalid('domain must not repeat a code');
  if (!Number.isSafeInteger(maxCodesPerRecord) || maxCodesPerRecord < 1) {
    throw invalid(`maxCodesPerRecord must be an integer ≥ 1, got ${maxCodesPerRecord}`);
  }
  if (!(noiseMultiplier > 0) || !Number.isFinite(noiseMultiplier)) {
    throw invalid(`noiseMultiplier must be a finite number > 0, got ${noiseMultiplier}`);
  }
  if (!(minCount >= 1) || !Number.isFinite(minCount)) throw invalid(`minCount must be a number ≥ 1, got ${minCount}`);
}

/** Keeps a uniformly random m of the items (partial Fisher–Yates), in place. */
function keepRandom(items: number[], m: number, random: DpRandomness): number[] {
  for (let i = 0; i < m; i++) {
    const j = i + Math.floor(random.uniform() * (items.length - i));
    const tmp = items[i];
    items[i] = items[j];
    items[j] = tmp;
  }
  items.length = m;
  return items;
}

/** Noisy, thresholded code counts of a site's records (each record: the codes it holds). */
export function noisyCodeCounts(records: Iterable<Iterable<string>>, options: NoisyCodeCountsOptions): NoisyCodeCounts {
  validate(options);
  const { domain, maxCodesPerRecord: m, noiseMultiplier: z, minCount: k } = options;
  const random = options.randomness ?? secureRandomness();
  const column = new Map(domain.map((code, i) => [code, i]));
  const counts = new Float64Array(domain.length);
  let truncatedRecords = 0;
  let occurrencesOutsideDomain = 0;

  for (const record of records) {
    const held = new Set<number>();
    for (const code of record) {
      const c = column.get(code);
      if (c === undefined) occurrencesOutsideDomain++;
      else held.add(c);
    }
    let kept = Array.from(held);
    if (kept.length > m) {
      truncatedRecords++;
      kept = keepRandom(kept, m, random);
    }
    for (const c of kept) counts[c]++;
  }

  const l2Sensitivity = Math.sqrt(m);
  const noiseStd = z * l2Sensitivity;
  const noisyCounts = new Map<string, number>();
  const codes: string[] = [];
  domain.forEach((code, c) => {
    // Math.round(x) + 0 turns a -0 into 0 so counts print cleanly.
    const noisy = Math.round(counts[c] + noiseStd * random.normal()) + 0;
    noisyCounts.set(code, noisy);
    if (noisy >= k) codes.push(code);
  });
  codes.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

  return {
    codes,
    noisyCounts,
    noiseStd,
    l2Sensitivity,
    privacyCost: { sampleRate: 1, noiseMultiplier: z, steps: 1 },
    falsePositiveRate: Math.exp(logErfc((k - 0.5) / (Math.SQRT2 * noiseStd)) - Math.LN2),
    truncatedRecords,
    occurrencesOutsideDomain,
  };
}

/** The code lists of a matrix's records, for noisyCodeCounts. */
export function* matrixRecordCodes(matrix: BinaryMatrix, vocabulary: Vocabulary): Generator<string[]> {
  if (vocabulary.codes.length !== matrix.cols) {
    throw invalid(`vocabulary has ${vocabulary.codes.length} codes but the matrix has ${matrix.cols} columns`);
  }
  for (let r = 0; r < matrix.rows; r++) {
    const codes: string[] = [];
    for (let p = matrix.offsets[r]; p < matrix.offsets[r + 1]; p++) codes.push(vocabulary.codes[matrix.indices[p]]);
    yield codes;
  }
}
