import { join } from 'node:path';
import { PLAN } from '../__fixtures__/plans';
import { useTempDir } from '../__fixtures__/temp-dir';
import { CoordinatorStore } from '../store/coordinator-store';
import { restoreRunState, type PersistedRound } from './restore-run-state';
import { transition } from './round-state-machine';

const run = (overrides: Partial<Parameters<typeof restoreRunState>[0]['run']> = {}) => ({
  id: 'run-1',
  status: 'running' as const,
  plan: PLAN,
  vocabulary: ['401', '250'],
  error: null,
  ...overrides,
});

const completed = (round: number, attempt = 1): PersistedRound => ({ round, attempt, status: 'completed' });

describe('restoreRunState', () => {
  it('resumes a running run at the round after its last completed one', () => {
    const state = restoreRunState({ run: run(), rounds: [completed(0), completed(1)], connected: ['b', 'a'] });

    expect(state).toMatchObject({ stage: 'idle', completedRounds: 2, vocabularyAgreed: true, connected: ['a', 'b'], priorAttempts: null });
    const resumed = transition(state, { type: 'start', at: 5 });
    expect(resumed.commands).toEqual([
      { type: 'beginAttempt', runId: 'run-1', round: 2, attempt: 1, phase: 'gan', deadlineAt: 5 + PLAN.roundDeadlineMs },
      { type: 'openRound', runId: 'run-1', round: 2, attempt: 1, phase: 'gan', availableSiteIds: ['a', 'b'], deadlineAt: 5 + PLAN.roundDeadlineMs },
    ]);
  });

  it('continues attempt numbering and the retry budget; an interrupted attempt costs no retry', () => {
    const rounds: PersistedRound[] = [
      completed(0),
      { round: 1, attempt: 1, status: 'failed' },
      { round: 1, attempt: 2, status: 'open' }, // the crash interrupted it
    ];

    const state = restoreRunState({ run: run(), rounds, connected: ['a', 'b'] });

    expect(state.priorAttempts).toEqual({ attempt: 2, failedAttempts: 1 });
    const started = transition(state, { type: 'start', at: 0 });
    expect(started.state.round).toMatchObject({ index: 1, attempt: 3, failedAttempts: 1 });
    // maxRoundRetries is 1 and one failure is already counted: the next failure ends the run.
    const failed = transition(started.state, { type: 'deadlineExpired', at: PLAN.roundDeadlineMs, round: 1, attempt: 3 });
    expect(failed.commands.map((c) => c.type)).toEqual(['roundFailed', 'failRun']);
  });

  it('asks for the vocabulary again when none was stored', () => {
    const state = restoreRunState({ run: run({ vocabulary: null }), rounds: [] });
    expect(transition(state, { type: 'start', at: 0, connected: ['a', 'b'] }).commands).toEqual([{ type: 'proposeVocabulary', runId: 'run-1', siteIds: ['a', 'b'] }]);
    // With fewer than minSites connected it waits for them first.
    expect(transition(state, { type: 'start', at: 0 }).commands).toEqual([{ type: 'waitForSites', runId: 'run-1', connected: 0, needed: 2, deadlineAt: null }]);
  });

  it('restores finished, stopped and created runs in their stage', () => {
    expect(restoreRunState({ run: run({ status: 'completed' }), rounds: [0, 1, 2, 3, 4].map((r) => completed(r)) })).toMatchObject({
      stage: 'completed',
      completedRounds: 5,
    });
    expect(restoreRunState({ run: run({ status: 'failed', error: 'round 3 failed 2 times' }), rounds: [] })).toMatchObject({
      stage: 'failed',
      reason: 'round 3 failed 2 times',
    });
    expect(restoreRunState({ run: run({ status: 'stopped' }), rounds: [completed(0)] })).toMatchObject({ stage: 'stopped', completedRounds: 1 });
    expect(restoreRunState({ run: run({ status: 'created', vocabulary: null }), rounds: [] })).toMatchObject({ stage: 'idle', completedRounds: 0 });
  });

  it('refuses gaps in the completed rounds and a plan it cannot read', () => {
    expect(() => restoreRunState({ run: run(), rounds: [completed(0), completed(2)] })).toThrow(
      'run run-1: completed rounds must be 0..1 without gaps, found round 2 at position 1',
    );
    expect(() => restoreRunState({ run: run({ plan: { phases: [] } }), rounds: [] })).toThrow('invalid run plan');
  });

  describe('from a real store', () => {
    const dir = useTempDir();

    it('rebuilds the state of a run the store recorded before a restart', () => {
      const path = join(dir.path, 'c.sqlite');
      const before = CoordinatorStore.open({ path });
      before.runs.create({ id: 'run-1', plan: PLAN });
      before.runs.start('run-1');
      before.runs.setVocabulary('run-1', { codes: ['401'], hash: 'h' });
      const checkpoint = { path: 'run-1/x.pb', sha256: '0'.repeat(64) };
      before.rounds.open({ runId: 'run-1', round: 0, attempt: 1, phase: 'autoencoder', deadlineAt: null });
      before.rounds.complete({ runId: 'run-1', round: 0, attempt: 1 }, { checkpoint });
      before.rounds.open({ runId: 'run-1', round: 1, attempt: 1, phase: 'autoencoder', deadlineAt: null });
      before.close(); // a crash during round 1

      const after = CoordinatorStore.open({ path });
      const state = restoreRunState({ run: after.runs.get('run-1'), rounds: after.rounds.list('run-1'), connected: ['a', 'b'] });
      after.rounds.failUnfinished('run-1', 'interrupted: coordinator restarted');
      const resumed = transition(state, { type: 'start', at: 0 });

      expect(resumed.state.round).toMatchObject({ index: 1, attempt: 2, failedAttempts: 0, phase: 'autoencoder' });
      // The resumed attempt can be recorded: its id does not collide with the interrupted one.
      const begin = resumed.commands[0]!;
      expect(begin.type).toBe('beginAttempt');
      after.rounds.open({ runId: 'run-1', round: 1, attempt: 2, phase: 'autoencoder', deadlineAt: null });
      expect(after.rounds.list('run-1').map((r) => [r.round, r.attempt, r.status])).toEqual([
        [0, 1, 'completed'],
        [1, 1, 'failed'],
        [1, 2, 'open'],
      ]);
      after.close();
    });
  });
});
