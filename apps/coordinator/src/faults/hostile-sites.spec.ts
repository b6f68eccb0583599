import {
  createEnvelope,
  encodeEnvelope,
  encodeFrames,
  encodeWeightSet,
  handshakeAuth,
  type DataSummary,
  type Envelope,
  type TrainResult,
  type TrainTask,
} from '@fedsynth/protocol';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCoordinatorConfig, type CoordinatorConfig } from '../config/coordinator-config';
import { addSite } from '../start-coordinator';
import { createStrategy } from '../strategies/create-strategy';
import type { RoundRecord } from '../store/round.repository';
import { AdminClient } from './admin-client';
import { startCoordinatorProcess, type CliProcess } from './cli-process';
import { deterministicUpdate } from './deterministic-update';
import { ProtocolSite } from './protocol-site';
import { readStore } from './read-store';

// One real coordinator process (`fedsynth coordinator`) and protocol-level sites in this
// process: two honest ones, and one hostile site per attack. Every attack is made while a
// round is collecting, and after each the global model is checked by hash: the last
// checkpoint is unchanged on disk, and each new one is exactly FedAvg of the honest updates.
const ADMIN_TOKEN = 'hostile-sites-admin-token-0123456789';
const HONEST = ['honest-a', 'honest-b'];
const HOSTILE = ['bad-garbage', 'bad-version', 'bad-oversize', 'bad-frame', 'bad-nan', 'bad-shape', 'bad-replay'];
const CODES = ['038', '250', '272', '276', '285', '401', '414', '427', '428', '518', '584', '599'];
const DEADLINE_MS = 6000;

let dir: string;
let config: CoordinatorConfig;
let coordinator: { process: CliProcess; url: string } | undefined;
let admin: AdminClient;
const tokens = new Map<string, string>();
const sites = new Map<string, ProtocolSite>();
let runId: string;

const summary = (recordCount: number): DataSummary => ({ recordCount, recordUnit: 'patient', codeLevel: 'category', minCodeCount: 1, codes: CODES });
const recordsOf = (siteId: string) => 10 + 5 * [...HONEST, ...HOSTILE].indexOf(siteId);
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function site(siteId: string): ProtocolSite {
  return sites.get(siteId)!;
}

async function connectSite(siteId: string): Promise<ProtocolSite> {
  const created = new ProtocolSite({ url: coordinator!.url, siteId, token: tokens.get(siteId)!, summary: summary(recordsOf(siteId)), ackTimeoutMs: 10_000 });
  await created.connect();
  await created.introduce();
  sites.set(siteId, created);
  return created;
}

/** Connects with the given handshake and returns the refusal's message (fails if it connects). */
async function refusal(auth: Record<string, unknown>): Promise<string> {
  const attempt = new ProtocolSite({ url: coordinator!.url, siteId: String(auth['siteId']), token: '', summary: summary(1), auth });
  try {
    await attempt.connect();
  } catch (error) {
    return (error as Error).message;
  }
  attempt.close();
  throw new Error(`the coordinator accepted ${JSON.stringify(auth['siteId'])}'s connection`);
}

function errorOf(reply: Envelope): { code: string; reason: string } {
  if (reply.body.kind !== 'error') throw new Error(`expected an Error reply, got ${reply.body.kind}`);
  return reply.body.value;
}

function completedRounds(): Promise<RoundRecord[]> {
  return admin.runView(runId).then((view) => view.rounds.filter((r) => r.status === 'completed'));
}

/**
 * The global model as the coordinator holds it: the last completed round's checkpoint, its
 * recorded sha256 checked against the file on disk.
 */
async function globalModelHash(): Promise<{ rounds: number; sha256: string }> {
  const completed = await completedRounds();
  const last = completed[completed.length - 1]!;
  expect(sha256(readFileSync(join(config.checkpointDir, last.checkpoint!.path)))).toBe(last.checkpoint!.sha256);
  return { rounds: completed.length, sha256: last.checkpoint!.sha256 };
}

/** sha256 of the checkpoint the coordinator must write for these results: FedAvg's output, encoded as checkpoints are. */
function expectedCheckpointHash(task: TrainTask, results: readonly { siteId: string; result: TrainResult }[]): string {
  const output = createStrategy({ name: 'fedavg' }).aggregateTrain({
    round: task.round,
    results: results.map(({ siteId, result }) => ({ siteId, recordCount: result.recordCount, weights: result.weights, metrics: result.metrics })),
    failures: [],
    globalWeights: task.weights,
  });
  return sha256(encodeWeightSet(output.weights, { checkFinite: true }));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fedsynth-hostile-'));
  config = loadCoordinatorConfig({ FEDSYNTH_ADMIN_TOKEN: ADMIN_TOKEN, FEDSYNTH_DATA_DIR: join(dir, 'data') });
  for (const id of [...HONEST, ...HOSTILE, 'revoked-site']) tokens.set(id, addSite(config, { name: id, id }).token);
  // 1 MiB messages at most: the tiny model's weights fit many times over; the oversized one does not.
  coordinator = await startCoordinatorProcess({ dataDir: config.dataDir, env: { FEDSYNTH_ADMIN_TOKEN: ADMIN_TOKEN, FEDSYNTH_MAX_PAYLOAD_MB: '1' } });
  admin = new AdminClient(coordinator.url, ADMIN_TOKEN);
  expect((await admin.call('POST', '/api/sites/revoked-site/revoke')).status).toBe(200);
  for (const id of [...HONEST, ...HOSTILE]) await connectSite(id);
  runId = await admin.createAndStart({
    plan: { phases: [{ phase: 'autoencoder', rounds: 4 }], minSites: 1, roundDeadlineMs: DEADLINE_MS, maxRoundRetries: 0, evaluateEvery: 0 },
    options: {
      modelFamily: 'medgan',
      model: { latentDim: 4, generatorBlocks: 1, discriminatorDims: [8] },
      strategy: { name: 'fedavg' },
      train: { localEpochs: 1, batchSize: 8, learningRate: 1e-3, seed: 5 },
      vocabulary: { codeLevel: 'category', minCodeCount: 1 },
    },
  });
});

afterAll(async () => {
  sites.forEach((s) => s.close());
  await coordinator?.process.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

describe('hostile sites against a coordinator process', () => {
  const round0 = new Map<string, TrainResult>();
  let task1: TrainTask;

  it('round 0: every site answers honestly (the replayer keeps its result)', async () => {
    const ids = [...HONEST, ...HOSTILE];
    const tasks = await Promise.all(ids.map((id) => site(id).nextTask(0)));
    for (const [i, id] of ids.entries()) {
      const result = deterministicUpdate(tasks[i]!, i, recordsOf(id));
      round0.set(id, result);
      expect((await site(id).sendResult(result)).body.kind).toBe('ack');
    }
    await admin.waitForRun(runId, (v) => v.rounds.some((r) => r.round === 0 && r.status === 'completed'), 15_000, 'round 0');
    expect((await globalModelHash()).rounds).toBe(1);
  });

  it('round 1: refuses each attack with a clear error, and the global model does not move', async () => {
    const ids = [...HONEST, ...HOSTILE];
    const tasks = new Map(await Promise.all(ids.map(async (id) => [id, await site(id).nextTask(1)] as const)));
    task1 = tasks.get('honest-a')!;
    const before = await globalModelHash();
    const unchanged = async () => expect(await globalModelHash()).toEqual(before);
    const result = (id: string) => deterministicUpdate(tasks.get(id)!, ids.indexOf(id), recordsOf(id));

    // Garbage bytes: not an envelope at all.
    expect(errorOf(await site('bad-garbage').sendRaw(randomBytes(300)))).toEqual({ code: 'MALFORMED', reason: expect.any(String) });
    await unchanged();

    // A well-formed result of another protocol version.
    const v2 = encodeEnvelope({ ...createEnvelope('trainResult', result('bad-version')), protocolVersion: 2 });
    expect(errorOf(await site('bad-version').sendRaw(v2))).toEqual({ code: 'UNSUPPORTED_VERSION', reason: expect.stringMatching(/peer speaks fedsynth protocol v2, this side speaks v1/) });
    await unchanged();

    // An oversized result: its first chunk announces 2 MiB, over FEDSYNTH_MAX_PAYLOAD_MB = 1.
    const huge = result('bad-oversize');
    huge.weights = [...huge.weights, { name: 'padding', shape: [512 * 1024], data: new Float32Array(512 * 1024) }];
    const [firstChunk] = encodeFrames(createEnvelope('trainResult', huge));
    expect(errorOf(await site('bad-oversize').sendRaw(firstChunk!))).toEqual({ code: 'TOO_LARGE', reason: expect.stringMatching(/^chunk\.totalBytes: \d+ bytes, limit 1048576$/) });
    await unchanged();

    // A single frame above Socket.IO's frame limit (1 MB): the transport closes the connection.
    const cut = site('bad-frame').disconnection();
    await expect(site('bad-frame').sendRaw(new Uint8Array(1_100_000))).rejects.toThrow();
    expect(await cut).toBe('transport close');
    await unchanged();

    // NaN weights: refused as the message is decoded, before the round sees it.
    const nan = result('bad-nan');
    nan.weights[0]!.data[3] = NaN;
    expect(errorOf(await site('bad-nan').sendResult(nan))).toEqual({ code: 'NON_FINITE', reason: 'trainResult.weights[0].data: element 3 is NaN' });
    await unchanged();

    // Wrong shapes.
    const shape = result('bad-shape');
    const t = shape.weights[1]!;
    shape.weights[1] = { ...t, shape: [t.data.length, 1] };
    expect(errorOf(await site('bad-shape').sendResult(shape))).toEqual({ code: 'SHAPE_MISMATCH', reason: expect.stringContaining(t.name) });
    await unchanged();

    // A replayed result of round 0 (exactly as first sent).
    expect(errorOf(await site('bad-replay').sendResult(round0.get('bad-replay')!))).toEqual({ code: 'STALE_ROUND', reason: 'round 0 is over; the current round is 1' });
    await unchanged();

    // Refused at the handshake: wrong token, revoked token, wrong protocol version.
    expect(await refusal({ ...handshakeAuth('honest-a', 'x'.repeat(43)) })).toBe("UNAUTHORIZED: site honest-a is unknown or its token is wrong; check the site id and token the operator gave you");
    expect(await refusal({ ...handshakeAuth('revoked-site', tokens.get('revoked-site')!) })).toMatch(/^UNAUTHORIZED: site revoked-site has been revoked; ask the coordinator's operator for a new token/);
    expect(await refusal({ ...handshakeAuth('honest-b', tokens.get('honest-b')!), protocolVersion: 2 })).toBe(
      'UNSUPPORTED_VERSION: protocolVersion: peer speaks fedsynth protocol v2, this side speaks v1; upgrade the older side',
    );
    await unchanged();

    // The attackers leave (the round drops them); the honest sites answer; a duplicate is refused.
    HOSTILE.forEach((id) => site(id).close());
    const a = result('honest-a');
    const b = result('honest-b');
    expect((await site('honest-a').sendResult(a)).body.kind).toBe('ack');
    expect(errorOf(await site('honest-a').sendResult(a))).toEqual({ code: 'STALE_ROUND', reason: 'site honest-a already answered round 1 (attempt 1)' });
    await unchanged();
    expect((await site('honest-b').sendResult(b)).body.kind).toBe('ack');

    await admin.waitForRun(runId, (v) => v.rounds.some((r) => r.round === 1 && r.status === 'completed'), 15_000, 'round 1');
    const after = await globalModelHash();
    expect(after.rounds).toBe(2);
    expect(after.sha256).toBe(expectedCheckpointHash(task1, [{ siteId: 'honest-a', result: a }, { siteId: 'honest-b', result: b }]));
  }, 30_000);

  it('round 2: a result arriving after the deadline is refused; the round closed with the one on time', async () => {
    const [taskA, taskB] = await Promise.all([site('honest-a').nextTask(2), site('honest-b').nextTask(2)]);
    const a = deterministicUpdate(taskA, 0, recordsOf('honest-a'));
    const late = deterministicUpdate(taskB, 1, recordsOf('honest-b'));
    expect((await site('honest-a').sendResult(a)).body.kind).toBe('ack');
    await admin.waitForRun(runId, (v) => v.rounds.some((r) => r.round === 2 && r.status === 'completed'), DEADLINE_MS + 10_000, 'round 2 at its deadline');
    const closed = await globalModelHash();

    expect(errorOf(await site('honest-b').sendResult(late))).toEqual({ code: 'STALE_ROUND', reason: 'round 2 is over; the current round is 3' });
    expect(await globalModelHash()).toEqual(closed);
    expect(closed.sha256).toBe(expectedCheckpointHash(taskA, [{ siteId: 'honest-a', result: a }]));

    const [taskA3, taskB3] = await Promise.all([site('honest-a').nextTask(3), site('honest-b').nextTask(3)]);
    await site('honest-a').sendResult(deterministicUpdate(taskA3, 0, recordsOf('honest-a')));
    await site('honest-b').sendResult(deterministicUpdate(taskB3, 1, recordsOf('honest-b')));
    const done = await admin.waitForRun(runId, (v) => v.run.status !== 'running', 15_000, 'the end of the run');
    expect(done.run.status).toBe('completed');
  }, 30_000);

  it('wrote each refusal and each round\'s contributors to the audit log', () => {
    const audit = readStore(config.databasePath, (store) => store.audit.list({ limit: 1000 }));
    const entries = (action: string) => audit.filter((e) => e.action === action);

    expect(entries('result.rejected').map((e) => [e.actor, e.details!['code']])).toEqual([
      ['site:bad-shape', 'SHAPE_MISMATCH'],
      ['site:bad-replay', 'STALE_ROUND'],
      ['site:honest-a', 'STALE_ROUND'],
      ['site:honest-b', 'STALE_ROUND'],
    ]);
    expect(entries('message.refused').map((e) => [e.actor, e.details!['code']])).toEqual([
      ['site:bad-garbage', 'MALFORMED'],
      ['site:bad-version', 'UNSUPPORTED_VERSION'],
      ['site:bad-oversize', 'TOO_LARGE'],
      ['site:bad-nan', 'NON_FINITE'],
    ]);
    expect(entries('site.refused').map((e) => [e.actor, e.details!['code']])).toEqual([
      ['site:honest-a', 'UNAUTHORIZED'],
      ['site:revoked-site', 'UNAUTHORIZED'],
      ['site:honest-b', 'UNSUPPORTED_VERSION'],
    ]);
    expect(entries('site.revoked').map((e) => e.subject)).toEqual(['revoked-site']);
    expect(entries('site.connected').map((e) => e.subject).sort()).toEqual([...HONEST, ...HOSTILE].sort());
    expect(entries('run.created').concat(entries('run.started')).map((e) => [e.actor, e.action])).toEqual([
      ['admin', 'run.created'],
      ['admin', 'run.started'],
    ]);
    const contributors = entries('round.completed').map((e) => [e.details!['round'], (e.details!['sites'] as { siteId: string }[]).map((s) => s.siteId)]);
    expect(contributors).toEqual([
      [0, [...HONEST, ...HOSTILE].sort()],
      [1, HONEST],
      [2, ['honest-a']],
      [3, HONEST],
    ]);
  });
});
