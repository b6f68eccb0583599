import { FedsynthError } from '../errors/fedsynth-error';
import { computeEpsilon, type RdpConversion, type SampledGaussianSegment } from './rdp-accountant';

/** A site's (ε, δ) budget over everything it ever releases for a run. */
export interface PrivacyBudget {
  readonly epsilon: number;
  readonly delta: number;
}

export interface BudgetCheck {
  /** True when spent + proposed stays within the budget's ε at its δ. */
  readonly allowed: boolean;
  readonly budget: PrivacyBudget;
  /** ε of what was already released (at the budget's δ). */
  readonly spentEpsilon: number;
  /** ε after the proposed task, composed with what was spent. */
  readonly epsilonAfter: number;
  /** Order α that gave epsilonAfter. */
  readonly order: number;
  /** budget.epsilon − epsilonAfter; negative when refused. */
  readonly remainingAfter: number;
  /** Why the task is refused (absent when allowed). */
  readonly reason?: string;
}

export interface BudgetCheckOptions {
  readonly orders?: readonly number[];
  readonly conversion?: RdpConversion;
}

/** Throws when the budget itself is not a usable (ε, δ). */
export function validateBudget(budget: PrivacyBudget): void {
  if (typeof budget.epsilon !== 'number' || !(budget.epsilon > 0)) {
    throw new FedsynthError(`privacy budget epsilon must be a number > 0, got ${String(budget.epsilon)}`, 'PRIVACY_INVALID');
  }
  if (typeof budget.delta !== 'number' || !(budget.delta > 0 && budget.delta < 1)) {
    throw new FedsynthError(`privacy budget delta must be a number in (0, 1), got ${String(budget.delta)}`, 'PRIVACY_INVALID');
  }
}

function format(epsilon: number): string {
  return Number.isFinite(epsilon) ? epsilon.toFixed(4) : '∞';
}

/**
 * Whether a site may run a task: the RDP curves of what it already released (`spent`) and
 * of the task (`proposed`) add up, and the composed ε at the budget's δ must not exceed
 * the budget's ε. ε is not additive itself (composition happens on the RDP curve, then
 * one conversion), so the check recomputes from the segments rather than summing ε's.
 * Pure: the caller records `proposed` in its ledger once the task is accepted and run.
 */
export function checkPrivacyBudget(
  budget: PrivacyBudget,
  spent: readonly SampledGaussianSegment[],
  proposed: readonly SampledGaussianSegment[],
  options: BudgetCheckOptions = {},
): BudgetCheck {
  validateBudget(budget);
  const settings = { delta: budget.delta, ...options };
  const before = computeEpsilon(spent, settings);
  const after = computeEpsilon([...spent, ...proposed], settings);
  const allowed = after.epsilon <= budget.epsilon;
  const check = {
    allowed,
    budget,
    spentEpsilon: before.epsilon,
    epsilonAfter: after.epsilon,
    order: after.order,
    remainingAfter: budget.epsilon - after.epsilon,
  };
  if (allowed) return check;
  return {
    ...check,
    reason:
      `the task would bring this site's privacy loss to ε = ${format(after.epsilon)} (δ = ${budget.delta}), ` +
      `above its budget ε = ${budget.epsilon}; already spent ε = ${format(before.epsilon)}`,
  };
}

/** checkPrivacyBudget, throwing a FedsynthError (code PRIVACY_BUDGET_EXCEEDED) when refused. */
export function assertWithinBudget(
  budget: PrivacyBudget,
  spent: readonly SampledGaussianSegment[],
  proposed: readonly SampledGaussianSegment[],
  options: BudgetCheckOptions = {},
): BudgetCheck {
  const check = checkPrivacyBudget(budget, spent, proposed, options);
  if (!check.allowed) throw new FedsynthError(check.reason ?? 'privacy budget exceeded', 'PRIVACY_BUDGET_EXCEEDED');
  return check;
}
