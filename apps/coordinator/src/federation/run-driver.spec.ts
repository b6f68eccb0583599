import { initBackend } from '@fedsynth/gan';
import {
  createEnvelope,
  replyTo,
  vocabularyDigest,
  type DataSummary,
  type Envelope,
  type TrainResult,
  type TrainTask,
} from '@fedsynth/protocol';
import { join } from 'node:path';
import { useTempDir } from '../__fixtures__/temp-dir';
import { CheckpointStore } from '../checkpoints/checkpoint-store';
import { loadCoordinatorConfig } from '../config/coordinator-config';
import type { RunPlan } from '../rounds/run-plan';
import { CoordinatorStore } from '../store/coordinator-store';
import { SiteSessions } from '../sites/site-sessions';
import type { RunContext } from './run-context';
import { RunDriver } from './run-driver';
import { checkRunOptions } from './run-options';

const SUMMARY: DataSummary = { recordCount: 10, recordUnit: 'patient', codeLevel: 'category', minCodeCount: 1, codes: ['401', '428', '584'] };
const silent = { log: () => undefined, error: (m: unknown) => console.error(m), warn: () => undefined, debug: () => undefined };

describe('RunDriver', () => {
  const tmp = useTempDir();
  let store: CoordinatorStore;
  let sessions: SiteSessions;
  let ctx: RunContext;
  let tasks: Map<string, TrainTask>;
  let driver: RunDriver | undefined;

  beforeAll(async () => {
    await initBackend({ log: () => undefined });
  });

  beforeEach(() => {
    const config = loadCoordinatorConfig({ FEDSYNTH_ADMIN_TOKEN: 'test-admin-token-0123', FEDSYNTH_DATA_DIR: join(tmp.path, 'data') });
    store = CoordinatorStore.open({ path: config.databasePath });
    sessions = new SiteSessions();
    ctx = { store, checkpoints: new CheckpointStore({ directory: config.checkpointDir }), sessions, config, logger: silent, now: Date.now };
    tasks = new Map();
    // Fake sites: agree to any vocabulary, take every task.
    for (const siteId of ['a', 'b']) {
      store.sites.register({ name: `Hospital ${siteId}`, id: siteId });
      const request = async (envelope: Envelope): Promise<Envelope> => {
        if (envelope.body.kind === 'vocabularyProposal') {
          const codes = envelope.body.value.codes;
          return replyTo(envelope, 'vocabularyAgreement', { runId: envelope.body.value.runId, digest: vocabularyDigest(codes), accepted: true, coveredRecordCount: 10, reason: '' });
        }
        if (envelope.body.kind === 'trainTask') tasks.set(siteId, envelope.body.value);
        return replyTo(envelope, 'ack', {});
      };
      sessions.open({ siteId, socketId: `socket-${siteId}`, request });
      sessions.setSummary(siteId, `socket-${siteId}`, SUMMARY);
    }
  });

  afterEach(() => {
    driver?.dispose();
    store.close();
  });

  async function startRun(plan: Partial<RunPlan>): Promise<string> {
    const options = checkRunOptions({ model: { latentDim: 4, generatorBlocks: 1, discriminatorDims: [4] }, train: { batchSize: 4, seed: 3 } });
    const run = store.runs.create({
      plan: { phases: [{ phase: 'autoencoder', rounds: 1 }], minSites: 2, roundDeadlineMs: 60_000, maxRoundRetries: 0, evaluateEvery: 0, ...plan },
      options: options as unknown as Record<string, unknown>,
    });
    store.runs.start(run.id);
    driver = new RunDriver(store.runs.get(run.id), ctx);
    await driver.dispatch({ type: 'start', at: Date.now(), connected: ['a', 'b'] });
    return run.id;
  }

  function resultFrom(task: TrainTask, change: (data: Float32Array) => Float32Array = (d) => d.map((v) => v + 0.01)): TrainResult {
    return { runId: task.runId, round: task.round, phase: task.phase, recordCount: 10, metrics: { ae: 1 }, weights: task.weights.map((t) => ({ ...t, data: change(t.data) })) };
  }

  function submit(siteId: string, result: TrainResult): Promise<Envelope> {
    return driver!.submitResult(siteId, createEnvelope('trainResult', result), result);
  }

  it('agrees the union vocabulary and sends both sites the same seeded initial weights', async () => {
    const runId = await startRun({});

    expect(store.runs.get(runId).vocabulary).toEqual(['401', '428', '584']);
    expect(tasks.get('a')!.weights).toEqual(tasks.get('b')!.weights);
    expect(tasks.get('a')!.options.extra).toMatchObject({ 'model.latentDim': 4, 'model.discriminatorDims.0': 4 });
  });

  it('answers an invalid update with a typed error, audits it and fails the round when the quorum is lost', async () => {
    const runId = await startRun({});
    const bad = resultFrom(tasks.get('a')!);
    bad.weights[0] = { ...bad.weights[0], shape: [bad.weights[0].data.length, 1] };

    const reply = await submit('a', bad);

    expect(reply.body).toMatchObject({ kind: 'error', value: { code: 'SHAPE_MISMATCH' } });
    await driver!.settled();
    expect(store.audit.list({ action: 'result.rejected' })).toEqual([expect.objectContaining({ actor: 'site:a', subject: runId })]);
    expect(store.rounds.contributions({ runId })).toEqual([expect.objectContaining({ siteId: 'a', accepted: false, rejection: expect.objectContaining({ code: 'SHAPE_MISMATCH' }) })]);
    expect(store.runs.get(runId).status).toBe('failed');
  });

  it('refuses a result for another run as STALE_ROUND', async () => {
    await startRun({});
    const reply = await submit('a', { ...resultFrom(tasks.get('a')!), runId: 'another-run' });
    expect(reply.body).toMatchObject({ kind: 'error', value: { code: 'STALE_ROUND' } });
  });

  it('aggregates at the deadline with the quorum it has, and completes the run', async () => {
    const runId = await startRun({ minSites: 1, roundDeadlineMs: 300 });
    const result = resultFrom(tasks.get('a')!);

    expect((await submit('a', result)).body.kind).toBe('ack');
    for (let i = 0; i < 50 && store.runs.get(runId).status === 'running'; i++) await new Promise((r) => setTimeout(r, 50));

    expect(store.runs.get(runId).status).toBe('completed');
    const [round] = store.rounds.list(runId);
    expect(round.metrics).toMatchObject({ siteCount: 1, failureCount: 1 });
    const global = await ctx.checkpoints.load(round.checkpoint!);
    // FedAvg over one site is that site's update.
    expect(global.map((t) => Array.from(t.data))).toEqual(result.weights.map((t) => Array.from(t.data)));
  });

  it('resumes a stopped run at the round after its last completed one, from that round\'s checkpoint', async () => {
    const runId = await startRun({ phases: [{ phase: 'autoencoder', rounds: 2 }], minSites: 1 });
    await submit('a', resultFrom(tasks.get('a')!));
    await submit('b', resultFrom(tasks.get('b')!));
    await driver!.settled();
    expect(tasks.get('a')!.round).toBe(1);
    await driver!.dispatch({ type: 'stop', at: Date.now() });
    expect(store.runs.get(runId).status).toBe('stopped');
    driver!.dispose();
    tasks.clear();

    driver = await RunDriver.restore(store.runs.start(runId), ctx);
    const connected = await driver.admit(['a', 'b']);
    await driver.dispatch({ type: 'start', at: Date.now(), connected });

    const [round0] = store.rounds.list(runId).filter((r) => r.status === 'completed');
    const checkpoint = await ctx.checkpoints.load(round0.checkpoint!);
    expect(connected).toEqual(['a', 'b']);
    expect(tasks.get('a')!.round).toBe(1);
    expect(tasks.get('a')!.weights.map((t) => Array.from(t.data))).toEqual(checkpoint.map((t) => Array.from(t.data)));
    expect(store.rounds.list(runId).map((r) => [r.round, r.attempt, r.status])).toEqual([
      [0, 1, 'completed'],
      [1, 1, 'failed'],
      [1, 2, 'open'],
    ]);
  });
});
