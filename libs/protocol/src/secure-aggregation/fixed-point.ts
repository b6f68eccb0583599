import { SecureAggregationError } from './secure-aggregation-error';

/**
 * Fixed-point encoding of a site's record-weighted update into integers mod 2^32, so that
 * masks (uniform mod 2^32) cancel exactly and the coordinator's sum is exact.
 *
 * Site i with weight w_i (its record count) and update v_i sends, per coordinate,
 *   round(w_i · clamp(v_i, −clip, clip) · scale)  mod 2^32   (two's complement)
 * and w_i itself as one extra last word. The sum of the words over the surviving sites is
 *   Σ round(w_i·v_i·scale) and W = Σ w_i,
 * so the weighted mean is sum/(scale·W): FedAvg's record-count weighting happens inside
 * the masked sum and the coordinator never sees a single site's weight or update.
 *
 * Headroom: |Σ_i round(w_i·v_i·scale)| ≤ W·clip·scale + (sites, one unit of rounding each),
 * which must stay below 2^31 to read back as a signed 32-bit integer. createFixedPoint
 * picks the largest power-of-two scale that guarantees it for maxTotalWeight and maxSites.
 *
 * Error: rounding is at most ½ unit per site and coordinate, so the decoded weighted mean
 * is within sites/(2·scale·W) of the mean of the clipped values (meanErrorBound).
 */
export interface FixedPointConfig {
  /** Values are clipped to [−clip, clip] before scaling. */
  readonly clip: number;
  /** Integer units per unit of weight × value. */
  readonly scale: number;
  /** Most total weight (Σ record counts) one sum may hold. */
  readonly maxTotalWeight: number;
  /** Most sites in one sum. */
  readonly maxSites: number;
}

const INT32_MAX = 2 ** 31 - 1;

function invalid(message: string): SecureAggregationError {
  return new SecureAggregationError('INVALID_INPUT', message);
}

/** Throws OVERFLOW when a config could wrap around 2^32 (or INVALID_INPUT for nonsense). */
export function checkFixedPoint(config: FixedPointConfig): void {
  const { clip, scale, maxTotalWeight, maxSites } = config;
  if (!(clip > 0) || !Number.isFinite(clip)) throw invalid(`clip must be a finite number > 0, got ${clip}`);
  if (!(scale > 0) || !Number.isFinite(scale)) throw invalid(`scale must be a finite number > 0, got ${scale}`);
  if (!Number.isSafeInteger(maxTotalWeight) || maxTotalWeight < 1) {
    throw invalid(`maxTotalWeight must be an integer ≥ 1, got ${maxTotalWeight}`);
  }
  if (!Number.isSafeInteger(maxSites) || maxSites < 1) throw invalid(`maxSites must be an integer ≥ 1, got ${maxSites}`);
  const worst = maxTotalWeight * clip * scale + maxSites;
  if (worst > INT32_MAX) {
    throw new SecureAggregationError(
      'OVERFLOW',
      `maxTotalWeight × clip × scale + maxSites = ${worst} exceeds 2^31 − 1: the sum could wrap around; lower scale, clip or maxTotalWeight`,
    );
  }
}

/**
 * A config for the given clip range and limits; without `scale`, the largest power of two
 * that leaves headroom (powers of two keep the scaling exact in floating point).
 */
export function createFixedPoint(options: {
  clip: number;
  maxTotalWeight: number;
  maxSites: number;
  scale?: number;
}): FixedPointConfig {
  const { clip, maxTotalWeight, maxSites } = options;
  let scale = options.scale;
  if (scale === undefined) {
    const room = (INT32_MAX - maxSites) / (maxTotalWeight * clip);
    if (!(room > 0) || !Number.isFinite(room)) {
      checkFixedPoint({ clip, scale: 1, maxTotalWeight, maxSites }); // names the bad field
      throw invalid(`no scale fits clip ${clip}, maxTotalWeight ${maxTotalWeight}, maxSites ${maxSites}`);
    }
    scale = 2 ** Math.floor(Math.log2(room));
    if (scale > room) scale /= 2; // log2 rounding at exact powers
  }
  const config = { clip, scale, maxTotalWeight, maxSites };
  checkFixedPoint(config);
  return config;
}

/**
 * A site's update as words mod 2^32: `values.length` weighted, clipped, scaled, rounded
 * coordinates, then the weight. `weight` is an integer in [0, maxTotalWeight].
 */
export function encodeWeightedUpdate(values: Float32Array, weight: number, config: FixedPointConfig): Uint32Array {
  checkFixedPoint(config);
  if (!Number.isSafeInteger(weight) || weight < 0 || weight > config.maxTotalWeight) {
    throw invalid(`weight must be an integer in [0, ${config.maxTotalWeight}], got ${weight}`);
  }
  const { clip } = config;
  const factor = weight * config.scale;
  const out = new Uint32Array(values.length + 1);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) throw invalid(`values[${i}] is ${v}; only finite values can be aggregated`);
    // A negative integer stored in a Uint32Array becomes its two's complement mod 2^32.
    out[i] = Math.round((v > clip ? clip : v < -clip ? -clip : v) * factor);
  }
  out[values.length] = weight;
  return out;
}

/** The weighted mean and total weight from the summed words of encodeWeightedUpdate. */
export function decodeWeightedMean(sum: Uint32Array, config: FixedPointConfig): { mean: Float32Array; totalWeight: number } {
  checkFixedPoint(config);
  if (sum.length < 1) throw invalid('a sum holds at least the total weight');
  const totalWeight = sum[sum.length - 1]!;
  if (totalWeight === 0) throw invalid('the total weight is 0: no site contributed');
  if (totalWeight > config.maxTotalWeight) {
    throw new SecureAggregationError('OVERFLOW', `total weight ${totalWeight} exceeds maxTotalWeight ${config.maxTotalWeight}`);
  }
  const divisor = config.scale * totalWeight;
  const mean = new Float32Array(sum.length - 1);
  for (let i = 0; i < mean.length; i++) mean[i] = (sum[i]! | 0) / divisor; // | 0 reads the word as signed
  return { mean, totalWeight };
}

/** Largest rounding error of a decoded mean coordinate: sites/(2·scale·totalWeight). */
export function meanErrorBound(config: FixedPointConfig, sites: number, totalWeight: number): number {
  return sites / (2 * config.scale * totalWeight);
}
