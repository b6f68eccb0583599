import { join } from 'node:path';
import { PLAN } from '../__fixtures__/plans';
import { manualClock, useTempDir } from '../__fixtures__/temp-dir';
import { createRunState } from '../rounds/round-state-machine';
import type { RoundState, RunState } from '../rounds/round-state';
import type { SiteProgress } from '../sites/site-sessions';
import { CoordinatorStore } from '../store/coordinator-store';
import { DashboardQueries } from './dashboard-queries';
import { roundProgress, runView, siteViews } from './dashboard-views';

const CHECKPOINT = { path: 'run-1/round-000000.weights.pb', sha256: 'a'.repeat(64) };

function liveRound(overrides: Partial<RoundState>): RunState {
  const round: RoundState = {
    index: 3,
    phase: 'gan',
    attempt: 1,
    failedAttempts: 0,
    stage: 'collecting',
    startedAt: 1000,
    deadlineAt: 61_000,
    selected: ['a', 'b', 'c', 'd', 'e', 'f'],
    dropped: [],
    accepted: [],
    rejected: [],
    ...overrides,
  };
  return { ...createRunState({ runId: 'run-1', plan: PLAN, connected: ['a', 'b', 'c', 'd', 'e', 'f', 'g'] }), stage: 'training', completedRounds: 3, round };
}

describe('roundProgress', () => {
  it("places each selected site: accepted, rejected, dropped, training with its heartbeat's progress, trained, waiting", () => {
    const beats: Record<string, SiteProgress> = {
      c: { runId: 'run-1', round: 3, state: 'training', progress: 0.25, at: 5 },
      d: { runId: 'run-1', round: 3, state: 'training', progress: 1, at: 6 },
      e: { runId: 'run-1', round: 2, state: 'training', progress: 0.5, at: 7 }, // an older round: not this one
      f: { runId: 'other-run', round: 3, state: 'training', progress: 0.5, at: 8 },
    };
    const live = liveRound({ accepted: [{ siteId: 'a', recordCount: 10 }], rejected: [{ siteId: 'b', reason: 'NON_FINITE' }] });
    expect(roundProgress(live, (id) => beats[id])).toEqual([
      { siteId: 'a', state: 'accepted', progress: 1, at: null },
      { siteId: 'b', state: 'rejected', progress: 1, at: null },
      { siteId: 'c', state: 'training', progress: 0.25, at: 5 },
      { siteId: 'd', state: 'trained', progress: 1, at: 6 },
      { siteId: 'e', state: 'waiting', progress: 0, at: null },
      { siteId: 'f', state: 'waiting', progress: 0, at: null },
    ]);
  });

  it("shows a site still evaluating this run's previous round, and a dropped site", () => {
    const live = liveRound({ selected: ['a', 'b'], dropped: ['b'] });
    const beats: Record<string, SiteProgress> = { a: { runId: 'run-1', round: 2, state: 'evaluating', progress: 0.4, at: 9 } };
    expect(roundProgress(live, (id) => beats[id])).toEqual([
      { siteId: 'a', state: 'evaluating', progress: 0.4, at: 9 },
      { siteId: 'b', state: 'dropped', progress: 0, at: null },
    ]);
  });

  it('lists the connected sites before the round opens, and nothing without a round', () => {
    const waiting = liveRound({ selected: [], stage: 'waitingForSites' });
    expect(roundProgress(waiting, () => undefined).map((s) => s.siteId)).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    expect(roundProgress({ ...waiting, round: null }, () => undefined)).toEqual([]);
  });
});

describe('dashboard views over a real store', () => {
  const dir = useTempDir();
  const clock = manualClock();
  let store: CoordinatorStore;
  let queries: DashboardQueries;

  beforeEach(() => {
    store = CoordinatorStore.open({ path: join(dir.path, 'c.sqlite'), now: clock.now });
    queries = new DashboardQueries(store.db);
    store.sites.register({ name: 'Hospital A', id: 'a' });
    store.sites.register({ name: 'Hospital B', id: 'b' });
    store.runs.create({ id: 'run-1', plan: PLAN, options: { modelFamily: 'medgan', train: { localEpochs: 2, batchSize: 50, learningRate: 0.001, seed: 1 }, strategy: { name: 'fedavg' } } });
    store.runs.start('run-1');
  });
  afterEach(() => store.close());

  function completeRound(round: number, phase: 'autoencoder' | 'gan', metrics: Record<string, number>, sites: string[]) {
    const key = { runId: 'run-1', round, attempt: 1 };
    store.rounds.open({ ...key, phase, deadlineAt: null });
    for (const siteId of sites) store.rounds.recordContribution({ ...key, siteId, recordCount: 10, accepted: true });
    clock.advance(1000);
    store.rounds.complete(key, { checkpoint: CHECKPOINT, metrics: { ...metrics, siteCount: sites.length, recordCount: 10 * sites.length, failureCount: 0 } });
  }

  it('builds the run view: losses per completed round, quality per evaluation, the latest report, downloadable GAN rounds', () => {
    completeRound(0, 'autoencoder', { ae: 40.5, localTrainMs: 12 }, ['a', 'b']);
    completeRound(1, 'autoencoder', { ae: 30.25 }, ['a', 'b']);
    // A failed attempt of round 2, then its retry.
    store.rounds.open({ runId: 'run-1', round: 2, attempt: 1, phase: 'gan', deadlineAt: null });
    store.rounds.fail({ runId: 'run-1', round: 2, attempt: 1 }, 'deadline without quorum');
    const retry = { runId: 'run-1', round: 2, attempt: 2 };
    store.rounds.open({ ...retry, phase: 'gan', deadlineAt: null });
    store.rounds.recordContribution({ ...retry, siteId: 'a', recordCount: 10, accepted: true });
    store.rounds.complete(retry, { checkpoint: CHECKPOINT, metrics: { d: 1.3, g: 0.7, siteCount: 1, recordCount: 10, failureCount: 1 } });
    store.evaluations.begin({ runId: 'run-1', round: 2, askedSiteIds: ['a', 'b'], deadlineAt: clock.now() + 1000 });
    store.evaluations.recordSite({ runId: 'run-1', round: 2 }, { siteId: 'a', recordCount: 20, metrics: { 'synthetic.fidelity.prevalence.pearson': 0.8 } });
    store.evaluations.recordSite({ runId: 'run-1', round: 2 }, { siteId: 'b', error: { code: 'INTERNAL', reason: 'too few records' } });
    store.evaluations.complete({ runId: 'run-1', round: 2 }, { metrics: { 'synthetic.fidelity.prevalence.pearson': 0.8 }, summary: { siteCount: 1, recordCount: 20, failureCount: 1 } });

    const view = runView({ run: store.runs.get('run-1'), rounds: store.rounds.list('run-1'), live: undefined, progressOf: () => undefined, evaluations: store.evaluations.list('run-1') });

    expect(view).toMatchObject({
      id: 'run-1',
      status: 'running',
      stage: 'running',
      modelFamily: 'medgan',
      totalRounds: 5,
      completedRounds: 3,
      currentPhase: 'gan',
      currentRound: 2,
      training: { localEpochs: 2, localSteps: null, batchSize: 50, learningRate: 0.001, strategy: 'fedavg' },
      live: null,
      generatorRounds: [2],
    });
    expect(view.rounds.map((r) => [r.round, r.attempt, r.status])).toEqual([
      [0, 1, 'completed'],
      [1, 1, 'completed'],
      [2, 1, 'failed'],
      [2, 2, 'completed'],
    ]);
    // Only the losses: counts and timings stay out of the loss chart.
    expect(view.losses).toEqual([
      { round: 0, phase: 'autoencoder', losses: { ae: 40.5 } },
      { round: 1, phase: 'autoencoder', losses: { ae: 30.25 } },
      { round: 2, phase: 'gan', losses: { d: 1.3, g: 0.7 } },
    ]);
    expect(view.quality).toEqual([{ round: 2, metrics: { 'synthetic.fidelity.prevalence.pearson': 0.8 } }]);
    expect(view.latestEvaluation).toMatchObject({
      round: 2,
      siteCount: 1,
      recordCount: 20,
      failureCount: 1,
      sites: [
        { siteId: 'a', recordCount: 20, error: null },
        { siteId: 'b', recordCount: 0, error: { code: 'INTERNAL', reason: 'too few records' } },
      ],
    });
  });

  it('builds site rows: connection, last seen (stored or heartbeat), rounds contributed', () => {
    store.sites.recordSeen('a', { protocolVersion: 1, recordCount: 30 });
    completeRound(0, 'autoencoder', { ae: 1 }, ['a', 'b']);
    completeRound(1, 'autoencoder', { ae: 1 }, ['a']);
    const progress: SiteProgress = { runId: 'run-1', round: 2, state: 'training', progress: 0.5, at: clock.now() + 5 };
    const sessions = (id: string) => (id === 'a' ? { siteId: 'a', socketId: 's', progress, summary: {} as never, request: () => Promise.reject(new Error('unused')) } : undefined);
    const rows = siteViews({ sites: store.sites.list({ includeRevoked: true }), sessions, roundsContributed: queries.roundsContributed() });
    expect(rows).toEqual([
      { id: 'a', name: 'Hospital A', connected: true, ready: true, revokedAt: null, lastSeenAt: clock.now() + 5, protocolVersion: 1, recordCount: 30, roundsContributed: 2, progress },
      { id: 'b', name: 'Hospital B', connected: false, ready: false, revokedAt: null, lastSeenAt: null, protocolVersion: null, recordCount: null, roundsContributed: 1, progress: null },
    ]);
  });
});

describe('DashboardQueries.audit', () => {
  const dir = useTempDir();
  let store: CoordinatorStore;
  let queries: DashboardQueries;
  beforeEach(() => {
    store = CoordinatorStore.open({ path: join(dir.path, 'c.sqlite') });
    queries = new DashboardQueries(store.db);
    store.audit.append({ actor: 'admin', action: 'run.created', subject: 'run-1' });
    store.audit.append({ actor: 'site:a', action: 'result.rejected', subject: 'run-1', details: { code: 'NON_FINITE', reason: 'weights[3] is NaN' } });
    store.audit.append({ actor: 'site:b', action: 'site.refused', details: { code: 'UNAUTHORIZED' } });
    store.audit.append({ actor: 'admin', action: 'run.started', subject: 'run-1' });
    store.audit.append({ actor: 'coordinator', action: 'run.completed', subject: 'run-2' });
  });
  afterEach(() => store.close());

  const actions = (query: Parameters<DashboardQueries['audit']>[0]) => queries.audit(query).map((e) => e.action);

  it('lists newest first and filters by action, actor and subject prefixes', () => {
    expect(actions({})).toEqual(['run.completed', 'run.started', 'site.refused', 'result.rejected', 'run.created']);
    expect(actions({ action: 'run.' })).toEqual(['run.completed', 'run.started', 'run.created']);
    expect(actions({ actor: 'site:' })).toEqual(['site.refused', 'result.rejected']);
    expect(actions({ actor: 'admin', subject: 'run-1' })).toEqual(['run.started', 'run.created']);
    expect(actions({ action: '  ', actor: '' })).toHaveLength(5);
  });

  it('finds text anywhere, case-insensitively, including the details', () => {
    expect(actions({ text: 'nan' })).toEqual(['result.rejected']);
    expect(actions({ text: 'UNAUTHORIZED' })).toEqual(['site.refused']);
    expect(queries.audit({ text: 'nan' })[0].details).toEqual({ code: 'NON_FINITE', reason: 'weights[3] is NaN' });
  });

  it('pages with beforeId and limit; treats % and _ as plain text', () => {
    const first = queries.audit({ limit: 2 });
    expect(first.map((e) => e.id)).toEqual([5, 4]);
    expect(queries.audit({ beforeId: 4, limit: 2 }).map((e) => e.id)).toEqual([3, 2]);
    expect(actions({ action: 'run%' })).toEqual([]);
    expect(actions({ text: '%' })).toEqual([]);
    expect(actions({ text: 'non_finite' })).toEqual(['result.rejected']);
  });

  it('lists the actions for the filter and the newest id', () => {
    expect(queries.auditActions()).toEqual(['result.rejected', 'run.completed', 'run.created', 'run.started', 'site.refused']);
    expect(queries.lastAuditId()).toBe(5);
  });
});
