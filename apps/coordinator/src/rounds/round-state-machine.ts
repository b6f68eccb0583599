import type { Phase } from '@fedsynth/protocol';
import { phaseOfRound, totalRounds, type RunPlan } from './run-plan';
import type {
  ResultRejection,
  RoundFailure,
  RoundStage,
  RoundState,
  RunCommand,
  RunEvent,
  RunState,
  Transition,
} from './round-state';

/**
 * The round loop as one pure state machine: `transition(state, event)` returns the next
 * state and the commands (I/O) its owner must carry out, whose outcomes come back as
 * events. No timers, sockets or clocks inside: time arrives in each event's `at`, so every
 * rule (quorum, deadline, late/duplicate/stale results, retries) is testable by feeding
 * events, and the state can be rebuilt from the store after a restart (restore-run-state.ts).
 *
 *   idle → [waitingForSites →] vocabulary → training (round 0 … n−1, autoencoder then gan) → completed
 *                                              ↘ failed (retries exhausted)   any → stopped
 *   round attempt: waitingForSites → opening → collecting → aggregating → checkpointing → next
 */

export function createRunState(input: { runId: string; plan: RunPlan; connected?: readonly string[] }): RunState {
  return {
    runId: input.runId,
    plan: input.plan,
    stage: 'idle',
    connected: normaliseSites(input.connected ?? []),
    vocabularyAgreed: false,
    completedRounds: 0,
    round: null,
    priorAttempts: null,
    reason: null,
  };
}

function normaliseSites(sites: readonly string[]): string[] {
  return [...new Set(sites)].sort();
}

function withSite(sites: readonly string[], siteId: string): string[] {
  return sites.includes(siteId) ? sites.slice() : normaliseSites([...sites, siteId]);
}

function withoutSite(sites: readonly string[], siteId: string): string[] {
  return sites.filter((s) => s !== siteId);
}

function isTerminal(state: RunState): boolean {
  return state.stage === 'completed' || state.stage === 'failed' || state.stage === 'stopped';
}

/** Selected sites that have neither answered nor left. */
export function outstandingSites(round: RoundState): string[] {
  const answered = new Set<string>([...round.dropped, ...round.accepted.map((a) => a.siteId), ...round.rejected.map((r) => r.siteId)]);
  return round.selected.filter((s) => !answered.has(s));
}

function ignore(state: RunState, why: string): Transition {
  return { state, commands: [], ignored: why };
}

function roundText(round: RoundState): string {
  return `round ${round.index} (attempt ${round.attempt})`;
}

// ─── Starting rounds ─────────────────────────────────────────────────────────────────────

/** Starts an attempt of round `index` (or completes the run when no round is left). */
function beginAttempt(
  state: RunState,
  at: number,
  index: number,
  previous: { attempt: number; failedAttempts: number } = { attempt: 0, failedAttempts: 0 },
): Transition {
  if (index >= totalRounds(state.plan)) {
    return { state: { ...state, stage: 'completed', round: null }, commands: [{ type: 'completeRun', runId: state.runId }] };
  }
  const phase: Phase = phaseOfRound(state.plan, index);
  const round: RoundState = {
    index,
    phase,
    attempt: previous.attempt + 1,
    failedAttempts: previous.failedAttempts,
    stage: 'waitingForSites',
    startedAt: at,
    deadlineAt: at + state.plan.roundDeadlineMs,
    selected: [],
    dropped: [],
    accepted: [],
    rejected: [],
  };
  const begun: RunState = { ...state, stage: 'training', round, priorAttempts: null };
  const commands: RunCommand[] = [
    { type: 'beginAttempt', runId: state.runId, round: index, attempt: round.attempt, phase, deadlineAt: round.deadlineAt },
  ];
  const opened = openIfQuorumConnected(begun);
  return { state: opened.state, commands: [...commands, ...opened.commands] };
}

/** waitingForSites → opening once at least minSites are connected. */
function openIfQuorumConnected(state: RunState): Transition {
  const round = state.round!;
  if (round.stage !== 'waitingForSites' || state.connected.length < state.plan.minSites) return { state, commands: [] };
  return {
    state: { ...state, round: { ...round, stage: 'opening' } },
    commands: [
      {
        type: 'openRound',
        runId: state.runId,
        round: round.index,
        attempt: round.attempt,
        phase: round.phase,
        availableSiteIds: state.connected,
        deadlineAt: round.deadlineAt,
      },
    ],
  };
}

/** The attempt failed: retry within the budget (unless the failure is final), else fail the run. */
function failAttempt(state: RunState, at: number, reason: string, final = false): Transition {
  const round = state.round!;
  const failedAttempts = round.failedAttempts + 1;
  const willRetry = !final && failedAttempts <= state.plan.maxRoundRetries;
  const failed: RunCommand = { type: 'roundFailed', runId: state.runId, round: round.index, attempt: round.attempt, reason, willRetry };
  if (willRetry) {
    const retry = beginAttempt(state, at, round.index, { attempt: round.attempt, failedAttempts });
    return { state: retry.state, commands: [failed, ...retry.commands] };
  }
  const runReason = `round ${round.index} failed ${failedAttempts} time${failedAttempts === 1 ? '' : 's'}; last: ${reason}`;
  return {
    state: { ...state, stage: 'failed', round: null, reason: runReason },
    commands: [failed, { type: 'failRun', runId: state.runId, reason: runReason }],
  };
}

// ─── Collecting ──────────────────────────────────────────────────────────────────────────

function startAggregation(state: RunState, failures: readonly RoundFailure[]): Transition {
  const round = state.round!;
  return {
    state: { ...state, round: { ...round, stage: 'aggregating' } },
    commands: [
      {
        type: 'aggregate',
        runId: state.runId,
        round: round.index,
        attempt: round.attempt,
        phase: round.phase,
        results: round.accepted,
        failures,
      },
    ],
  };
}

function knownFailures(round: RoundState): RoundFailure[] {
  return [
    ...round.dropped.map((siteId) => ({ siteId, reason: 'left before answering' })),
    ...round.rejected,
  ].sort((a, b) => (a.siteId < b.siteId ? -1 : a.siteId > b.siteId ? 1 : 0));
}

/**
 * After an answer or a departure: aggregate once every remaining selected site answered
 * and the quorum holds; fail at once when the quorum can no longer be reached.
 */
function settleIfDecided(state: RunState, at: number): Transition {
  const round = state.round!;
  const outstanding = outstandingSites(round).length;
  const accepted = round.accepted.length;
  const { minSites } = state.plan;
  if (outstanding === 0 && accepted >= minSites) return startAggregation(state, knownFailures(round));
  if (accepted + outstanding < minSites) {
    return failAttempt(
      state,
      at,
      `quorum not reachable: ${accepted} accepted result${accepted === 1 ? '' : 's'} and ${outstanding} outstanding, ` +
        `${minSites} needed (${knownFailures(round).length} selected sites left or were rejected)`,
    );
  }
  return { state, commands: [] };
}

/**
 * Whether a result may be validated and counted, checked in order: run, round, phase,
 * stage, deadline, selection, attempt, duplicates. Pure; the owner calls it before the
 * (costlier) validate-update, and transition() applies it again.
 *
 * The wire's TrainResult names its round but not the attempt: `attempt` is the one whose
 * TrainTask the result answers (the owner matches the envelope's inReplyTo), so a result
 * trained for an earlier attempt of the same round (before a retry or a restart) is refused.
 */
export function screenResult(
  state: RunState,
  result: { runId: string; siteId: string; round: number; phase: Phase; attempt: number | null; at: number },
): ResultRejection | null {
  const round = state.round;
  if (result.runId !== state.runId) {
    return { kind: 'wrongRun', code: 'STALE_ROUND', reason: `result for run ${result.runId}, but this is run ${state.runId}` };
  }
  if (state.stage !== 'training' || !round) {
    return { kind: 'notRunning', code: 'STALE_ROUND', reason: `run ${state.runId} is ${state.stage}, not training` };
  }
  if (result.round < round.index) {
    return { kind: 'staleRound', code: 'STALE_ROUND', reason: `round ${result.round} is over; the current round is ${round.index}` };
  }
  if (result.round > round.index) {
    return { kind: 'futureRound', code: 'UNEXPECTED_MESSAGE', reason: `round ${result.round} has not started; the current round is ${round.index}` };
  }
  if (result.phase !== round.phase) {
    const reason = `round ${round.index} belongs to the ${round.phase} phase, the result to ${result.phase}`;
    return { kind: 'wrongPhase', code: 'UNEXPECTED_MESSAGE', reason };
  }
  if (round.stage === 'waitingForSites' || round.stage === 'opening') {
    return { kind: 'notOpen', code: 'UNEXPECTED_MESSAGE', reason: `${roundText(round)} has not sent its tasks yet` };
  }
  if (round.stage !== 'collecting') {
    return { kind: 'closed', code: 'STALE_ROUND', reason: `${roundText(round)} is closed (${round.stage})` };
  }
  if (result.at > round.deadlineAt) {
    const reason = `${roundText(round)} closed at its deadline, ${result.at - round.deadlineAt} ms before this result`;
    return { kind: 'late', code: 'STALE_ROUND', reason };
  }
  if (!round.selected.includes(result.siteId)) {
    return { kind: 'notSelected', code: 'UNEXPECTED_MESSAGE', reason: `site ${result.siteId} was not selected for ${roundText(round)}` };
  }
  if (result.attempt !== round.attempt) {
    const reason =
      result.attempt === null
        ? `the result of site ${result.siteId} answers no task of ${roundText(round)}: its inReplyTo must name the TrainTask this attempt sent the site`
        : `the result of site ${result.siteId} answers the task of round ${round.index} attempt ${result.attempt}; the current attempt is ${round.attempt}`;
    return { kind: 'staleAttempt', code: 'STALE_ROUND', reason };
  }
  if (round.dropped.includes(result.siteId)) {
    return { kind: 'dropped', code: 'STALE_ROUND', reason: `site ${result.siteId} left ${roundText(round)} and was dropped from it` };
  }
  if (round.accepted.some((a) => a.siteId === result.siteId) || round.rejected.some((r) => r.siteId === result.siteId)) {
    return { kind: 'duplicate', code: 'STALE_ROUND', reason: `site ${result.siteId} already answered ${roundText(round)}` };
  }
  return null;
}

function onResult(state: RunState, event: Extract<RunEvent, { type: 'resultReceived' }>): Transition {
  const reject = (rejection: ResultRejection): RunCommand => ({
    type: 'rejectResult',
    runId: state.runId,
    siteId: event.siteId,
    round: event.round,
    rejection,
  });
  const screened = screenResult(state, event);
  if (screened) return { state, commands: [reject(screened)] };
  const round = state.round!;
  if (event.verdict && !event.verdict.ok) {
    const rejection: ResultRejection = { kind: 'invalidUpdate', code: event.verdict.code, reason: event.verdict.reason };
    const failure: RoundFailure = { siteId: event.siteId, reason: `update rejected (${event.verdict.code}): ${event.verdict.reason}` };
    const next: RunState = { ...state, round: { ...round, rejected: [...round.rejected, failure] } };
    const settled = settleIfDecided(next, event.at);
    return { state: settled.state, commands: [reject(rejection), ...settled.commands] };
  }
  const next: RunState = { ...state, round: { ...round, accepted: [...round.accepted, { siteId: event.siteId, recordCount: event.recordCount }] } };
  const accept: RunCommand = {
    type: 'acceptResult',
    runId: state.runId,
    round: round.index,
    attempt: round.attempt,
    siteId: event.siteId,
    recordCount: event.recordCount,
  };
  const settled = settleIfDecided(next, event.at);
  return { state: settled.state, commands: [accept, ...settled.commands] };
}

function onDeadline(state: RunState, event: Extract<RunEvent, { type: 'deadlineExpired' }>): Transition {
  const round = state.round!;
  const { minSites } = state.plan;
  switch (round.stage) {
    case 'waitingForSites':
      return failAttempt(state, event.at, `only ${state.connected.length} of the ${minSites} sites needed were connected by the deadline`);
    case 'opening':
      return failAttempt(state, event.at, 'the round did not open before its deadline');
    case 'collecting': {
      const missing = outstandingSites(round).map((siteId) => ({ siteId, reason: 'no result before the deadline' }));
      if (round.accepted.length >= minSites) {
        const failures = [...knownFailures(round), ...missing].sort((a, b) => (a.siteId < b.siteId ? -1 : a.siteId > b.siteId ? 1 : 0));
        return startAggregation(state, failures);
      }
      return failAttempt(
        state,
        event.at,
        `quorum not reached by the deadline: ${round.accepted.length} of the ${minSites} results needed ` +
          `(${missing.length} missing, ${round.dropped.length} left, ${round.rejected.length} rejected)`,
      );
    }
    default:
      // Aggregation and checkpointing are local work that reports back; the deadline only bounds the sites.
      return ignore(state, `deadline of ${roundText(round)} passed while ${round.stage}`);
  }
}

// ─── The transition function ─────────────────────────────────────────────────────────────

/** Whether an event names the current attempt (timers and replies of older attempts are ignored). */
function isCurrentAttempt(state: RunState, event: { round: number; attempt: number }): boolean {
  return state.stage === 'training' && state.round !== null && state.round.index === event.round && state.round.attempt === event.attempt;
}

/** An `ignored` transition unless the event names the current attempt and it is at `stage`. */
function unlessCurrent(
  state: RunState,
  event: { type: string; round: number; attempt: number },
  stage: RoundStage,
): Transition | null {
  if (isCurrentAttempt(state, event) && state.round!.stage === stage) return null;
  return ignore(state, `${event.type} for round ${event.round} attempt ${event.attempt}, which is not ${stage}`);
}

export function transition(state: RunState, event: RunEvent): Transition {
  // Membership is tracked in every stage, so a (re)start knows who is connected.
  if (event.type === 'siteJoined') {
    const next: RunState = { ...state, connected: withSite(state.connected, event.siteId) };
    if (state.stage === 'training' && state.round?.stage === 'waitingForSites') return openIfQuorumConnected(next);
    if (state.stage === 'waitingForSites' && next.connected.length >= state.plan.minSites) return proposeOrWait(next, event.at);
    return { state: next, commands: [] };
  }
  if (event.type === 'siteLeft') {
    const next: RunState = { ...state, connected: withoutSite(state.connected, event.siteId) };
    const round = next.round;
    if (state.stage === 'training' && round?.stage === 'collecting' && outstandingSites(round).includes(event.siteId)) {
      return settleIfDecided({ ...next, round: { ...round, dropped: [...round.dropped, event.siteId] } }, event.at);
    }
    return { state: next, commands: [] };
  }
  if (event.type === 'resultReceived') return onResult(state, event);

  if (event.type === 'stop') return onStop(state, event);

  switch (state.stage) {
    case 'idle':
      return event.type === 'start' ? onStart(state, event) : ignore(state, `${event.type} before the run started`);
    case 'waitingForSites':
      return event.type === 'siteWaitExpired' ? onSiteWaitExpired(state) : ignore(state, `${event.type} while waiting for sites`);
    case 'vocabulary':
      if (event.type === 'vocabularyAgreed') {
        return beginAttempt({ ...state, vocabularyAgreed: true }, event.at, state.completedRounds, state.priorAttempts ?? undefined);
      }
      if (event.type === 'vocabularyFailed') {
        const reason = `no vocabulary agreed: ${event.reason}`;
        return { state: { ...state, stage: 'failed', reason }, commands: [{ type: 'failRun', runId: state.runId, reason }] };
      }
      return ignore(state, `${event.type} while agreeing on the vocabulary`);
    case 'training':
      return onTrainingEvent(state, event);
    default:
      return ignore(state, `${event.type} after the run ${state.stage}`);
  }
}

/** Begins a fresh run with the vocabulary, or resumes a restored one at its next round. */
function onStart(state: RunState, event: Extract<RunEvent, { type: 'start' }>): Transition {
  const started: RunState = { ...state, connected: event.connected ? normaliseSites(event.connected) : state.connected };
  if (!started.vocabularyAgreed) return proposeOrWait(started, event.at);
  return beginAttempt(started, event.at, started.completedRounds, started.priorAttempts ?? undefined);
}

/**
 * The vocabulary is the union of the sites' codes, so it is only proposed once the quorum
 * is connected: proposed to fewer sites, it would miss codes, and the run could not train.
 * Until then the run waits (bounded by plan.siteWaitMs when set).
 */
function proposeOrWait(state: RunState, at: number): Transition {
  const { minSites, siteWaitMs } = state.plan;
  if (state.connected.length >= minSites) {
    return {
      state: { ...state, stage: 'vocabulary' },
      commands: [{ type: 'proposeVocabulary', runId: state.runId, siteIds: state.connected }],
    };
  }
  const deadlineAt = siteWaitMs ? at + siteWaitMs : null;
  return {
    state: { ...state, stage: 'waitingForSites' },
    commands: [{ type: 'waitForSites', runId: state.runId, connected: state.connected.length, needed: minSites, deadlineAt }],
  };
}

function onSiteWaitExpired(state: RunState): Transition {
  const { minSites, siteWaitMs } = state.plan;
  const connected = state.connected.length;
  const which = connected > 0 ? ` (${state.connected.join(', ')})` : '';
  const reason =
    `only ${connected} of the ${minSites} sites required ${connected === 1 ? 'was' : 'were'} connected${which} ` +
    `after waiting ${formatWait(siteWaitMs ?? 0)} (plan.siteWaitMs); start the missing site agents, or lower minSites`;
  return { state: { ...state, stage: 'failed', reason }, commands: [{ type: 'failRun', runId: state.runId, reason }] };
}

function formatWait(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

/**
 * Stops the run. The attempt in progress fails without retry, except one already
 * checkpointing: its checkpoint is being written and will be recorded as completed, which
 * a later resume builds on.
 */
function onStop(state: RunState, event: Extract<RunEvent, { type: 'stop' }>): Transition {
  if (isTerminal(state)) return ignore(state, `run is already ${state.stage}`);
  const reason = event.reason ?? 'stopped by an administrator';
  const commands: RunCommand[] = [];
  const round = state.round;
  if (round && round.stage !== 'checkpointing') {
    commands.push({ type: 'roundFailed', runId: state.runId, round: round.index, attempt: round.attempt, reason, willRetry: false });
  }
  commands.push({ type: 'stopRun', runId: state.runId, reason });
  return { state: { ...state, stage: 'stopped', round: null, reason }, commands };
}

function onTrainingEvent(state: RunState, event: RunEvent): Transition {
  const round = state.round!;
  switch (event.type) {
    case 'roundOpened': {
      const stale = unlessCurrent(state, event, 'opening');
      if (stale) return stale;
      const selected = normaliseSites(event.selected);
      // Sites that left between openRound and now are dropped straight away.
      const dropped = selected.filter((s) => !state.connected.includes(s));
      const opened: RunState = { ...state, round: { ...round, stage: 'collecting', selected, dropped } };
      if (event.failure !== undefined) return failAttempt(opened, event.at, event.failure);
      if (selected.length - dropped.length < state.plan.minSites) {
        const refused = (event.refused ?? []).map((r) => `${r.siteId}: ${r.reason}`);
        return failAttempt(
          opened,
          event.at,
          `${selected.length - dropped.length} connected site${selected.length - dropped.length === 1 ? ' was' : 's were'} selected, ` +
            `fewer than the ${state.plan.minSites} needed` +
            (refused.length > 0 ? `; refused the task: ${refused.join('; ')}` : ''),
        );
      }
      return { state: opened, commands: [] };
    }
    case 'deadlineExpired':
      if (!isCurrentAttempt(state, event)) return ignore(state, `deadline of round ${event.round} attempt ${event.attempt}, no longer current`);
      return onDeadline(state, event);
    case 'aggregated':
      return unlessCurrent(state, event, 'aggregating') ?? {
        state: { ...state, round: { ...round, stage: 'checkpointing' } },
        commands: [{ type: 'writeCheckpoint', runId: state.runId, round: round.index, attempt: round.attempt, phase: round.phase }],
      };
    case 'aggregationFailed':
      return unlessCurrent(state, event, 'aggregating') ?? failAttempt(state, event.at, `aggregation failed: ${event.reason}`, event.final);
    case 'checkpointed': {
      const stale = unlessCurrent(state, event, 'checkpointing');
      if (stale) return stale;
      const completed: RunState = { ...state, completedRounds: round.index + 1, round: null };
      const commands: RunCommand[] = [];
      const every = state.plan.evaluateEvery;
      // Only GAN rounds: before them the generator is untrained, and its scores say nothing.
      if (every > 0 && round.phase === 'gan' && (round.index + 1) % every === 0) {
        commands.push({ type: 'evaluate', runId: state.runId, round: round.index, siteIds: state.connected });
      }
      const next = beginAttempt(completed, event.at, round.index + 1);
      return { state: next.state, commands: [...commands, ...next.commands] };
    }
    case 'checkpointFailed':
      return unlessCurrent(state, event, 'checkpointing') ?? failAttempt(state, event.at, `checkpoint failed: ${event.reason}`, event.final);
    default:
      return ignore(state, `${event.type} during ${roundText(round)} (${round.stage})`);
  }
}
