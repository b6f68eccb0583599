import { FedsynthError } from '@fedsynth/gan';
import type { OptionValues } from '../command';
import { numberOption, stringOption } from './data-options';

/**
 * Differential privacy in federated runs, on the command line: the run's DP-SGD settings
 * (`fedsynth run create --dp-*`) and a site's own budget (`fedsynth site --dp-*`).
 */

export const RUN_DP_OPTIONS = {
  'dp-noise-multiplier': { type: 'string' },
  'dp-clip-norm': { type: 'string' },
  'marginal-weight': { type: 'string' },
  'marginal-noise': { type: 'string' },
  'marginal-target': { type: 'string' },
  'correct-batch-means': { type: 'boolean' },
} as const;

/** z of a DP run's one-off prevalence release when --marginal-noise is not given: ε ≈ 1.2 on its own at δ = 1e-5. */
export const DEFAULT_MARGINAL_NOISE = 4;

export const RUN_DP_HELP = `  --dp-noise-multiplier S    train at the sites with DP-SGD: Gaussian noise of sd S·C on each
                             clipped batch sum (with --dp-clip-norm; --batch-size is then the
                             expected Poisson batch, q = batch ÷ a site's records). Minibatch
                             averaging is off. Each site checks its own budget.
  --dp-clip-norm C           clip each record's gradient to L2 norm C
  --marginal-weight W        marginal matching: in GAN rounds each site's generator also matches
                             the site's code prevalences with weight W (they stay at the site).
                             Recommended under DP (W = 1 in the README's experiment), where it
                             replaces minibatch averaging: the prevalences are then released
                             once per run with noise, charged to each site's budget
  --marginal-noise Z         DP runs: noise multiplier of that release (default: 4, ε ≈ 1.2
                             alone at δ = 1e-5)
  --marginal-target site|pooled
                             runs without DP: whose prevalences each generator matches (default:
                             site). pooled: each site sends its code counts once, and every site
                             matches the federation's pooled prevalences, as centralised
                             training would (no site pulls the generator to its own case mix)
  --correct-batch-means      with --marginal-target pooled: each site centres its real batches'
                             means on the pooled prevalences where the discriminator compares
                             batch means (minibatch averaging), which otherwise holds each
                             site's generator to its own case mix (root README, "Federation
                             gain": with it the federated generator matched the centralised one)`;

export const SITE_DP_OPTIONS = {
  'dp-epsilon': { type: 'string' },
  'dp-delta': { type: 'string' },
  'dp-vocabulary-noise': { type: 'string' },
  'dp-ledger': { type: 'string' },
} as const;

export const SITE_DP_HELP = `  --dp-epsilon E             this site's privacy budget ε over everything it releases (with
                             --dp-delta): codes are announced from noisy counts (charged to the
                             budget), only DP tasks are trained, and a task that would take ε
                             above E is refused (PRIVACY_BUDGET_EXCEEDED)
  --dp-delta D               δ of the budget, in (0, 1), well below 1/records (e.g. 1e-5)
  --dp-vocabulary-noise Z    noise multiplier of the noisy code counts (default: 4, ε ≈ 1 at
                             δ = 1e-5); plan budgets with 'fedsynth privacy epsilon'
  --dp-ledger FILE           where the site keeps what it spent, across restarts (JSON;
                             required with a budget: without it a restarted agent would start
                             again from ε = 0)`;

/** The run's `dp` option from --dp-noise-multiplier and --dp-clip-norm (both or neither). */
export function runDpFrom(values: OptionValues): { noiseMultiplier: number; clipNorm: number } | undefined {
  const noiseMultiplier = numberOption(values, 'dp-noise-multiplier', (n) => n > 0, '> 0');
  const clipNorm = numberOption(values, 'dp-clip-norm', (n) => n > 0, '> 0');
  if (noiseMultiplier === undefined && clipNorm === undefined) return undefined;
  if (noiseMultiplier === undefined || clipNorm === undefined) {
    throw new FedsynthError('a DP run needs both --dp-noise-multiplier and --dp-clip-norm', 'CLI_MISSING_OPTION');
  }
  return { noiseMultiplier, clipNorm };
}

/** The run's `marginals` option from --marginal-weight (and, in a DP run, --marginal-noise). */
export function runMarginalsFrom(values: OptionValues, withDp: boolean): { weight: number; noiseMultiplier?: number; target?: 'pooled'; correctBatchMeans?: true } | undefined {
  const weight = numberOption(values, 'marginal-weight', (n) => n > 0, '> 0');
  const noise = numberOption(values, 'marginal-noise', (n) => n > 0, '> 0');
  const target = stringOption(values, 'marginal-target');
  if (target !== undefined && target !== 'site' && target !== 'pooled') throw new FedsynthError(`--marginal-target must be site or pooled, got '${target}'`, 'CLI_BAD_OPTION');
  const correctBatchMeans = values['correct-batch-means'] === true;
  if (correctBatchMeans && target !== 'pooled') throw new FedsynthError('--correct-batch-means needs --marginal-target pooled (the means are centred on the pooled prevalences)', 'CLI_MISSING_OPTION');
  if (weight === undefined) {
    if (noise !== undefined) throw new FedsynthError('--marginal-noise needs --marginal-weight', 'CLI_MISSING_OPTION');
    if (target !== undefined) throw new FedsynthError('--marginal-target needs --marginal-weight', 'CLI_MISSING_OPTION');
    return undefined;
  }
  if (!withDp) {
    if (noise !== undefined) throw new FedsynthError('--marginal-noise is for DP runs; without DP the sites match their exact prevalences', 'CLI_BAD_OPTION');
    return { weight, ...(target === 'pooled' ? { target, ...(correctBatchMeans ? { correctBatchMeans } : {}) } : {}) };
  }
  if (target === 'pooled') throw new FedsynthError("--marginal-target pooled needs every site's exact code counts, which a DP run never collects", 'CLI_BAD_OPTION');
  return { weight, noiseMultiplier: noise ?? DEFAULT_MARGINAL_NOISE };
}

/** The site's budget from --dp-epsilon and --dp-delta (both or neither), with the vocabulary noise. */
export function siteBudgetFrom(values: OptionValues): { epsilon: number; delta: number; vocabulary?: { noiseMultiplier: number }; ledgerFile?: string } | undefined {
  const epsilon = numberOption(values, 'dp-epsilon', (n) => n > 0, '> 0');
  const delta = numberOption(values, 'dp-delta', (n) => n > 0 && n < 1, 'in (0, 1)');
  const noise = numberOption(values, 'dp-vocabulary-noise', (n) => n > 0, '> 0');
  const ledgerFile = stringOption(values, 'dp-ledger');
  if (epsilon === undefined && delta === undefined) {
    if (noise !== undefined || ledgerFile !== undefined) throw new FedsynthError(`--${noise !== undefined ? 'dp-vocabulary-noise' : 'dp-ledger'} needs a budget: --dp-epsilon and --dp-delta`, 'CLI_MISSING_OPTION');
    return undefined;
  }
  if (epsilon === undefined || delta === undefined) throw new FedsynthError('a site privacy budget needs both --dp-epsilon and --dp-delta', 'CLI_MISSING_OPTION');
  // A budget that forgets what was spent at every restart is no budget.
  if (ledgerFile === undefined) throw new FedsynthError('a site privacy budget needs --dp-ledger FILE, where the site keeps what it spent across restarts', 'CLI_MISSING_OPTION');
  return { epsilon, delta, ...(noise !== undefined ? { vocabulary: { noiseMultiplier: noise } } : {}), ...(ledgerFile !== undefined ? { ledgerFile } : {}) };
}

/** GET /api/runs/:id's privacy section (DP runs). */
export interface RunPrivacyView {
  sites: { siteId: string; epsilon: number; delta: number; steps: number; round: number }[];
  maxEpsilon: number | null;
  delta: number | null;
}

/** Lines for `run status`: the largest ε, then each site's. Empty when no site reported any. */
export function describePrivacy(privacy: RunPrivacyView | undefined): string[] {
  if (!privacy || privacy.sites.length === 0 || privacy.maxEpsilon === null) return [];
  return [
    `  privacy   ε ≤ ${privacy.maxEpsilon.toFixed(3)} (δ = ${privacy.delta}) at every site, as the sites report it:`,
    ...privacy.sites.map((s) => `    ${s.siteId}: ε = ${s.epsilon.toFixed(3)} after round ${s.round + 1} (${s.steps} DP-SGD steps)`),
  ];
}
