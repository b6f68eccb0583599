import { CoordinatorError } from '../errors/coordinator-error';
import { createRunState } from './round-state-machine';
import type { RunState } from './round-state';
import { checkRunPlan, totalRounds } from './run-plan';

/** The fields of a stored run that the state depends on (a RunRecord fits). */
export interface PersistedRun {
  id: string;
  status: 'created' | 'running' | 'stopped' | 'completed' | 'failed';
  plan: unknown;
  vocabulary: readonly string[] | null;
  error: string | null;
}

/** The fields of a stored round attempt that the state depends on (a RoundRecord fits). */
export interface PersistedRound {
  round: number;
  attempt: number;
  status: 'open' | 'aggregating' | 'completed' | 'failed';
}

/**
 * The state machine's state for a stored run, so a restarted coordinator resumes at the
 * last completed round:
 *
 * - completed / failed / stopped runs come back in that stage;
 * - a created run is idle from the beginning;
 * - a running run is idle at the round after its last completed one, with the vocabulary
 *   agreed if it was stored; dispatch `start` to resume. The next attempt gets a fresh id
 *   after every stored attempt of that round, and keeps the failures already counted.
 *
 * Pass the rounds as found at start-up: attempts a crash left open or aggregating do not
 * consume a retry (mark them failed afterwards, e.g. RoundRepository.failUnfinished).
 * Refuses a store whose completed rounds are not 0, 1, ..., k−1.
 */
export function restoreRunState(input: { run: PersistedRun; rounds: readonly PersistedRound[]; connected?: readonly string[] }): RunState {
  const { run } = input;
  const plan = checkRunPlan(run.plan);
  const base = createRunState({ runId: run.id, plan, connected: input.connected ?? [] });

  const completed = [...new Set(input.rounds.filter((r) => r.status === 'completed').map((r) => r.round))].sort((a, b) => a - b);
  completed.forEach((round, i) => {
    if (round !== i) {
      throw new CoordinatorError(
        `run ${run.id}: completed rounds must be 0..${completed.length - 1} without gaps, found round ${round} at position ${i}`,
        'STORE_CORRUPT',
      );
    }
  });
  const completedRounds = completed.length;
  if (completedRounds > totalRounds(plan)) {
    throw new CoordinatorError(`run ${run.id}: ${completedRounds} completed rounds, but its plan has ${totalRounds(plan)}`, 'STORE_CORRUPT');
  }

  const prior = priorAttemptsOf(input.rounds, completedRounds);
  const resumed: RunState = {
    ...base,
    completedRounds,
    vocabularyAgreed: run.vocabulary !== null,
    priorAttempts: prior.attempt > 0 ? prior : null,
  };
  switch (run.status) {
    case 'completed':
      return { ...resumed, stage: 'completed' };
    case 'failed':
      return { ...resumed, stage: 'failed', reason: run.error ?? 'failed' };
    case 'stopped':
      return { ...resumed, stage: 'stopped', reason: run.error ?? 'stopped' };
    case 'created':
      return base;
    case 'running':
      return resumed;
  }
}

/**
 * The highest stored attempt id of a round and how many of its attempts failed, so the
 * resumed round's next attempt id never collides with a stored row and its retries stay
 * bounded across restarts.
 */
export function priorAttemptsOf(rounds: readonly PersistedRound[], round: number): { attempt: number; failedAttempts: number } {
  let attempt = 0;
  let failedAttempts = 0;
  for (const r of rounds) {
    if (r.round !== round) continue;
    attempt = Math.max(attempt, r.attempt);
    if (r.status === 'failed') failedAttempts++;
  }
  return { attempt, failedAttempts };
}
