import type { Phase, ProtocolErrorCode } from '@fedsynth/protocol';
import type { RunPlan } from './run-plan';

/**
 * The values of the round state machine (round-state-machine.ts): its state, the events
 * it reacts to and the commands it asks its owner to carry out. All plain, readonly data:
 * a state can be logged, compared in tests and rebuilt from the store.
 */

/** `waitingForSites`: started, but fewer than plan.minSites sites are connected to agree a vocabulary. */
export type RunStage = 'idle' | 'waitingForSites' | 'vocabulary' | 'training' | 'completed' | 'failed' | 'stopped';

/**
 * The life of one attempt of a round: wait until enough sites are connected, let the
 * strategy select sites (opening), collect their results, aggregate, checkpoint.
 */
export type RoundStage = 'waitingForSites' | 'opening' | 'collecting' | 'aggregating' | 'checkpointing';

export interface AcceptedResult {
  readonly siteId: string;
  readonly recordCount: number;
}

/** A selected site that gave nothing usable this attempt (the strategy's SiteFailure). */
export interface RoundFailure {
  readonly siteId: string;
  readonly reason: string;
}

export interface RoundState {
  /** 0, 1, 2, ... across the plan's phases. */
  readonly index: number;
  readonly phase: Phase;
  /** 1-based id of this attempt; a retry is attempt + 1. */
  readonly attempt: number;
  /** Failed attempts of this round so far (the retry budget is plan.maxRoundRetries). */
  readonly failedAttempts: number;
  readonly stage: RoundStage;
  readonly startedAt: number;
  readonly deadlineAt: number;
  /** Sites the strategy selected (empty until the round opens). */
  readonly selected: readonly string[];
  /** Selected sites that left before answering: no longer expected. */
  readonly dropped: readonly string[];
  readonly accepted: readonly AcceptedResult[];
  /** Selected sites whose result failed validation. */
  readonly rejected: readonly RoundFailure[];
}

export interface RunState {
  readonly runId: string;
  readonly plan: RunPlan;
  readonly stage: RunStage;
  /** Connected, authenticated sites, sorted. */
  readonly connected: readonly string[];
  readonly vocabularyAgreed: boolean;
  /** Rounds completed and checkpointed: also the index of the next round. */
  readonly completedRounds: number;
  /** The round in progress while training. */
  readonly round: RoundState | null;
  /**
   * Attempts of round `completedRounds` made before a restart (restored from the store),
   * so the next attempt gets a fresh id and the retry budget is not reset. Null otherwise.
   */
  readonly priorAttempts: { readonly attempt: number; readonly failedAttempts: number } | null;
  /** Why the run failed or stopped. */
  readonly reason: string | null;
}

export type RunEvent =
  /** Begin (or resume, from a restored idle state) the run. `connected` replaces the known sites. */
  | { readonly type: 'start'; readonly at: number; readonly connected?: readonly string[] }
  /** The plan's siteWaitMs passed while the run was still waiting for its quorum of sites. */
  | { readonly type: 'siteWaitExpired'; readonly at: number }
  | { readonly type: 'vocabularyAgreed'; readonly at: number }
  | { readonly type: 'vocabularyFailed'; readonly at: number; readonly reason: string }
  | { readonly type: 'siteJoined'; readonly at: number; readonly siteId: string }
  | { readonly type: 'siteLeft'; readonly at: number; readonly siteId: string }
  /** The owner ran the strategy's configureTrain for an `openRound` command and sent the tasks. */
  | {
      readonly type: 'roundOpened';
      readonly at: number;
      readonly round: number;
      readonly attempt: number;
      readonly selected: readonly string[];
      /** Sites that answered their task with an Error (e.g. PRIVACY_BUDGET_EXCEEDED): not selected, named if the quorum fails. */
      readonly refused?: readonly RoundFailure[];
      /** Set when the round could not be opened at all (e.g. secure aggregation's set-up failed): the attempt fails with it. */
      readonly failure?: string;
    }
  | {
      readonly type: 'resultReceived';
      readonly at: number;
      readonly runId: string;
      readonly siteId: string;
      readonly round: number;
      readonly phase: Phase;
      /**
       * The attempt whose TrainTask this result answers, as the owner resolved it from the
       * envelope's inReplyTo; null when it answers no task the owner sent this site for this
       * round (none named, another site's, or one sent before a restart).
       */
      readonly attempt: number | null;
      readonly recordCount: number;
      /** validate-update's verdict, when the result passed screening and was validated. */
      readonly verdict?: { readonly ok: true } | { readonly ok: false; readonly code: ProtocolErrorCode; readonly reason: string };
    }
  | { readonly type: 'deadlineExpired'; readonly at: number; readonly round: number; readonly attempt: number }
  | { readonly type: 'aggregated'; readonly at: number; readonly round: number; readonly attempt: number }
  /**
   * `final`: the attempt must not be retried (under secure aggregation once a sum was unmasked:
   * a retry over another survivor set would let the two sums' difference reveal one site's update).
   */
  | { readonly type: 'aggregationFailed'; readonly at: number; readonly round: number; readonly attempt: number; readonly reason: string; readonly final?: boolean }
  | { readonly type: 'checkpointed'; readonly at: number; readonly round: number; readonly attempt: number }
  | { readonly type: 'checkpointFailed'; readonly at: number; readonly round: number; readonly attempt: number; readonly reason: string; readonly final?: boolean }
  | { readonly type: 'stop'; readonly at: number; readonly reason?: string };

export type ResultRejectionKind =
  | 'wrongRun'
  | 'notRunning'
  | 'staleRound'
  | 'futureRound'
  | 'wrongPhase'
  | 'notOpen'
  | 'closed'
  | 'late'
  | 'notSelected'
  | 'staleAttempt'
  | 'dropped'
  | 'duplicate'
  | 'invalidUpdate';

/** Why a result was refused: `kind` for the audit log, `code` + `reason` for the site. */
export interface ResultRejection {
  readonly kind: ResultRejectionKind;
  readonly code: ProtocolErrorCode;
  readonly reason: string;
}

interface RoundRef {
  readonly runId: string;
  readonly round: number;
  readonly attempt: number;
}

export type RunCommand =
  /**
   * Fewer than `needed` sites are connected: wait (the run fails at `deadlineAt`, if any, by
   * sending siteWaitExpired). The quorum is met by siteJoined events.
   */
  | { readonly type: 'waitForSites'; readonly runId: string; readonly connected: number; readonly needed: number; readonly deadlineAt: number | null }
  /** Agree on a vocabulary with the connected sites; answer with vocabularyAgreed/Failed. */
  | { readonly type: 'proposeVocabulary'; readonly runId: string; readonly siteIds: readonly string[] }
  /** Record the attempt (rounds table) and arm a timer that sends deadlineExpired at `deadlineAt`. */
  | (RoundRef & { readonly type: 'beginAttempt'; readonly phase: Phase; readonly deadlineAt: number })
  /** Run configureTrain over `availableSiteIds`, send the tasks, answer with roundOpened. */
  | (RoundRef & { readonly type: 'openRound'; readonly phase: Phase; readonly availableSiteIds: readonly string[]; readonly deadlineAt: number })
  /** Keep the validated weights for aggregation, record the contribution, reply Ack. */
  | (RoundRef & { readonly type: 'acceptResult'; readonly siteId: string; readonly recordCount: number })
  /** Reply with an Error {code, reason}, audit it (and record the contribution if it was this round's). */
  | { readonly type: 'rejectResult'; readonly runId: string; readonly siteId: string; readonly round: number; readonly rejection: ResultRejection }
  /** Run aggregateTrain over the kept weights; answer with aggregated/aggregationFailed. */
  | (RoundRef & {
      readonly type: 'aggregate';
      readonly phase: Phase;
      readonly results: readonly AcceptedResult[];
      readonly failures: readonly RoundFailure[];
    })
  /** Write the new global weights (and strategy state), mark the round completed; answer with checkpointed/checkpointFailed. */
  | (RoundRef & { readonly type: 'writeCheckpoint'; readonly phase: Phase })
  /** Mark the attempt failed (rounds table), audit it, drop its kept weights. */
  | (RoundRef & { readonly type: 'roundFailed'; readonly reason: string; readonly willRetry: boolean })
  /** Send EvalTasks for the global model after `round`; results do not gate the loop. */
  | { readonly type: 'evaluate'; readonly runId: string; readonly round: number; readonly siteIds: readonly string[] }
  | { readonly type: 'completeRun'; readonly runId: string }
  | { readonly type: 'failRun'; readonly runId: string; readonly reason: string }
  | { readonly type: 'stopRun'; readonly runId: string; readonly reason: string };

export interface Transition {
  readonly state: RunState;
  /** In order: the owner carries them out one after the other. */
  readonly commands: readonly RunCommand[];
  /** Set when the event changed nothing (stale timer, event for another attempt...), for logs. */
  readonly ignored?: string;
}
