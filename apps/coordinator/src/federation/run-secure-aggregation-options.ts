import { isObject } from './option-values';

/**
 * Secure aggregation of a run (Bonawitz et al. 2017, see secure-aggregation-round.ts): the
 * coordinator learns only the record-weighted sum of the sites' updates of each round.
 *
 * `threshold` t: shares needed to rebuild a secret, hence the fewest sites whose masked
 * updates must arrive for a round to be unmasked. Absent: defaultSecAggThreshold(n) for
 * the n sites that advertise keys in that round. `clip`: each coordinate of a site's update
 * (trained − global weights) is clipped to [−clip, clip] before fixed-point encoding.
 */
export interface RunSecureAggregationOptions {
  enabled: boolean;
  threshold?: number;
  clip?: number;
}

/**
 * Large enough that honest round updates (a few local epochs of Adam at lr ~1e-3, which
 * moves a weight by at most ~lr per step) are never clipped, small enough that the
 * fixed-point scale keeps the mean exact to ~1e-8 for thousands of records.
 */
export const DEFAULT_SECAGG_CLIP = 16;

/**
 * ⌈2n/3⌉, at least 2 and at most n. Bonawitz et al. show the protocol keeps single updates
 * hidden from an honest-but-curious coordinator (colluding with fewer than t sites) when
 * t > n/2, and from an active one when t > 2n/3; ⌈2n/3⌉ is always > n/2 for n ≥ 2, meets
 * the active bound whenever 3 ∤ n, and still lets a third of the sites drop out.
 */
export function defaultSecAggThreshold(sites: number): number {
  return Math.min(sites, Math.max(2, Math.ceil((2 * sites) / 3)));
}

/** Checks `options.secureAggregation`; problems are appended. Absent or disabled → undefined. */
export function checkRunSecureAggregationOptions(
  input: unknown,
  context: { strategyName: string; problems: string[] },
): RunSecureAggregationOptions | undefined {
  if (input === undefined) return undefined;
  const { problems } = context;
  if (!isObject(input)) {
    problems.push('secureAggregation must be an object like { enabled: true, threshold?: t }');
    return undefined;
  }
  const { enabled, threshold, clip, ...rest } = input;
  for (const key of Object.keys(rest)) problems.push(`secureAggregation.${key} is not an option (enabled, threshold, clip)`);
  if (typeof enabled !== 'boolean') problems.push('secureAggregation.enabled must be true or false');
  if (threshold !== undefined && !(Number.isInteger(threshold) && (threshold as number) >= 2)) {
    problems.push('secureAggregation.threshold must be an integer ≥ 2 (with t = 1 one share would reveal a secret)');
  }
  if (clip !== undefined && !(typeof clip === 'number' && clip > 0 && Number.isFinite(clip))) problems.push('secureAggregation.clip must be a number > 0');
  if (enabled === true && context.strategyName !== 'fedavg') {
    problems.push(`secureAggregation needs strategy fedavg: ${context.strategyName} needs each site's plain update, which secure aggregation hides`);
  }
  if (enabled !== true) return undefined;
  return { enabled: true, ...(threshold !== undefined ? { threshold: threshold as number } : {}), ...(clip !== undefined ? { clip: clip as number } : {}) };
}
