import type { Phase } from '@fedsynth/protocol';
import { CoordinatorError } from '../errors/coordinator-error';

/** A stretch of rounds federating one part of the model. */
export interface PhasePlan {
  phase: Phase;
  rounds: number;
}

/**
 * What a run does, fixed at creation and stored as JSON: its phases in order (medGAN:
 * autoencoder rounds, then GAN rounds) and the rules that keep a round from hanging.
 * Rounds are numbered 0, 1, 2, ... across all phases.
 */
export interface RunPlan {
  phases: PhasePlan[];
  /** Quorum: accepted results needed to aggregate a round (≥ 1). */
  minSites: number;
  /** Time from the start of a round attempt to its deadline. */
  roundDeadlineMs: number;
  /** A failed round is retried this many times before the run fails. */
  maxRoundRetries: number;
  /** Evaluate the global model after every k-th completed round (GAN phase only); 0: never. */
  evaluateEvery: number;
  /**
   * How long a started run waits for minSites sites before it fails (ms). Absent or 0: as
   * long as it takes. Optional so plans stored before it existed still load.
   */
  siteWaitMs?: number;
}

const PHASES: readonly Phase[] = ['autoencoder', 'gan'];

function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/** Checks an untrusted plan (request body, stored JSON), listing every problem at once. */
export function checkRunPlan(input: unknown): RunPlan {
  const problems: string[] = [];
  const plan = (typeof input === 'object' && input !== null ? input : {}) as Partial<Record<keyof RunPlan, unknown>>;
  if (typeof input !== 'object' || input === null) problems.push('plan must be an object');
  const phases = Array.isArray(plan.phases) ? (plan.phases as unknown[]) : [];
  if (!Array.isArray(plan.phases) || phases.length === 0) problems.push('phases must be a non-empty list');
  let total = 0;
  let countsValid = true;
  phases.forEach((p, i) => {
    const item = (typeof p === 'object' && p !== null ? p : {}) as Partial<Record<keyof PhasePlan, unknown>>;
    if (!PHASES.includes(item.phase as Phase)) problems.push(`phases[${i}].phase must be one of ${PHASES.join(', ')}`);
    if (!isNonNegativeInteger(item.rounds)) {
      problems.push(`phases[${i}].rounds must be an integer ≥ 0`);
      countsValid = false;
    } else total += item.rounds;
  });
  if (phases.length > 0 && countsValid && total === 0) problems.push('the phases must hold at least one round');
  if (!isNonNegativeInteger(plan.minSites) || plan.minSites < 1) problems.push('minSites must be an integer ≥ 1');
  if (!isNonNegativeInteger(plan.roundDeadlineMs) || plan.roundDeadlineMs < 1) problems.push('roundDeadlineMs must be an integer ≥ 1');
  if (!isNonNegativeInteger(plan.maxRoundRetries)) problems.push('maxRoundRetries must be an integer ≥ 0');
  if (!isNonNegativeInteger(plan.evaluateEvery)) problems.push('evaluateEvery must be an integer ≥ 0');
  if (plan.siteWaitMs !== undefined && !isNonNegativeInteger(plan.siteWaitMs)) problems.push('siteWaitMs must be an integer ≥ 0 (0: no limit)');
  if (problems.length > 0) throw new CoordinatorError(`invalid run plan: ${problems.join('; ')}`, 'INVALID_PLAN', { problems });
  return {
    phases: phases.map((p) => ({ phase: (p as PhasePlan).phase, rounds: (p as PhasePlan).rounds })),
    minSites: plan.minSites as number,
    roundDeadlineMs: plan.roundDeadlineMs as number,
    maxRoundRetries: plan.maxRoundRetries as number,
    evaluateEvery: plan.evaluateEvery as number,
    siteWaitMs: (plan.siteWaitMs as number | undefined) ?? 0,
  };
}

export function totalRounds(plan: RunPlan): number {
  let total = 0;
  for (const p of plan.phases) total += p.rounds;
  return total;
}

/** The phase round `round` belongs to (rounds count across phases). */
export function phaseOfRound(plan: RunPlan, round: number): Phase {
  let end = 0;
  for (const p of plan.phases) {
    end += p.rounds;
    if (round < end) return p.phase;
  }
  throw new CoordinatorError(`round ${round} is beyond the plan's ${end} rounds`, 'INVALID_PLAN');
}
