import { createEnvelope, type DataSummary, type TrainResult } from '@fedsynth/protocol';
import { E2E_ADMIN_TOKEN, startE2eFederation, type E2eFederation } from '../__fixtures__/e2e-federation';
import { CheckpointStore } from '../checkpoints/checkpoint-store';
import { AdminClient } from './admin-client';
import { deterministicUpdate, maxDifference, recordWeightedMean } from './deterministic-update';
import { ProtocolSite } from './protocol-site';
import { readStore } from './read-store';

// A result trained for an earlier attempt of the same round, over a real socket: the wire's
// TrainResult names the round only, so the coordinator tells attempts apart by the task the
// result answers (its inReplyTo). Coordinator in this process, protocol-level sites.
const CODES = ['038', '250', '272', '276', '285', '401', '414', '427'];
const summary: DataSummary = { recordCount: 20, recordUnit: 'patient', codeLevel: 'category', minCodeCount: 1, codes: CODES };
let federation: E2eFederation;
const sites: ProtocolSite[] = [];

beforeAll(async () => {
  federation = await startE2eFederation({ prefix: 'fedsynth-stale-attempt-', sites: ['site-a', 'site-b'] });
});

afterAll(async () => {
  sites.forEach((s) => s.close());
  await federation?.close();
});

async function connectSite(siteId: string): Promise<ProtocolSite> {
  const site = new ProtocolSite({ url: federation.coordinator.url, siteId, token: federation.tokens.get(siteId)!, summary });
  await site.connect();
  await site.introduce();
  sites.push(site);
  return site;
}

function errorOf(reply: { body: { kind: string; value: unknown } }): unknown {
  if (reply.body.kind !== 'error') throw new Error(`expected an Error reply, got ${reply.body.kind}`);
  return reply.body.value;
}

it('refuses a result of an earlier attempt of the round after a retry, audits it, and aggregates only the retry\'s results', async () => {
  const [a, b] = [await connectSite('site-a'), await connectSite('site-b')];
  const admin = new AdminClient(federation.coordinator.url, E2E_ADMIN_TOKEN);
  const runId = await admin.createAndStart({
    plan: { phases: [{ phase: 'autoencoder', rounds: 1 }], minSites: 2, roundDeadlineMs: 1500, maxRoundRetries: 1, evaluateEvery: 0 },
    options: { model: { latentDim: 4, generatorBlocks: 1, discriminatorDims: [8] }, train: { localEpochs: 1, batchSize: 8, seed: 2 }, vocabulary: { codeLevel: 'category', minCodeCount: 1 } },
  });

  // Attempt 1: a answers, b stays silent (say it trains slowly); the deadline fails the attempt (quorum 2).
  const [a1, b1] = [await a.nextTask(0), await b.nextTask(0)];
  const b1TaskId = b.taskMessageIds.get(0)!;
  expect((await a.sendResult(deterministicUpdate(a1, 0, 20))).body.kind).toBe('ack');
  // Attempt 2 sends both sites a new task of the same round.
  const [a2, b2] = [await a.nextTask(0), await b.nextTask(0)];
  expect(b.taskMessageIds.get(0)).not.toBe(b1TaskId);

  // b's answer to its attempt-1 task arrives now: same run, round and phase, b selected again.
  const stale: TrainResult = deterministicUpdate(b1, 6, 20);
  expect(errorOf(await b.request(createEnvelope('trainResult', stale, { inReplyTo: b1TaskId })))).toEqual({
    code: 'STALE_ROUND',
    reason: 'the result of site site-b answers the task of round 0 attempt 1; the current attempt is 2',
  });

  const fresh = [deterministicUpdate(a2, 0, 20), deterministicUpdate(b2, 1, 20)];
  expect((await a.sendResult(fresh[0]!)).body.kind).toBe('ack');
  expect((await b.sendResult(fresh[1]!)).body.kind).toBe('ack');
  const done = await admin.waitForRun(runId, (v) => v.run.status !== 'running', 15_000, 'the end of the run');

  expect(done.run.status).toBe('completed');
  expect(done.rounds.map((r) => [r.round, r.attempt, r.status])).toEqual([
    [0, 1, 'failed'],
    [0, 2, 'completed'],
  ]);
  // The global model is the mean of the retry's two results: the stale update is not in it.
  const global = await new CheckpointStore({ directory: federation.config.checkpointDir }).load(done.rounds[1]!.checkpoint!);
  expect(maxDifference(global, recordWeightedMean(fresh))).toBeLessThan(1e-6);
  expect(maxDifference(global, recordWeightedMean([fresh[0]!, stale]))).toBeGreaterThan(1e-4);
  const audit = readStore(federation.config.databasePath, (store) => store.audit.list({ action: 'result.rejected' }));
  expect(audit.map((e) => [e.actor, e.details!['kind'], e.details!['code']])).toEqual([['site:site-b', 'staleAttempt', 'STALE_ROUND']]);
});
