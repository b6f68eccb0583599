import { isObject, positive } from './option-values';

/**
 * A run's marginal matching: in GAN rounds every site's generator also minimises
 * weight × Σ_codes KL(site prevalence ‖ fake batch prevalence) (libs/gan marginal-matching).
 * Without dp the sites use their exact prevalences (they never leave the site); with dp each
 * site releases them once per run with Gaussian noise z·√20, charged to its budget: there it
 * replaces minibatch averaging, which DP-SGD forbids.
 */
export interface RunMarginalOptions {
  /** > 0: the term's weight beside the adversarial loss. */
  weight: number;
  /** z > 0 of the noisy release: required with dp, refused without (the sites then use exact prevalences). */
  noiseMultiplier?: number;
  /**
   * Whose prevalences each site's generator matches. 'site' (default): its own, which never
   * leave it. 'pooled' (runs without dp): every site's code counts are sent once, at
   * vocabulary agreement, and every site matches Σ counts ÷ Σ records, the target a
   * centralised generator has; a site's own target would pull the shared generator towards
   * its case mix and away from codes only other sites hold (root README, "Federation gain").
   */
  target?: MarginalTargetSource;
  /**
   * With target 'pooled': each site centres its real batches' means on the pooled prevalences
   * on the discriminator's minibatch-averaging path, which otherwise pulls every site's
   * generator to that site's prevalences (libs/gan site-mean-correction.ts).
   */
  correctBatchMeans?: boolean;
}

export const MARGINAL_TARGETS = ['site', 'pooled'] as const;
export type MarginalTargetSource = (typeof MARGINAL_TARGETS)[number];

/** Checks `options.marginals` (absent: off), adding every problem to `problems`. */
export function checkRunMarginalOptions(input: unknown, context: { dp: boolean; problems: string[] }): RunMarginalOptions | undefined {
  if (input === undefined || input === null) return undefined;
  const { problems } = context;
  if (!isObject(input)) {
    problems.push('marginals must be an object { weight, noiseMultiplier?, target?, correctBatchMeans? }');
    return undefined;
  }
  const allowed = ['weight', 'noiseMultiplier', 'target', 'correctBatchMeans'];
  const unknown = Object.keys(input).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) problems.push(`marginals has unknown field${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')} (allowed: ${allowed.join(', ')})`);
  const { weight, noiseMultiplier, target, correctBatchMeans } = input;
  if (correctBatchMeans !== undefined && typeof correctBatchMeans !== 'boolean') problems.push(`marginals.correctBatchMeans must be true or false, got ${JSON.stringify(correctBatchMeans)}`);
  else if (correctBatchMeans === true && target !== 'pooled') problems.push("marginals.correctBatchMeans needs marginals.target 'pooled' (the means are centred on the pooled prevalences)");
  if (target !== undefined && !(MARGINAL_TARGETS as readonly unknown[]).includes(target)) {
    problems.push(`marginals.target must be one of ${MARGINAL_TARGETS.join(', ')}, got ${JSON.stringify(target)}`);
  } else if (target === 'pooled' && context.dp) {
    // Exact counts per code would answer counting queries outside every site's budget.
    problems.push("marginals.target 'pooled' needs every site's exact code counts, which a dp run never collects; use 'site' (each site's noisy release)");
  }
  const pooled = target === 'pooled' && !context.dp ? { target: 'pooled' as const, ...(correctBatchMeans === true ? { correctBatchMeans: true } : {}) } : {};
  if (!positive(weight)) problems.push(`marginals.weight must be a finite number > 0, got ${JSON.stringify(weight) ?? 'nothing'}`);
  if (context.dp) {
    if (!positive(noiseMultiplier)) {
      problems.push(`marginals.noiseMultiplier must be a finite number > 0 in a dp run (the sites release their prevalences with that noise), got ${JSON.stringify(noiseMultiplier) ?? 'nothing'}`);
    }
  } else if (noiseMultiplier !== undefined) {
    problems.push('marginals.noiseMultiplier is for dp runs; without dp the sites use their exact prevalences (which stay at the site)');
  }
  if (!positive(weight)) return undefined;
  if (context.dp) return positive(noiseMultiplier) ? { weight, noiseMultiplier } : undefined;
  return { weight, ...pooled };
}
