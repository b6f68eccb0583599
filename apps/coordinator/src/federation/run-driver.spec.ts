import { initBackend } from '@fedsynth/gan';
import {
  createEnvelope,
  replyTo,
  SECURE_AGGREGATION_CAPABILITY,
  vocabularyDigest,
  type DataSummary,
  type Envelope,
  type EvalTask,
  type TrainResult,
  type TrainTask,
  type VocabularyProposal,
} from '@fedsynth/protocol';
import { SiteSecureAggregation } from '@fedsynth/site-agent';
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
  /** The message id of each site's latest TrainTask: what a real agent puts in inReplyTo. */
  let taskIds: Map<string, string>;
  let evalTasks: Map<string, Envelope>;
  /** Every VocabularyProposal a fake site received, with the site. */
  let proposals: Array<{ siteId: string; proposal: VocabularyProposal }>;
  let driver: RunDriver | undefined;
  /** Sites that answer the secure-aggregation steps (with the real site-side protocol). */
  let secureSites: Map<string, SiteSecureAggregation>;
  /** Sites that agree to a vocabulary without the code counts it asks for (an outdated agent). */
  let countless: Set<string>;

  beforeAll(async () => {
    await initBackend({ log: () => undefined });
  });

  beforeEach(() => {
    const config = loadCoordinatorConfig({ FEDSYNTH_ADMIN_TOKEN: 'test-admin-token-0123', FEDSYNTH_DATA_DIR: join(tmp.path, 'data') });
    store = CoordinatorStore.open({ path: config.databasePath });
    sessions = new SiteSessions();
    ctx = { store, checkpoints: new CheckpointStore({ directory: config.checkpointDir }), sessions, config, logger: silent, now: Date.now };
    tasks = new Map();
    taskIds = new Map();
    evalTasks = new Map();
    proposals = [];
    secureSites = new Map();
    countless = new Set();
    for (const siteId of ['a', 'b']) connectFakeSite(siteId);
  });

  /** A fake site: agrees to any vocabulary, takes every task (kept for the test to answer). */
  function connectFakeSite(siteId: string): void {
    if (!store.sites.findById(siteId)) store.sites.register({ name: `Hospital ${siteId}`, id: siteId });
    const request = async (envelope: Envelope): Promise<Envelope> => {
      if (envelope.body.kind === 'vocabularyProposal') {
        proposals.push({ siteId, proposal: envelope.body.value });
        const codes = envelope.body.value.codes;
        // Asked for code counts (pooled marginal matching): site a holds code i in i of its 10
        // records, every other site each code in 2 of 10; a site in `countless` sends none.
        const counts = envelope.body.value.codeCountsWanted && !countless.has(siteId) ? { codeCounts: Float32Array.from(codes, (_, i) => (siteId === 'a' ? i : 2)), trainingRecordCount: 10 } : {};
        return replyTo(envelope, 'vocabularyAgreement', { runId: envelope.body.value.runId, digest: vocabularyDigest(codes), accepted: true, coveredRecordCount: 10, reason: '', ...counts });
      }
      const secure = secureSites.get(siteId);
      if (secure && envelope.body.kind === 'secAggKeyRequest') return replyTo(envelope, 'secAggKeys', secure.keys(envelope.body.value));
      if (secure && envelope.body.kind === 'secAggRoster') return replyTo(envelope, 'secAggShares', secure.shares(envelope.body.value));
      if (secure && envelope.body.kind === 'secAggShares') secure.receive(envelope.body.value);
      if (envelope.body.kind === 'trainTask') {
        tasks.set(siteId, envelope.body.value);
        taskIds.set(siteId, envelope.messageId);
      }
      if (envelope.body.kind === 'evalTask') evalTasks.set(siteId, envelope);
      return replyTo(envelope, 'ack', {});
    };
    sessions.open({ siteId, socketId: `socket-${siteId}`, request });
    sessions.setSummary(siteId, `socket-${siteId}`, SUMMARY);
  }

  afterEach(() => {
    driver?.dispose();
    store.close();
  });

  async function startRun(plan: Partial<RunPlan>, connected: string[] = ['a', 'b'], vocabulary?: object, extra: object = {}): Promise<string> {
    const options = checkRunOptions({ model: { latentDim: 4, generatorBlocks: 1, discriminatorDims: [4] }, train: { batchSize: 4, seed: 3 }, ...(vocabulary ? { vocabulary } : {}), ...extra });
    const run = store.runs.create({
      plan: { phases: [{ phase: 'autoencoder', rounds: 1 }], minSites: 2, roundDeadlineMs: 60_000, maxRoundRetries: 0, evaluateEvery: 0, ...plan },
      options: options as unknown as Record<string, unknown>,
    });
    store.runs.start(run.id);
    driver = new RunDriver(store.runs.get(run.id), ctx);
    await driver.dispatch({ type: 'start', at: Date.now(), connected });
    return run.id;
  }

  function resultFrom(task: TrainTask, change: (data: Float32Array) => Float32Array = (d) => d.map((v) => v + 0.01)): TrainResult {
    return { runId: task.runId, round: task.round, phase: task.phase, recordCount: 10, metrics: { ae: 1 }, weights: task.weights.map((t) => ({ ...t, data: change(t.data) })) };
  }

  /** A site's result, answering (inReplyTo) its latest task unless told otherwise. */
  function submit(siteId: string, result: TrainResult, inReplyTo = taskIds.get(siteId)): Promise<Envelope> {
    return driver!.submitResult(siteId, createEnvelope('trainResult', result, inReplyTo === undefined ? {} : { inReplyTo }), result);
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

  it('proposes a fixed vocabulary (source fixed) whatever the sites announced, and the same to a site admitted on resume', async () => {
    const fixed = ['428', '250', 'V45']; // the sites announced 401, 428 and 584
    const runId = await startRun({ phases: [{ phase: 'autoencoder', rounds: 2 }], minSites: 1 }, ['a', 'b'], { fixed });

    expect(store.runs.get(runId).vocabulary).toEqual(['250', '428', 'V45']);
    expect(proposals.map((p) => [p.siteId, p.proposal.source, p.proposal.codes])).toEqual([
      ['a', 'fixed', ['250', '428', 'V45']],
      ['b', 'fixed', ['250', '428', 'V45']],
    ]);

    await driver!.dispatch({ type: 'stop', at: Date.now() });
    driver!.dispose();
    proposals = [];
    driver = await RunDriver.restore(store.runs.start(runId), ctx);
    expect(await driver.admit(['a'])).toEqual(['a']);
    expect(proposals.map((p) => [p.siteId, p.proposal.source, p.proposal.codes])).toEqual([['a', 'fixed', ['250', '428', 'V45']]]);
  });

  it('pooled marginal matching: asks every site for code counts, sends Σ counts ÷ Σ records in GAN tasks only, and keeps that target on resume', async () => {
    connectFakeSite('c');
    const pooled = { marginals: { weight: 1, target: 'pooled' } };
    const runId = await startRun({ phases: [{ phase: 'autoencoder', rounds: 1 }, { phase: 'gan', rounds: 2 }], minSites: 1 }, ['a', 'b', 'c'], undefined, pooled);
    expect(proposals.map((p) => [p.siteId, p.proposal.codeCountsWanted])).toEqual([
      ['a', true],
      ['b', true],
      ['c', true],
    ]);
    expect(tasks.get('a')!.marginals).toBeUndefined(); // the autoencoder round matches nothing
    for (const siteId of ['a', 'b', 'c']) await submit(siteId, resultFrom(tasks.get(siteId)!));
    await driver!.settled();
    // Codes 401, 428, 584: a holds 0, 1, 2 of 10 records, b and c 2, 2, 2 of 10 → 4/30, 5/30, 6/30.
    const expected = [4 / 30, 5 / 30, 6 / 30].map(Math.fround);
    expect(tasks.get('a')!.phase).toBe('gan');
    expect(Array.from(tasks.get('a')!.marginals!.pooledPrevalence!)).toEqual(expected);
    expect(tasks.get('a')!.marginals).not.toHaveProperty('correctBatchMeans'); // only when the run asks
    expect(tasks.get('c')!.marginals).toEqual(tasks.get('a')!.marginals);
    expect(store.audit.list({ action: 'marginals.pooled' })).toEqual([expect.objectContaining({ subject: runId, details: { sites: ['a', 'b', 'c'], records: 30 } })]);
    expect(Array.from(store.runs.marginalTarget(runId)!)).toEqual(expected);

    // Restored with site a only (as after a restart, when one site is back first): the stored
    // target, not a's own counts, and no site is asked for counts again.
    await driver!.dispatch({ type: 'stop', at: Date.now() });
    driver!.dispose();
    proposals = [];
    tasks.clear();
    driver = await RunDriver.restore(store.runs.start(runId), ctx);
    expect(await driver.admit(['a'])).toEqual(['a']);
    expect(proposals.map((p) => [p.siteId, p.proposal.codeCountsWanted ?? false])).toEqual([['a', false]]);
    await driver.dispatch({ type: 'start', at: Date.now(), connected: ['a'] });
    expect(Array.from(tasks.get('a')!.marginals!.pooledPrevalence!)).toEqual(expected);
  });

  it('pooled marginal matching with the batch-mean correction: GAN tasks carry the flag beside the pooled prevalences', async () => {
    connectFakeSite('c');
    const pooled = { marginals: { weight: 1, target: 'pooled', correctBatchMeans: true } };
    await startRun({ phases: [{ phase: 'gan', rounds: 1 }], minSites: 1 }, ['a', 'b', 'c'], undefined, pooled);
    for (const siteId of ['a', 'b', 'c']) {
      expect(tasks.get(siteId)!.marginals).toEqual(expect.objectContaining({ weight: 1, correctBatchMeans: true }));
      expect(tasks.get(siteId)!.marginals!.pooledPrevalence).toHaveLength(3);
    }
  });

  it('pooled marginal matching: a site that agrees without its code counts, or fewer than three sites, fail the vocabulary step, named', async () => {
    connectFakeSite('c');
    countless.add('b');
    const withoutCounts = await startRun({ phases: [{ phase: 'gan', rounds: 1 }] }, ['a', 'b', 'c'], undefined, { marginals: { weight: 1, target: 'pooled' } });
    expect(store.runs.get(withoutCounts).status).toBe('failed');
    expect(store.runs.get(withoutCounts).error).toMatch(/b: agreed without the code counts the run needs \(pooled marginal matching\); update the site agent/);
    driver!.dispose();
    countless.clear();
    const two = await startRun({ phases: [{ phase: 'gan', rounds: 1 }] }, ['a', 'b'], undefined, { marginals: { weight: 1, target: 'pooled' } });
    expect(store.runs.get(two).status).toBe('failed');
    expect(store.runs.get(two).error).toMatch(/pooled marginal matching: 2 site\(s\) sent code counts; pooling needs at least 3/);
    expect(store.runs.marginalTarget(two)).toBeUndefined();
  });

  it('writes accepted contributions with the round\'s completion, in one commit, and a rejected update at once', async () => {
    connectFakeSite('c');
    const runId = await startRun({ minSites: 2 }, ['a', 'b', 'c']);
    const a = resultFrom(tasks.get('a')!);
    const bad = resultFrom(tasks.get('c')!);
    bad.weights[0] = { ...bad.weights[0], shape: [bad.weights[0].data.length, 1] };

    expect((await submit('a', a)).body.kind).toBe('ack');
    expect((await submit('c', bad)).body).toMatchObject({ kind: 'error', value: { code: 'SHAPE_MISMATCH' } });
    await driver!.settled();
    // The refusal is durable at once (audit and contribution); the accepted result waits for the round's commit.
    expect(store.audit.list({ action: 'result.rejected' })).toEqual([expect.objectContaining({ actor: 'site:c', details: expect.objectContaining({ kind: 'invalidUpdate' }) })]);
    expect(store.rounds.contributions({ runId }).map((c) => [c.siteId, c.accepted])).toEqual([['c', false]]);
    const aReceived = Date.now();

    expect((await submit('b', resultFrom(tasks.get('b')!))).body.kind).toBe('ack');
    await driver!.settled();

    const [round] = store.rounds.list(runId);
    expect(round.status).toBe('completed');
    const contributions = store.rounds.contributions({ runId, round: 0, attempt: 1 });
    expect(contributions.map((c) => [c.siteId, c.accepted, c.recordCount, c.metrics])).toEqual([
      ['a', true, 10, { ae: 1 }],
      ['b', true, 10, { ae: 1 }],
      ['c', false, 10, null],
    ]);
    // Each row keeps the time its result arrived, not the time it was written.
    expect(contributions[0].receivedAt).toBeLessThanOrEqual(aReceived);
    expect(contributions[1].receivedAt).toBeLessThanOrEqual(round.completedAt!);
    expect(store.audit.list({ action: 'round.completed' })[0].details).toMatchObject({ sites: [{ siteId: 'a' }, { siteId: 'b' }] });
  });

  it('refuses a result trained for an earlier attempt of the round (STALE_ROUND, audited); the retry aggregates only its own results', async () => {
    const runId = await startRun({ minSites: 2, maxRoundRetries: 1 });
    const firstIds = new Map(taskIds);
    expect((await submit('a', resultFrom(tasks.get('a')!))).body.kind).toBe('ack');
    const staleB = resultFrom(tasks.get('b')!, (d) => d.map((v) => v + 5));
    // b drops mid-round: the quorum is out of reach, attempt 1 fails; b comes back and attempt 2 sends new tasks.
    await driver!.dispatch({ type: 'siteLeft', at: Date.now(), siteId: 'b' });
    await driver!.siteReady('b');
    expect(driver!.snapshot.round).toMatchObject({ index: 0, attempt: 2, stage: 'collecting', selected: ['a', 'b'] });
    expect(taskIds.get('b')).not.toBe(firstIds.get('b'));

    // b's answer to its attempt-1 task: same run, round and phase, but not this attempt's.
    const stale = await submit('b', staleB, firstIds.get('b'));
    expect(stale.body).toEqual({ kind: 'error', value: { code: 'STALE_ROUND', reason: 'the result of site b answers the task of round 0 attempt 1; the current attempt is 2' } });
    // Naming no task, or another site's task, is refused as well.
    const unnamed = await submit('b', staleB, '');
    expect(unnamed.body).toMatchObject({ kind: 'error', value: { code: 'STALE_ROUND', reason: expect.stringContaining('answers no task of round 0 (attempt 2)') } });
    const borrowed = await submit('b', staleB, taskIds.get('a'));
    expect(borrowed.body).toMatchObject({ kind: 'error', value: { code: 'STALE_ROUND', reason: expect.stringContaining('answers no task of round 0 (attempt 2)') } });
    expect(driver!.snapshot.round).toMatchObject({ attempt: 2, accepted: [] });

    const a2 = resultFrom(tasks.get('a')!, (d) => d.map((v) => v + 0.02));
    const b2 = resultFrom(tasks.get('b')!, (d) => d.map((v) => v - 0.02));
    expect((await submit('a', a2)).body.kind).toBe('ack');
    expect((await submit('b', b2)).body.kind).toBe('ack');
    await driver!.settled();

    expect(store.rounds.list(runId).map((r) => [r.round, r.attempt, r.status])).toEqual([
      [0, 1, 'failed'],
      [0, 2, 'completed'],
    ]);
    // The new global weights are the mean of the two attempt-2 updates (equal record counts): the stale one is not in them.
    const global = await ctx.checkpoints.load(store.rounds.lastCompleted(runId)!.checkpoint!);
    global.forEach((t, i) => {
      const expected = a2.weights[i].data.map((v, j) => (v + b2.weights[i].data[j]) / 2);
      Array.from(t.data).forEach((v, j) => expect(v).toBeCloseTo(expected[j], 6));
    });
    const rejected = store.audit.list({ action: 'result.rejected' }).map((e) => [e.actor, e.details!['kind'], e.details!['code']]);
    expect(rejected).toEqual(Array(3).fill(['site:b', 'staleAttempt', 'STALE_ROUND']));
    // The failed attempt keeps its accepted result on record; the completed one has exactly its two.
    expect(store.rounds.contributions({ runId }).map((c) => [c.attempt, c.siteId, c.accepted])).toEqual([
      [1, 'a', true],
      [2, 'a', true],
      [2, 'b', true],
    ]);
  });

  it('keeps the privacy a site reports with a result refused as stale: the site spent it all the same', async () => {
    const runId = await startRun({ minSites: 2, maxRoundRetries: 1 });
    const firstIds = new Map(taskIds);
    await driver!.dispatch({ type: 'siteLeft', at: Date.now(), siteId: 'b' });
    await driver!.siteReady('b');
    expect(driver!.snapshot.round).toMatchObject({ index: 0, attempt: 2 });
    const staleB = { ...resultFrom(tasks.get('b')!), privacy: { epsilon: 1.5, delta: 1e-5, steps: 12 } };
    expect((await submit('b', staleB, firstIds.get('b'))).body).toMatchObject({ kind: 'error', value: { code: 'STALE_ROUND' } });
    // A report answering another site's task is not this site's to keep.
    await submit('b', { ...staleB, privacy: { epsilon: 9, delta: 1e-5, steps: 99 } }, taskIds.get('a'));
    expect(store.privacy.list(runId).map((r) => [r.round, r.attempt, r.siteId, r.epsilon, r.steps])).toEqual([[0, 1, 'b', 1.5, 12]]);
  });

  it('refuses a plain TrainResult in a secure-aggregation run (SECURE_AGGREGATION_FAILED): it is neither counted nor kept', async () => {
    for (const siteId of ['a', 'b']) {
      secureSites.set(siteId, new SiteSecureAggregation(siteId));
      sessions.setCapabilities(siteId, `socket-${siteId}`, [SECURE_AGGREGATION_CAPABILITY]);
    }
    const runId = await startRun({ minSites: 2 }, ['a', 'b'], undefined, { secureAggregation: { enabled: true } });
    expect(tasks.get('a')!.secureAggregation).toMatchObject({ threshold: 2, maskingSet: ['a', 'b'] });
    const reply = await submit('a', resultFrom(tasks.get('a')!));
    expect(reply.body).toMatchObject({ kind: 'error', value: { code: 'SECURE_AGGREGATION_FAILED', reason: expect.stringContaining('answer its TrainTask with a MaskedUpdate, not a plain TrainResult') } });
    await driver!.settled();
    expect(store.rounds.contributions({ runId }).filter((c) => c.accepted)).toEqual([]);
    expect(store.audit.list({ action: 'result.rejected' }).map((e) => [e.actor, e.details!['code']])).toEqual([['site:a', 'SECURE_AGGREGATION_FAILED']]);
  });

  it('refuses, in a DP run, an update that reports no privacy spent: it was not trained with DP-SGD', async () => {
    const runId = await startRun({ minSites: 2 }, ['a', 'b'], undefined, { dp: { noiseMultiplier: 1, clipNorm: 1 } });
    expect(tasks.get('a')!.dp).toEqual({ noiseMultiplier: 1, clipNorm: 1, expectedBatchSize: 4 });
    const reported = { ...resultFrom(tasks.get('b')!), privacy: { epsilon: 0.8, delta: 1e-5, steps: 3 } };
    expect((await submit('b', reported)).body.kind).toBe('ack');
    const reply = await submit('a', resultFrom(tasks.get('a')!));
    expect(reply.body).toMatchObject({ kind: 'error', value: { code: 'UPDATE_REJECTED', reason: expect.stringContaining('the update reports no privacy spent') } });
    await driver!.settled();
    expect(store.rounds.contributions({ runId }).map((c) => [c.siteId, c.accepted])).toEqual([['a', false], ['b', true]]);
    expect(store.privacy.list(runId).map((r) => [r.siteId, r.epsilon])).toEqual([['b', 0.8]]);
  });

  it('refuses, in a FedNova run, an update whose local step count is missing or not what its task plans: FedNova divides by it', async () => {
    // Four sites and a quorum of two, so the run still trains after two refusals.
    connectFakeSite('c');
    connectFakeSite('d');
    const runId = await startRun({ minSites: 2 }, ['a', 'b', 'c', 'd'], undefined, { strategy: { name: 'fednova' } });
    // 10 records, batch 4, the default 2 local epochs: 2 × 3 autoencoder batches.
    expect((await submit('b', { ...resultFrom(tasks.get('b')!), localSteps: 6 })).body.kind).toBe('ack');
    const missing = await submit('a', resultFrom(tasks.get('a')!));
    expect(missing.body).toMatchObject({ kind: 'error', value: { code: 'UPDATE_REJECTED', reason: expect.stringContaining('aggregates with fednova, which divides each update by its local step count: the update reports no local step count') } });
    const understated = await submit('c', { ...resultFrom(tasks.get('c')!), localSteps: 1 });
    expect(understated.body).toMatchObject({ kind: 'error', value: { code: 'UPDATE_REJECTED', reason: expect.stringContaining('reports 1 local steps, but 2 local epoch(s) of batch 4 on its 10 records make 6') } });
    expect((await submit('d', { ...resultFrom(tasks.get('d')!), localSteps: 6 })).body.kind).toBe('ack');
    await driver!.settled();
    // The round aggregated the two sites whose counts check out.
    expect(store.rounds.contributions({ runId }).map((c) => [c.siteId, c.accepted]).sort()).toEqual([['a', false], ['b', true], ['c', false], ['d', true]]);
    expect(store.rounds.list(runId)[0]).toMatchObject({ status: 'completed' });
  });

  async function until(condition: () => boolean, what: string): Promise<void> {
    for (let i = 0; i < 100 && !condition(); i++) await new Promise((r) => setTimeout(r, 20));
    if (!condition()) throw new Error(`timed out waiting for ${what}`);
  }

  describe('waiting for the quorum before the vocabulary', () => {
    it('waits with fewer than minSites connected, then agrees the vocabulary and trains once the last site joins', async () => {
      const runId = await startRun({ minSites: 3 });
      expect(driver!.snapshot).toMatchObject({ stage: 'waitingForSites', connected: ['a', 'b'] });
      expect(store.runs.get(runId)).toMatchObject({ status: 'running', vocabulary: null });
      expect(tasks.size).toBe(0);

      connectFakeSite('c');
      await driver!.siteReady('c');

      expect(driver!.snapshot.stage).toBe('training');
      expect(store.runs.get(runId).vocabulary).toEqual(['401', '428', '584']);
      expect([...tasks.keys()].sort()).toEqual(['a', 'b', 'c']);
    });

    it('fails the run after plan.siteWaitMs, naming how many sites were connected and how many were required', async () => {
      const runId = await startRun({ minSites: 3, siteWaitMs: 100 });
      await until(() => store.runs.get(runId).status !== 'running', 'the run to end');

      expect(store.runs.get(runId)).toMatchObject({
        status: 'failed',
        error: 'only 2 of the 3 sites required were connected (a, b) after waiting 100 ms (plan.siteWaitMs); start the missing site agents, or lower minSites',
      });
      expect(store.rounds.list(runId)).toEqual([]);
    });
  });

  describe('evaluation rounds', () => {
    const GAN_PLAN = { phases: [{ phase: 'gan' as const, rounds: 1 }], minSites: 2, evaluateEvery: 1 };

    /** Trains the one GAN round; resolves once both sites have their EvalTask. */
    async function trainedRound(plan: Partial<RunPlan> = {}): Promise<string> {
      const runId = await startRun({ ...GAN_PLAN, ...plan });
      await submit('a', resultFrom(tasks.get('a')!));
      await submit('b', resultFrom(tasks.get('b')!));
      await driver!.settled();
      await until(() => evalTasks.size === 2, 'the evaluation tasks');
      return runId;
    }

    function evalResult(siteId: string, recordCount: number, metrics: Record<string, number>): Envelope {
      const task = evalTasks.get(siteId)!;
      const value = task.body.value as EvalTask;
      const request = createEnvelope('evalResult', { runId: value.runId, round: value.round, recordCount, metrics }, { inReplyTo: task.messageId });
      return driver!.evaluations.submitResult(siteId, request, request.body.value as never);
    }

    it('sends the exported generator\'s weights with the architecture, and stores the sites\' and the record-weighted combined metrics', async () => {
      const runId = await trainedRound();
      const task = evalTasks.get('a')!.body.value as EvalTask;
      const [round] = store.rounds.list(runId);
      const global = await ctx.checkpoints.load(round.checkpoint!);
      expect(task).toMatchObject({ runId, round: 0, modelFamily: 'medgan', options: { sampleCount: 0, metrics: [], extra: { 'model.latentDim': 4, 'model.discriminatorDims.0': 4 } } });
      // The generator the run exports: after one GAN round its weights are the round's, with the
      // generator's batch-norm statistics recalibrated on noise (generator/averaged-generator.ts).
      const moving = (name: string) => /^generator\/.*moving_(mean|variance)$/.test(name);
      expect(task.weights.map((t) => t.name)).toEqual(global.map((t) => t.name));
      expect(task.weights.filter((t) => !moving(t.name)).map((t) => Array.from(t.data))).toEqual(global.filter((t) => !moving(t.name)).map((t) => Array.from(t.data)));
      expect(task.weights.filter((t) => moving(t.name)).map((t) => Array.from(t.data))).not.toEqual(global.filter((t) => moving(t.name)).map((t) => Array.from(t.data)));
      expect(store.runs.get(runId).status).toBe('completed'); // training did not wait for the evaluation

      expect(evalResult('a', 10, { r: 0.5, rmse: 0.02 }).body.kind).toBe('ack');
      expect(evalResult('b', 30, { r: 0.7, rmse: 0.01 }).body.kind).toBe('ack');

      const [evaluation] = store.evaluations.list(runId);
      expect(evaluation).toMatchObject({ round: 0, status: 'completed', askedSiteIds: ['a', 'b'], summary: { siteCount: 2, recordCount: 40, failureCount: 0 } });
      expect(evaluation.metrics!.r).toBeCloseTo(0.65, 12); // (10·0.5 + 30·0.7) / 40
      expect(evaluation.metrics!.rmse).toBeCloseTo(0.0125, 12);
      expect(evaluation.sites.map((s) => [s.siteId, s.recordCount, s.metrics])).toEqual([
        ['a', 10, { r: 0.5, rmse: 0.02 }],
        ['b', 30, { r: 0.7, rmse: 0.01 }],
      ]);
    });

    it('notes a site whose evaluation failed, refuses a duplicate or unasked result, and combines the others', async () => {
      const runId = await trainedRound();
      const failedTask = evalTasks.get('b')!;
      const siteError = createEnvelope('error', { code: 'INTERNAL', reason: 'site b could not evaluate round 0: too few records' }, { inReplyTo: failedTask.messageId });

      expect(driver!.evaluations.submitError('b', siteError.inReplyTo, siteError.body.value as never)).toBe(true);
      const unasked = createEnvelope('evalResult', { runId, round: 0, recordCount: 5, metrics: { r: 0 } });
      expect(driver!.evaluations.submitResult('c', unasked, unasked.body.value as never).body).toMatchObject({
        kind: 'error',
        value: { code: 'UNEXPECTED_MESSAGE', reason: 'site c was not asked to take part in the evaluation of round 0' },
      });
      expect(evalResult('a', 10, { r: 0.5 }).body.kind).toBe('ack');
      const duplicate = evalResult('a', 10, { r: 0.9 });

      expect(duplicate.body).toMatchObject({ kind: 'error', value: { code: 'STALE_ROUND' } });
      const [evaluation] = store.evaluations.list(runId);
      expect(evaluation).toMatchObject({ status: 'completed', metrics: { r: 0.5 }, summary: { siteCount: 1, recordCount: 10, failureCount: 1 } });
      expect(evaluation.sites.find((s) => s.siteId === 'b')).toMatchObject({ metrics: null, error: { code: 'INTERNAL', reason: 'site b could not evaluate round 0: too few records' } });
      expect(store.audit.list({ action: 'evaluation.rejected' }).map((e) => e.actor)).toEqual(['site:c', 'site:a']);
    });

    it('closes at the deadline, noting silent sites; an evaluation nobody answered is failed, not the run', async () => {
      const runId = await trainedRound({ roundDeadlineMs: 150 });
      await until(() => store.evaluations.list(runId)[0]?.status !== 'collecting', 'the evaluation deadline');

      const [evaluation] = store.evaluations.list(runId);
      expect(evaluation.status).toBe('failed');
      expect(evaluation.error).toMatch(/^no site returned an evaluation: a: TIMEOUT .*; b: TIMEOUT/);
      expect(evaluation.sites.map((s) => [s.siteId, s.error?.code])).toEqual([
        ['a', 'TIMEOUT'],
        ['b', 'TIMEOUT'],
      ]);
      expect(store.runs.get(runId).status).toBe('completed');
    });
  });
});
