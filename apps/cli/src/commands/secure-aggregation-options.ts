import { FedsynthError } from '@fedsynth/gan';
import type { OptionValues } from '../command';
import { integerOption } from './data-options';

/** Secure aggregation of a federated run on the command line (`fedsynth run create --secure-aggregation`). */

export const RUN_SECAGG_OPTIONS = {
  'secure-aggregation': { type: 'boolean' },
  'secagg-threshold': { type: 'string' },
} as const;

export const RUN_SECAGG_HELP = `  --secure-aggregation       the coordinator sees only the sum of the sites' updates each round
                             (Bonawitz et al. 2017: pairwise masks, Shamir-shared for dropouts);
                             needs --strategy fedavg and site agents announcing secagg-v1
  --secagg-threshold T       sites whose masked updates must arrive for a round to be unmasked
                             (default: ⌈2n/3⌉ of the n sites in the round, at least 2; more
                             than n/2 is required, else the round fails)`;

/** The run's `secureAggregation` option, or undefined when not asked for. */
export function runSecAggFrom(values: OptionValues): { enabled: true; threshold?: number } | undefined {
  const threshold = values['secagg-threshold'] === undefined ? undefined : integerOption(values, 'secagg-threshold', 0, 2, 100_000);
  if (values['secure-aggregation'] !== true) {
    if (threshold !== undefined) throw new FedsynthError('--secagg-threshold applies only with --secure-aggregation', 'CLI_BAD_OPTION');
    return undefined;
  }
  return { enabled: true, ...(threshold !== undefined ? { threshold } : {}) };
}
