import { PLAN } from '../__fixtures__/plans';
import { createRunState, outstandingSites, screenResult, transition } from './round-state-machine';
import type { RunCommand, RunEvent, RunState, Transition } from './round-state';
import type { RunPlan } from './run-plan';

const T0 = 1_000_000;
const DEADLINE = T0 + PLAN.roundDeadlineMs;

/** Deep-freezes a state so any mutation inside transition() throws. */
function frozen<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) frozen(v);
  }
  return value;
}

/** Applies events in order; returns the final state and every command emitted. */
function play(state: RunState, ...events: RunEvent[]): { state: RunState; commands: RunCommand[]; last: Transition } {
  const commands: RunCommand[] = [];
  let last: Transition = { state, commands: [] };
  for (const event of events) {
    last = transition(frozen(last.state), event);
    commands.push(...last.commands);
  }
  return { state: last.state, commands, last };
}

const types = (commands: readonly RunCommand[]) => commands.map((c) => c.type);

function result(siteId: string, overrides: Partial<Extract<RunEvent, { type: 'resultReceived' }>> = {}): RunEvent {
  return { type: 'resultReceived', at: T0 + 10, runId: 'run-1', siteId, round: 0, phase: 'autoencoder', attempt: 1, recordCount: 100, verdict: { ok: true }, ...overrides };
}

/** Round 0 collecting from sites a, b, c (quorum 2). */
function collecting(plan: RunPlan = PLAN): RunState {
  return play(
    createRunState({ runId: 'run-1', plan }),
    { type: 'start', at: T0, connected: ['c', 'a', 'b'] },
    { type: 'vocabularyAgreed', at: T0 },
    { type: 'roundOpened', at: T0, round: 0, attempt: 1, selected: ['a', 'b', 'c'] },
  ).state;
}

describe('round state machine', () => {
  describe('starting a run', () => {
    it('creates an idle run with a sorted, unique site list', () => {
      expect(createRunState({ runId: 'run-1', plan: PLAN, connected: ['b', 'a', 'b'] })).toEqual({
        runId: 'run-1',
        plan: PLAN,
        stage: 'idle',
        connected: ['a', 'b'],
        vocabularyAgreed: false,
        completedRounds: 0,
        round: null,
        priorAttempts: null,
        reason: null,
      });
    });

    it('proposes a vocabulary to the connected sites on start', () => {
      const { state, commands } = play(createRunState({ runId: 'run-1', plan: PLAN }), { type: 'start', at: T0, connected: ['b', 'a'] });

      expect(state.stage).toBe('vocabulary');
      expect(commands).toEqual([{ type: 'proposeVocabulary', runId: 'run-1', siteIds: ['a', 'b'] }]);
    });

    it('opens round 0 once the vocabulary is agreed and a quorum is connected', () => {
      const { state, commands } = play(
        createRunState({ runId: 'run-1', plan: PLAN }),
        { type: 'start', at: T0, connected: ['a', 'b'] },
        { type: 'vocabularyAgreed', at: T0 },
      );

      expect(state.stage).toBe('training');
      expect(state.round).toMatchObject({ index: 0, phase: 'autoencoder', attempt: 1, stage: 'opening', deadlineAt: DEADLINE });
      expect(commands.slice(1)).toEqual([
        { type: 'beginAttempt', runId: 'run-1', round: 0, attempt: 1, phase: 'autoencoder', deadlineAt: DEADLINE },
        { type: 'openRound', runId: 'run-1', round: 0, attempt: 1, phase: 'autoencoder', availableSiteIds: ['a', 'b'], deadlineAt: DEADLINE },
      ]);
    });

    it('fails the run when no vocabulary is agreed', () => {
      const { state, commands } = play(
        createRunState({ runId: 'run-1', plan: PLAN }),
        { type: 'start', at: T0, connected: ['a', 'b'] },
        { type: 'vocabularyFailed', at: T0, reason: 'site b refused: digest mismatch' },
      );

      expect(state).toMatchObject({ stage: 'failed', reason: 'no vocabulary agreed: site b refused: digest mismatch' });
      expect(commands[1]).toEqual({ type: 'failRun', runId: 'run-1', reason: 'no vocabulary agreed: site b refused: digest mismatch' });
    });

    it('ignores round events before the run starts, and tracks sites meanwhile', () => {
      const idle = createRunState({ runId: 'run-1', plan: PLAN });

      expect(transition(idle, { type: 'aggregated', at: T0, round: 0, attempt: 1 })).toMatchObject({ commands: [], ignored: 'aggregated before the run started' });
      expect(transition(idle, { type: 'vocabularyAgreed', at: T0 }).ignored).toBeDefined();
      const joined = play(idle, { type: 'siteJoined', at: T0, siteId: 'b' }, { type: 'siteJoined', at: T0, siteId: 'a' }, { type: 'siteLeft', at: T0, siteId: 'b' });
      expect(joined.state.connected).toEqual(['a']);
      const rejoined = play(joined.state, { type: 'siteJoined', at: T0, siteId: 'c' });
      expect(play(rejoined.state, { type: 'start', at: T0 }).commands).toEqual([{ type: 'proposeVocabulary', runId: 'run-1', siteIds: ['a', 'c'] }]);
    });
  });

  describe('waiting for minSites sites before the vocabulary', () => {
    const started = (plan: RunPlan = PLAN) => play(createRunState({ runId: 'run-1', plan }), { type: 'start', at: T0, connected: ['a'] });

    it('waits instead of proposing a vocabulary to too few sites, then proposes once the quorum is connected', () => {
      const { state, commands } = started();
      expect(state.stage).toBe('waitingForSites');
      expect(commands).toEqual([{ type: 'waitForSites', runId: 'run-1', connected: 1, needed: 2, deadlineAt: null }]);

      // A site that leaves and comes back does not make a quorum; events of later stages are ignored.
      const still = play(state, { type: 'siteLeft', at: T0 + 1, siteId: 'a' }, { type: 'siteJoined', at: T0 + 2, siteId: 'a' });
      expect(still.state).toMatchObject({ stage: 'waitingForSites', connected: ['a'] });
      expect(still.commands).toEqual([]);
      expect(transition(state, { type: 'vocabularyAgreed', at: T0 }).ignored).toBe('vocabularyAgreed while waiting for sites');

      const joined = transition(state, { type: 'siteJoined', at: T0 + 5, siteId: 'b' });
      expect(joined.state.stage).toBe('vocabulary');
      expect(joined.commands).toEqual([{ type: 'proposeVocabulary', runId: 'run-1', siteIds: ['a', 'b'] }]);
    });

    it('fails the run when plan.siteWaitMs passes first, naming connected vs required sites', () => {
      const { state, commands } = started({ ...PLAN, minSites: 3, siteWaitMs: 30_000 });
      expect(commands).toEqual([{ type: 'waitForSites', runId: 'run-1', connected: 1, needed: 3, deadlineAt: T0 + 30_000 }]);

      const expired = transition(state, { type: 'siteWaitExpired', at: T0 + 30_000 });
      const reason = 'only 1 of the 3 sites required was connected (a) after waiting 30 s (plan.siteWaitMs); start the missing site agents, or lower minSites';
      expect(expired.state).toMatchObject({ stage: 'failed', reason });
      expect(expired.commands).toEqual([{ type: 'failRun', runId: 'run-1', reason }]);
    });

    it('ignores a wait timer once the quorum was met, and can be stopped while waiting', () => {
      const proposing = transition(started().state, { type: 'siteJoined', at: T0, siteId: 'b' }).state;
      expect(transition(proposing, { type: 'siteWaitExpired', at: T0 + 1 })).toMatchObject({ state: proposing, commands: [] });

      const stopped = transition(started().state, { type: 'stop', at: T0 + 1 });
      expect(stopped.state.stage).toBe('stopped');
      expect(stopped.commands).toEqual([{ type: 'stopRun', runId: 'run-1', reason: 'stopped by an administrator' }]);
    });
  });

  describe('waiting for a quorum within a round (a site left after the vocabulary)', () => {
    const waiting = () =>
      play(
        createRunState({ runId: 'run-1', plan: PLAN }),
        { type: 'start', at: T0, connected: ['a', 'b'] },
        { type: 'siteLeft', at: T0, siteId: 'b' },
        { type: 'vocabularyAgreed', at: T0 },
      );

    it('waits, then opens when enough sites join', () => {
      const { state, commands } = waiting();
      expect(state.round?.stage).toBe('waitingForSites');
      expect(types(commands)).toEqual(['proposeVocabulary', 'beginAttempt']);

      const joined = transition(state, { type: 'siteJoined', at: T0 + 5, siteId: 'b' });
      expect(joined.state.round?.stage).toBe('opening');
      expect(joined.commands).toEqual([
        { type: 'openRound', runId: 'run-1', round: 0, attempt: 1, phase: 'autoencoder', availableSiteIds: ['a', 'b'], deadlineAt: DEADLINE },
      ]);
    });

    it('fails the attempt at the deadline, retries, then fails the run when retries are exhausted', () => {
      const first = transition(waiting().state, { type: 'deadlineExpired', at: DEADLINE, round: 0, attempt: 1 });
      expect(first.commands).toEqual([
        { type: 'roundFailed', runId: 'run-1', round: 0, attempt: 1, reason: 'only 1 of the 2 sites needed were connected by the deadline', willRetry: true },
        { type: 'beginAttempt', runId: 'run-1', round: 0, attempt: 2, phase: 'autoencoder', deadlineAt: DEADLINE + PLAN.roundDeadlineMs },
      ]);
      expect(first.state.round).toMatchObject({ attempt: 2, failedAttempts: 1, stage: 'waitingForSites' });

      const second = transition(first.state, { type: 'deadlineExpired', at: DEADLINE + PLAN.roundDeadlineMs, round: 0, attempt: 2 });
      expect(second.state).toMatchObject({ stage: 'failed', round: null });
      expect(second.commands).toEqual([
        { type: 'roundFailed', runId: 'run-1', round: 0, attempt: 2, reason: 'only 1 of the 2 sites needed were connected by the deadline', willRetry: false },
        { type: 'failRun', runId: 'run-1', reason: 'round 0 failed 2 times; last: only 1 of the 2 sites needed were connected by the deadline' },
      ]);
    });

    it('ignores the timer of an older attempt', () => {
      const retried = transition(waiting().state, { type: 'deadlineExpired', at: DEADLINE, round: 0, attempt: 1 }).state;
      expect(transition(retried, { type: 'deadlineExpired', at: DEADLINE + 1, round: 0, attempt: 1 })).toMatchObject({ state: retried, commands: [] });
    });
  });

  describe('opening a round', () => {
    const opening = () =>
      play(createRunState({ runId: 'run-1', plan: PLAN }), { type: 'start', at: T0, connected: ['a', 'b', 'c'] }, { type: 'vocabularyAgreed', at: T0 }).state;

    it('starts collecting from the sites the strategy selected', () => {
      const { state, commands } = play(opening(), { type: 'roundOpened', at: T0 + 1, round: 0, attempt: 1, selected: ['c', 'a'] });
      expect(commands).toEqual([]);
      expect(state.round).toMatchObject({ stage: 'collecting', selected: ['a', 'c'], dropped: [] });
    });

    it('drops selected sites that left while the tasks were sent', () => {
      const { state } = play(opening(), { type: 'siteLeft', at: T0, siteId: 'c' }, { type: 'roundOpened', at: T0 + 1, round: 0, attempt: 1, selected: ['a', 'b', 'c'] });
      expect(state.round).toMatchObject({ stage: 'collecting', selected: ['a', 'b', 'c'], dropped: ['c'] });
    });

    it('fails the attempt when fewer than minSites connected sites were selected', () => {
      const { commands, state } = play(opening(), { type: 'roundOpened', at: T0 + 1, round: 0, attempt: 1, selected: ['a'] });
      expect(commands[0]).toEqual({
        type: 'roundFailed',
        runId: 'run-1',
        round: 0,
        attempt: 1,
        reason: '1 connected site was selected, fewer than the 2 needed',
        willRetry: true,
      });
      expect(state.round).toMatchObject({ attempt: 2, stage: 'opening' });
    });

    it('ignores a roundOpened for another attempt, and fails an attempt that never opens', () => {
      const state = opening();
      expect(transition(state, { type: 'roundOpened', at: T0, round: 0, attempt: 7, selected: ['a', 'b'] }).ignored).toBeDefined();
      expect(transition(state, { type: 'deadlineExpired', at: DEADLINE, round: 0, attempt: 1 }).commands[0]).toMatchObject({
        type: 'roundFailed',
        reason: 'the round did not open before its deadline',
      });
    });
  });

  describe('collecting results', () => {
    it('accepts each selected site once and aggregates when all have answered', () => {
      const { state, commands } = play(collecting(), result('b', { recordCount: 300 }), result('a'), result('c', { recordCount: 50 }));

      expect(commands).toEqual([
        { type: 'acceptResult', runId: 'run-1', round: 0, attempt: 1, siteId: 'b', recordCount: 300 },
        { type: 'acceptResult', runId: 'run-1', round: 0, attempt: 1, siteId: 'a', recordCount: 100 },
        { type: 'acceptResult', runId: 'run-1', round: 0, attempt: 1, siteId: 'c', recordCount: 50 },
        {
          type: 'aggregate',
          runId: 'run-1',
          round: 0,
          attempt: 1,
          phase: 'autoencoder',
          results: [
            { siteId: 'b', recordCount: 300 },
            { siteId: 'a', recordCount: 100 },
            { siteId: 'c', recordCount: 50 },
          ],
          failures: [],
        },
      ]);
      expect(state.round?.stage).toBe('aggregating');
    });

    it.each([
      ['wrongRun', { runId: 'run-0' }, 'STALE_ROUND', 'result for run run-0, but this is run run-1'],
      ['staleRound', { round: -1 }, 'STALE_ROUND', 'round -1 is over; the current round is 0'],
      ['futureRound', { round: 1 }, 'UNEXPECTED_MESSAGE', 'round 1 has not started; the current round is 0'],
      ['wrongPhase', { phase: 'gan' as const }, 'UNEXPECTED_MESSAGE', 'round 0 belongs to the autoencoder phase, the result to gan'],
      ['late', { at: DEADLINE + 5 }, 'STALE_ROUND', 'round 0 (attempt 1) closed at its deadline, 5 ms before this result'],
      ['notSelected', { siteId: 'z' }, 'UNEXPECTED_MESSAGE', 'site z was not selected for round 0 (attempt 1)'],
      [
        'staleAttempt',
        { attempt: null },
        'STALE_ROUND',
        'the result of site a answers no task of round 0 (attempt 1): its inReplyTo must name the TrainTask this attempt sent the site',
      ],
    ])('rejects a %s result with a typed reason and no state change', (kind, overrides, code, reason) => {
      const state = collecting();

      const { state: after, commands } = transition(frozen(state), result((overrides as { siteId?: string }).siteId ?? 'a', overrides));

      expect(after).toBe(state);
      expect(commands).toEqual([
        { type: 'rejectResult', runId: 'run-1', siteId: (overrides as { siteId?: string }).siteId ?? 'a', round: (overrides as { round?: number }).round ?? 0, rejection: { kind, code, reason } },
      ]);
    });

    it('rejects a duplicate, a result from a dropped site and one after collection closed', () => {
      const once = play(collecting(), result('a')).state;
      expect(transition(once, result('a')).commands[0]).toMatchObject({ rejection: { kind: 'duplicate', code: 'STALE_ROUND', reason: 'site a already answered round 0 (attempt 1)' } });

      const left = play(once, { type: 'siteLeft', at: T0 + 20, siteId: 'c' }).state;
      expect(transition(left, result('c')).commands[0]).toMatchObject({ rejection: { kind: 'dropped', reason: 'site c left round 0 (attempt 1) and was dropped from it' } });

      const aggregating = play(collecting(), result('a'), result('b'), result('c')).state;
      expect(transition(aggregating, result('a')).commands[0]).toMatchObject({ rejection: { kind: 'closed', code: 'STALE_ROUND', reason: 'round 0 (attempt 1) is closed (aggregating)' } });
    });

    it('refuses a result trained for an earlier attempt of the same round, then accepts the current one', () => {
      // Attempt 1 fails at its deadline with one result; attempt 2 sends new tasks to a, b and c.
      const failedOnce = play(collecting(), result('a'), { type: 'deadlineExpired', at: DEADLINE, round: 0, attempt: 1 }).state;
      const retry = play(failedOnce, { type: 'roundOpened', at: DEADLINE, round: 0, attempt: 2, selected: ['a', 'b', 'c'] }).state;

      // b's answer to its attempt-1 task arrives late: same round, same phase, b selected again.
      const stale = transition(frozen(retry), result('b', { at: DEADLINE + 5, attempt: 1 }));
      expect(stale.state).toBe(retry);
      expect(stale.commands).toEqual([
        {
          type: 'rejectResult',
          runId: 'run-1',
          siteId: 'b',
          round: 0,
          rejection: { kind: 'staleAttempt', code: 'STALE_ROUND', reason: 'the result of site b answers the task of round 0 attempt 1; the current attempt is 2' },
        },
      ]);
      // It did not count as b's answer: b's attempt-2 result is still taken.
      expect(outstandingSites(stale.state.round!)).toEqual(['a', 'b', 'c']);
      expect(transition(retry, result('b', { at: DEADLINE + 6, attempt: 2 })).commands[0]).toEqual({
        type: 'acceptResult',
        runId: 'run-1',
        round: 0,
        attempt: 2,
        siteId: 'b',
        recordCount: 100,
      });
    });

    it('rejects results while the round is not open and when the run is not training', () => {
      const opening = play(createRunState({ runId: 'run-1', plan: PLAN }), { type: 'start', at: T0, connected: ['a', 'b'] }, { type: 'vocabularyAgreed', at: T0 }).state;
      expect(transition(opening, result('a')).commands[0]).toMatchObject({ rejection: { kind: 'notOpen' } });
      expect(transition(createRunState({ runId: 'run-1', plan: PLAN }), result('a')).commands[0]).toMatchObject({
        rejection: { kind: 'notRunning', reason: 'run run-1 is idle, not training' },
      });
    });

    it('counts an invalid update as a failure of its site, answered with the validator\'s code', () => {
      const invalid = result('c', { verdict: { ok: false, code: 'NON_FINITE', reason: 'tensor "k" holds NaN at element 2' } });

      const { commands, state } = play(collecting(), result('a'), result('b'), invalid);

      expect(commands.slice(2)).toEqual([
        { type: 'rejectResult', runId: 'run-1', siteId: 'c', round: 0, rejection: { kind: 'invalidUpdate', code: 'NON_FINITE', reason: 'tensor "k" holds NaN at element 2' } },
        expect.objectContaining({ type: 'aggregate', failures: [{ siteId: 'c', reason: 'update rejected (NON_FINITE): tensor "k" holds NaN at element 2' }] }),
      ]);
      expect(state.round?.stage).toBe('aggregating');
    });

    it('drops a site that leaves and completes once the remaining sites answered, if the quorum holds', () => {
      const { commands } = play(collecting(), result('a'), { type: 'siteLeft', at: T0 + 20, siteId: 'c' }, result('b'));

      expect(commands[commands.length - 1]).toMatchObject({
        type: 'aggregate',
        results: [{ siteId: 'a' }, { siteId: 'b' }],
        failures: [{ siteId: 'c', reason: 'left before answering' }],
      });
    });

    it('fails at once when departures make the quorum unreachable, and retries', () => {
      const { commands, state } = play(collecting(), { type: 'siteLeft', at: T0 + 20, siteId: 'a' }, { type: 'siteLeft', at: T0 + 21, siteId: 'b' });

      expect(commands[0]).toEqual({
        type: 'roundFailed',
        runId: 'run-1',
        round: 0,
        attempt: 1,
        reason: 'quorum not reachable: 0 accepted results and 1 outstanding, 2 needed (2 selected sites left or were rejected)',
        willRetry: true,
      });
      // Only c is connected now: the retry waits for sites.
      expect(state.round).toMatchObject({ attempt: 2, stage: 'waitingForSites', failedAttempts: 1 });
      expect(state.connected).toEqual(['c']);
    });

    it('ignores a site leaving after it answered, or one that was not selected', () => {
      const answered = play(collecting(), result('a')).state;
      const after = transition(answered, { type: 'siteLeft', at: T0 + 30, siteId: 'a' });
      expect(after.commands).toEqual([]);
      expect(after.state.round?.dropped).toEqual([]);
      expect(outstandingSites(after.state.round!)).toEqual(['b', 'c']);
    });
  });

  describe('the deadline while collecting', () => {
    it('aggregates what arrived when the quorum holds, listing the missing sites as failures', () => {
      const { commands } = play(collecting(), result('a'), result('c'), { type: 'deadlineExpired', at: DEADLINE, round: 0, attempt: 1 });

      expect(commands[commands.length - 1]).toMatchObject({
        type: 'aggregate',
        results: [{ siteId: 'a' }, { siteId: 'c' }],
        failures: [{ siteId: 'b', reason: 'no result before the deadline' }],
      });
    });

    it('fails the attempt when the quorum is not reached', () => {
      const { commands } = play(collecting(), result('a'), { type: 'deadlineExpired', at: DEADLINE, round: 0, attempt: 1 });

      expect(commands[1]).toMatchObject({
        type: 'roundFailed',
        reason: 'quorum not reached by the deadline: 1 of the 2 results needed (2 missing, 0 left, 0 rejected)',
        willRetry: true,
      });
      expect(commands.slice(2).map((c) => c.type)).toEqual(['beginAttempt', 'openRound']);
    });

    it('is ignored once aggregation has begun', () => {
      const aggregating = play(collecting(), result('a'), result('b'), result('c')).state;
      expect(transition(aggregating, { type: 'deadlineExpired', at: DEADLINE, round: 0, attempt: 1 })).toMatchObject({ state: aggregating, commands: [] });
    });
  });

  describe('aggregating and checkpointing', () => {
    const aggregating = () => play(collecting(), result('a'), result('b'), result('c')).state;

    it('checkpoints after aggregation, then begins the next round', () => {
      const { state, commands } = play(
        aggregating(),
        { type: 'aggregated', at: T0 + 100, round: 0, attempt: 1 },
        { type: 'checkpointed', at: T0 + 200, round: 0, attempt: 1 },
      );

      expect(commands).toEqual([
        { type: 'writeCheckpoint', runId: 'run-1', round: 0, attempt: 1, phase: 'autoencoder' },
        { type: 'beginAttempt', runId: 'run-1', round: 1, attempt: 1, phase: 'autoencoder', deadlineAt: T0 + 200 + PLAN.roundDeadlineMs },
        { type: 'openRound', runId: 'run-1', round: 1, attempt: 1, phase: 'autoencoder', availableSiteIds: ['a', 'b', 'c'], deadlineAt: T0 + 200 + PLAN.roundDeadlineMs },
      ]);
      expect(state).toMatchObject({ completedRounds: 1, round: { index: 1, attempt: 1, failedAttempts: 0 } });
    });

    it('retries the round when aggregation or the checkpoint fails', () => {
      const aggregationFailed = transition(aggregating(), { type: 'aggregationFailed', at: T0, round: 0, attempt: 1, reason: 'layout mismatch' });
      expect(aggregationFailed.commands[0]).toMatchObject({ type: 'roundFailed', reason: 'aggregation failed: layout mismatch', willRetry: true });
      expect(aggregationFailed.state.round).toMatchObject({ index: 0, attempt: 2 });

      const checkpointing = transition(aggregating(), { type: 'aggregated', at: T0, round: 0, attempt: 1 }).state;
      const checkpointFailed = transition(checkpointing, { type: 'checkpointFailed', at: T0, round: 0, attempt: 1, reason: 'ENOSPC' });
      expect(checkpointFailed.commands[0]).toMatchObject({ type: 'roundFailed', reason: 'checkpoint failed: ENOSPC' });
    });

    it('fails the run without retry when the failure is final (a secure-aggregation sum was unmasked)', () => {
      const aggregationFailed = transition(aggregating(), { type: 'aggregationFailed', at: T0, round: 0, attempt: 1, reason: 'aggregate refused', final: true });
      expect(aggregationFailed.commands).toEqual([
        { type: 'roundFailed', runId: 'run-1', round: 0, attempt: 1, reason: 'aggregation failed: aggregate refused', willRetry: false },
        { type: 'failRun', runId: 'run-1', reason: 'round 0 failed 1 time; last: aggregation failed: aggregate refused' },
      ]);
      const checkpointing = transition(aggregating(), { type: 'aggregated', at: T0, round: 0, attempt: 1 }).state;
      const checkpointFailed = transition(checkpointing, { type: 'checkpointFailed', at: T0, round: 0, attempt: 1, reason: 'ENOSPC', final: true });
      expect(checkpointFailed.commands[0]).toMatchObject({ type: 'roundFailed', willRetry: false });
      expect(checkpointFailed.state.stage).toBe('failed');
    });

    it('ignores replies for another attempt or stage', () => {
      const state = aggregating();
      expect(transition(state, { type: 'aggregated', at: T0, round: 0, attempt: 2 }).ignored).toBeDefined();
      expect(transition(state, { type: 'checkpointed', at: T0, round: 0, attempt: 1 }).ignored).toBeDefined();
      expect(transition(state, { type: 'roundOpened', at: T0, round: 0, attempt: 1, selected: [] }).ignored).toBeDefined();
      expect(transition(state, { type: 'vocabularyAgreed', at: T0 }).ignored).toBe('vocabularyAgreed during round 0 (attempt 1) (aggregating)');
    });
  });

  describe('a whole run', () => {
    /** Plays the owner: every round opens with all sites, all answer, aggregation and checkpoint succeed. */
    function drive(plan: RunPlan): { state: RunState; commands: RunCommand[] } {
      let state = createRunState({ runId: 'run-1', plan });
      const all: RunCommand[] = [];
      let at = T0;
      const queue: RunEvent[] = [{ type: 'start', at, connected: ['a', 'b'] }];
      while (queue.length > 0) {
        const next = transition(state, queue.shift()!);
        state = next.state;
        all.push(...next.commands);
        at += 1;
        for (const c of next.commands) {
          if (c.type === 'proposeVocabulary') queue.push({ type: 'vocabularyAgreed', at });
          if (c.type === 'openRound') {
            queue.push({ type: 'roundOpened', at, round: c.round, attempt: c.attempt, selected: c.availableSiteIds });
            for (const siteId of c.availableSiteIds) queue.push({ ...result(siteId), at, round: c.round, phase: c.phase, attempt: c.attempt } as RunEvent);
          }
          if (c.type === 'aggregate') queue.push({ type: 'aggregated', at, round: c.round, attempt: c.attempt });
          if (c.type === 'writeCheckpoint') queue.push({ type: 'checkpointed', at, round: c.round, attempt: c.attempt });
        }
      }
      return { state, commands: all };
    }

    it('runs the autoencoder rounds, then the GAN rounds, then completes', () => {
      const { state, commands } = drive(PLAN);

      expect(state).toMatchObject({ stage: 'completed', completedRounds: 5, round: null });
      expect(commands.filter((c) => c.type === 'writeCheckpoint').map((c) => [c.round, (c as { phase: string }).phase])).toEqual([
        [0, 'autoencoder'],
        [1, 'autoencoder'],
        [2, 'gan'],
        [3, 'gan'],
        [4, 'gan'],
      ]);
      expect(commands[commands.length - 1]).toEqual({ type: 'completeRun', runId: 'run-1' });
    });

    it('evaluates after every k-th round of the GAN phase (an untrained generator is not scored)', () => {
      // PLAN: rounds 0-1 autoencoder, 2-4 GAN. Every 2nd: round 1 (autoencoder, skipped), round 3.
      expect(drive({ ...PLAN, evaluateEvery: 2 }).commands.filter((c) => c.type === 'evaluate')).toEqual([
        { type: 'evaluate', runId: 'run-1', round: 3, siteIds: ['a', 'b'] },
      ]);
      expect(drive({ ...PLAN, evaluateEvery: 1 }).commands.filter((c) => c.type === 'evaluate').map((c) => (c as { round: number }).round)).toEqual([2, 3, 4]);
      expect(drive(PLAN).commands.filter((c) => c.type === 'evaluate')).toEqual([]);
    });

    it('gives every round its own retry budget', () => {
      const failedOnce = play(collecting(), { type: 'deadlineExpired', at: DEADLINE, round: 0, attempt: 1 }).state;
      const { state } = play(
        failedOnce,
        { type: 'roundOpened', at: DEADLINE, round: 0, attempt: 2, selected: ['a', 'b'] },
        result('a', { at: DEADLINE + 1, attempt: 2 }),
        result('b', { at: DEADLINE + 1, attempt: 2 }),
        { type: 'aggregated', at: DEADLINE + 2, round: 0, attempt: 2 },
        { type: 'checkpointed', at: DEADLINE + 3, round: 0, attempt: 2 },
      );
      expect(state.round).toMatchObject({ index: 1, attempt: 1, failedAttempts: 0 });
    });
  });

  describe('stopping', () => {
    it('stops a run mid-round: the attempt fails without retry, later events are refused or ignored', () => {
      const { state, commands } = play(collecting(), result('a'), { type: 'stop', at: T0 + 50, reason: 'admin request' });

      expect(commands.slice(1)).toEqual([
        { type: 'roundFailed', runId: 'run-1', round: 0, attempt: 1, reason: 'admin request', willRetry: false },
        { type: 'stopRun', runId: 'run-1', reason: 'admin request' },
      ]);
      expect(state).toMatchObject({ stage: 'stopped', round: null, reason: 'admin request' });
      expect(transition(state, result('b')).commands[0]).toMatchObject({ rejection: { kind: 'notRunning', reason: 'run run-1 is stopped, not training' } });
      expect(transition(state, { type: 'deadlineExpired', at: DEADLINE, round: 0, attempt: 1 }).ignored).toBe('deadlineExpired after the run stopped');
      expect(transition(state, { type: 'stop', at: T0 }).ignored).toBe('run is already stopped');
    });

    it('lets a round that is checkpointing finish: no roundFailed for it', () => {
      const checkpointing = play(collecting(), result('a'), result('b'), result('c'), { type: 'aggregated', at: T0, round: 0, attempt: 1 }).state;
      const { state, commands } = transition(checkpointing, { type: 'stop', at: T0 + 1 });
      expect(commands).toEqual([{ type: 'stopRun', runId: 'run-1', reason: 'stopped by an administrator' }]);
      expect(transition(state, { type: 'checkpointed', at: T0 + 2, round: 0, attempt: 1 }).ignored).toBe('checkpointed after the run stopped');
    });

    it('stops an idle run without a round', () => {
      expect(transition(createRunState({ runId: 'run-1', plan: PLAN }), { type: 'stop', at: T0 }).commands).toEqual([
        { type: 'stopRun', runId: 'run-1', reason: 'stopped by an administrator' },
      ]);
    });
  });

  describe('purity', () => {
    it('never mutates its input and gives the same output for the same input', () => {
      const state = frozen(collecting());
      const event = result('a');
      expect(transition(state, event)).toEqual(transition(state, event));
      expect(state.round?.accepted).toEqual([]);
    });

    it('exposes the screening rules on their own', () => {
      expect(screenResult(collecting(), { runId: 'run-1', siteId: 'a', round: 0, phase: 'autoencoder', attempt: 1, at: T0 })).toBeNull();
      expect(screenResult(collecting(), { runId: 'run-1', siteId: 'a', round: 0, phase: 'autoencoder', attempt: 1, at: DEADLINE + 1 })?.kind).toBe('late');
      expect(screenResult(collecting(), { runId: 'run-1', siteId: 'a', round: 0, phase: 'autoencoder', attempt: 2, at: T0 })?.kind).toBe('staleAttempt');
    });
  });
});
