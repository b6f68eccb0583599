import { PLAN } from '../__fixtures__/plans';
import { useTempStore } from '../__fixtures__/temp-store';

const checkpoint = { path: 'run-1/round-000000.weights.pb', sha256: 'a'.repeat(64) };

describe('RoundRepository', () => {
  const db = useTempStore();
  const { clock } = db;
  beforeEach(() => {
    db.store.runs.create({ id: 'run-1', plan: PLAN });
    db.store.sites.register({ name: 'A', id: 'a' });
    db.store.sites.register({ name: 'B', id: 'b' });
  });

  const key = { runId: 'run-1', round: 0, attempt: 1 };

  it('opens a round only for a running run, and moves the run to it', () => {
    expect(() => db.store.rounds.open({ ...key, phase: 'autoencoder', deadlineAt: 1 })).toThrow(
      'cannot open round 0 (attempt 1) of run run-1: the run is created',
    );
    db.store.runs.start('run-1');

    const round = db.store.rounds.open({ ...key, phase: 'autoencoder', deadlineAt: clock.now() + 60_000 });

    expect(round).toEqual({
      ...key,
      phase: 'autoencoder',
      status: 'open',
      startedAt: clock.now(),
      deadlineAt: clock.now() + 60_000,
      completedAt: null,
      checkpoint: null,
      strategyState: null,
      metrics: null,
      error: null,
    });
    expect(db.store.runs.get('run-1')).toMatchObject({ currentPhase: 'autoencoder', currentRound: 0 });
    expect(() => db.store.rounds.open({ ...key, phase: 'autoencoder', deadlineAt: null })).toThrow(
      'round 0 (attempt 1) of run run-1 already exists',
    );
  });

  it('completes a round with its checkpoint, state and metrics', () => {
    db.store.runs.start('run-1');
    db.store.rounds.open({ ...key, phase: 'autoencoder', deadlineAt: null });
    db.store.rounds.markAggregating(key);
    clock.advance(500);

    const done = db.store.rounds.complete(key, {
      checkpoint,
      strategyState: { path: 'run-1/round-000000.state.pb', sha256: 'b'.repeat(64) },
      metrics: { train: { loss: 0.5 }, summary: { siteCount: 2, recordCount: 300, failureCount: 0 } },
    });

    expect(done).toMatchObject({
      status: 'completed',
      completedAt: clock.now(),
      checkpoint,
      strategyState: { path: 'run-1/round-000000.state.pb', sha256: 'b'.repeat(64) },
      metrics: { train: { loss: 0.5 }, summary: { siteCount: 2, recordCount: 300, failureCount: 0 } },
    });
    expect(db.store.rounds.lastCompleted('run-1')).toEqual(done);
    expect(() => db.store.rounds.complete(key, { checkpoint })).toThrow('round 0 (attempt 1) of run run-1 is completed and cannot become completed');
  });

  it('keeps failed attempts beside the completed one, and fails interrupted rounds on restart', () => {
    db.store.runs.start('run-1');
    db.store.rounds.open({ ...key, phase: 'autoencoder', deadlineAt: null });
    db.store.rounds.fail(key, 'quorum not reached: 1 of 2 sites answered');
    db.store.rounds.open({ ...key, attempt: 2, phase: 'autoencoder', deadlineAt: null });
    db.store.rounds.complete({ ...key, attempt: 2 }, { checkpoint });
    db.store.rounds.open({ runId: 'run-1', round: 1, attempt: 1, phase: 'autoencoder', deadlineAt: null });

    const interrupted = db.store.rounds.failUnfinished('run-1', 'coordinator restarted');

    expect(interrupted).toBe(1);
    expect(db.store.rounds.list('run-1').map((r) => [r.round, r.attempt, r.status, r.error])).toEqual([
      [0, 1, 'failed', 'quorum not reached: 1 of 2 sites answered'],
      [0, 2, 'completed', null],
      [1, 1, 'failed', 'coordinator restarted'],
    ]);
    expect(db.store.rounds.lastCompleted('run-1')).toMatchObject({ round: 0, attempt: 2 });
  });

  it('allows one completed attempt per round, with a checkpoint', () => {
    db.store.runs.start('run-1');
    db.store.rounds.open({ ...key, phase: 'autoencoder', deadlineAt: null });
    db.store.rounds.open({ ...key, attempt: 2, phase: 'autoencoder', deadlineAt: null });
    db.store.rounds.complete(key, { checkpoint });

    expect(() => db.store.rounds.complete({ ...key, attempt: 2 }, { checkpoint })).toThrow(/UNIQUE/);
    expect(() => db.store.rounds.complete({ ...key, attempt: 2 }, { checkpoint: { path: null as unknown as string, sha256: 'x' } })).toThrow(
      /CHECK/,
    );
    // The failed transaction left the run's progress and the round untouched.
    expect(db.store.rounds.get({ ...key, attempt: 2 }).status).toBe('open');
  });

  it('records accepted and rejected contributions, once per site', () => {
    db.store.runs.start('run-1');
    db.store.rounds.open({ ...key, phase: 'autoencoder', deadlineAt: null });

    db.store.rounds.recordContribution({ ...key, siteId: 'a', recordCount: 100, accepted: true, metrics: { loss: 0.4 } });
    db.store.rounds.recordContribution({
      ...key,
      siteId: 'b',
      recordCount: 50,
      accepted: false,
      rejection: { code: 'NON_FINITE', reason: 'tensor "k" holds NaN at element 3' },
    });

    expect(db.store.rounds.contributions(key)).toEqual([
      { ...key, siteId: 'a', recordCount: 100, accepted: true, rejection: null, metrics: { loss: 0.4 }, receivedAt: clock.now() },
      {
        ...key,
        siteId: 'b',
        recordCount: 50,
        accepted: false,
        rejection: { code: 'NON_FINITE', reason: 'tensor "k" holds NaN at element 3' },
        metrics: null,
        receivedAt: clock.now(),
      },
    ]);
    expect(db.store.rounds.contributions({ runId: 'run-1' })).toHaveLength(2);
    expect(() => db.store.rounds.recordContribution({ ...key, siteId: 'a', recordCount: 1, accepted: true })).toThrow(
      'site a already contributed to round 0 (attempt 1) of run run-1',
    );
    expect(() => db.store.rounds.recordContribution({ ...key, siteId: 'ghost', recordCount: 1, accepted: true })).toThrow(
      'cannot record site ghost for round 0 (attempt 1) of run run-1: unknown site or round',
    );
    expect(() => db.store.rounds.recordContribution({ ...key, siteId: 'b', recordCount: 1, accepted: false })).toThrow('needs a rejection code');
  });

  it('records a batch of contributions in one transaction, keeping each one\'s receipt time, all or none', () => {
    db.store.runs.start('run-1');
    db.store.rounds.open({ ...key, phase: 'autoencoder', deadlineAt: null });
    const receivedAt = clock.now() - 500;

    expect(db.store.rounds.recordContributions([])).toBe(0);
    expect(
      db.store.rounds.recordContributions([
        { ...key, siteId: 'b', recordCount: 50, accepted: true, receivedAt },
        { ...key, siteId: 'a', recordCount: 100, accepted: true, metrics: { loss: 0.4 }, receivedAt: receivedAt + 1 },
      ]),
    ).toBe(2);

    expect(db.store.rounds.contributions(key).map((c) => [c.siteId, c.recordCount, c.metrics, c.receivedAt])).toEqual([
      ['a', 100, { loss: 0.4 }, receivedAt + 1],
      ['b', 50, null, receivedAt],
    ]);
    // A bad row (here an unknown site) rolls the whole batch back, and says which row.
    const retry = { ...key, attempt: 2 };
    db.store.rounds.fail(key, 'quorum lost');
    db.store.rounds.open({ ...retry, phase: 'autoencoder', deadlineAt: null });
    expect(() =>
      db.store.rounds.recordContributions([
        { ...retry, siteId: 'a', recordCount: 1, accepted: true },
        { ...retry, siteId: 'ghost', recordCount: 1, accepted: true },
      ]),
    ).toThrow('cannot record site ghost for round 0 (attempt 2) of run run-1: unknown site or round');
    expect(db.store.rounds.contributions(retry)).toEqual([]);
  });

  it('keeps rounds and contributions across a reopening of the file', () => {
    db.store.runs.start('run-1');
    db.store.rounds.open({ ...key, phase: 'autoencoder', deadlineAt: null });
    db.store.rounds.recordContribution({ ...key, siteId: 'a', recordCount: 100, accepted: true });
    db.store.rounds.complete(key, { checkpoint, metrics: { loss: 1 } });
    db.reopen();

    expect(db.store.rounds.lastCompleted('run-1')).toMatchObject({ ...key, checkpoint, metrics: { loss: 1 } });
    expect(db.store.rounds.contributions(key)).toHaveLength(1);
  });
});
