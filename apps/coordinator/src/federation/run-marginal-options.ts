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
}

/** Checks `options.marginals` (absent: off), adding every problem to `problems`. */
export function checkRunMarginalOptions(input: unknown, context: { dp: boolean; problems: string[] }): RunMarginalOptions | undefined {
  if (input === undefined || input === null) return undefined;
  const { problems } = context;
  if (!isObject(input)) {
    problems.push('marginals must be an object { weight, noiseMultiplier? }');
    return undefined;
  }
  const unknown = Object.keys(input).filter((key) => key !== 'weight' && key !== 'noiseMultiplier');
  if (unknown.length > 0) problems.push(`marginals has unknown field${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')} (allowed: weight, noiseMultiplier)`);
  const { weight, noiseMultiplier } = input;
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
  return { weight };
}
