import * as tf from '@tensorflow/tfjs';
import { SiteAgent, type SiteAgentEvent } from '@fedsynth/site-agent';
import { handshakeAuth, SITES_NAMESPACE, type TrainResult, type WeightSet } from '@fedsynth/protocol';
import { io } from 'socket.io-client';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDemoSites } from '../__fixtures__/demo-sites';
import { CheckpointStore } from '../checkpoints/checkpoint-store';
import { loadCoordinatorConfig, type CoordinatorConfig } from '../config/coordinator-config';
import type { RoundRecord } from '../store/round.repository';
import { addSite, startCoordinator, type RunningCoordinator } from '../start-coordinator';

const ADMIN_TOKEN = 'e2e-admin-token-0123456789';
const SITES = ['hospital-a', 'hospital-b', 'hospital-c'];

/** Σ nₖ wₖ / Σ nₖ per element, in float64: computed here, independently of the strategies. */
function recordWeightedMean(results: readonly TrainResult[]): Map<string, Float64Array> {
  const total = results.reduce((sum, r) => sum + r.recordCount, 0);
  const mean = new Map<string, Float64Array>();
  for (const result of results) {
    for (const tensor of result.weights) {
      const acc = mean.get(tensor.name) ?? new Float64Array(tensor.data.length);
      for (let i = 0; i < tensor.data.length; i++) acc[i] += (tensor.data[i] * result.recordCount) / total;
      mean.set(tensor.name, acc);
    }
  }
  return mean;
}

function maxDifference(global: WeightSet, expected: Map<string, Float64Array>): number {
  expect(global.map((t) => t.name).sort()).toEqual([...expected.keys()].sort());
  let max = 0;
  for (const tensor of global) {
    const want = expected.get(tensor.name)!;
    for (let i = 0; i < want.length; i++) max = Math.max(max, Math.abs(tensor.data[i] - want[i]));
  }
  return max;
}

/**
 * Jest runs tests in their own VM realm: arrays that Node's fetch parses there fail
 * tfjs-layers' `instanceof Array` checks. Parsing the body in the test's realm avoids it;
 * outside Jest the plain `tf.io.http(url, { requestInit })` is enough.
 */
async function fetchInTestRealm(input: string, init?: RequestInit) {
  const response = await fetch(input, init);
  return {
    ok: response.ok,
    status: response.status,
    json: async () => JSON.parse(await response.text()) as unknown,
    arrayBuffer: async () => new Uint8Array(await response.arrayBuffer()).slice().buffer,
  };
}

describe('a federated run end to end (real coordinator, three real site agents)', () => {
  let dir: string;
  let config: CoordinatorConfig;
  let coordinator: RunningCoordinator;
  const tokens = new Map<string, string>();
  const agents: SiteAgent[] = [];
  const sent: TrainResult[] = [];
  const rejected: SiteAgentEvent[] = [];

  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(coordinator.url + path, {
      method,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fedsynth-e2e-'));
    config = loadCoordinatorConfig({
      FEDSYNTH_ADMIN_TOKEN: ADMIN_TOKEN,
      FEDSYNTH_DATA_DIR: join(dir, 'coordinator'),
      FEDSYNTH_HOST: '127.0.0.1',
      FEDSYNTH_PORT: '0',
      FEDSYNTH_LOG_LEVEL: 'error',
    });
    for (const name of SITES) tokens.set(name, addSite(config, { name, id: name }).token);
    coordinator = await startCoordinator(config, { logger: false });
  });

  afterAll(async () => {
    await Promise.all(agents.map((a) => a.close()));
    await coordinator?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a wrong token and an unsupported protocol version at the handshake, with a clear message', async () => {
    const agent = new SiteAgent({ url: coordinator.url, siteId: 'hospital-a', token: 'not-the-token', data: { read: { format: 'long', input: writeDemoSites(join(dir, 'refused'), 3)[0], rollup: true } } });
    await expect(agent.start()).rejects.toThrow(/UNAUTHORIZED: site hospital-a is unknown or its token is wrong/);
    await agent.close();

    const socket = io(coordinator.url + SITES_NAMESPACE, { auth: { ...handshakeAuth('hospital-a', tokens.get('hospital-a')!), protocolVersion: 99 }, reconnection: false, transports: ['websocket'] });
    const message = await new Promise<string>((resolve) => socket.on('connect_error', (error) => resolve(error.message)));
    socket.close();
    expect(message).toMatch(/^UNSUPPORTED_VERSION: .*99/);
  });

  it('guards the admin API with the bearer token and answers bad requests with every problem listed', async () => {
    expect((await fetch(`${coordinator.url}/api/runs`)).status).toBe(401);
    expect((await fetch(`${coordinator.url}/api/runs`, { headers: { authorization: 'Bearer wrong-token' } })).status).toBe(401);

    const bad = await api('POST', '/api/runs', { plan: { minSites: 0 }, options: { modelFamily: 'nope', train: { localEpochs: 0 } } });
    expect(bad.status).toBe(400);
    expect(bad.body['message']).toMatch(/minSites/);
    expect((await api('POST', '/api/runs', { options: { modelFamily: 'nope', train: { localEpochs: 0 } } })).body['message']).toMatch(/modelFamily.*localEpochs/);
    expect((await api('POST', '/api/runs/no-such-run/start')).status).toBe(404);
  });

  it('runs 1 autoencoder + 2 GAN rounds; each global model is the record-weighted mean of the sites\' updates; the generator loads over HTTP', async () => {
    const files = writeDemoSites(join(dir, 'sites'), SITES.length);
    for (const [i, siteId] of SITES.entries()) {
      const agent = new SiteAgent({
        url: coordinator.url,
        siteId,
        token: tokens.get(siteId)!,
        data: { read: { format: 'long', input: files[i], rollup: true }, holdoutFraction: 0.2, splitSeed: 1, minCodeCount: 2 },
        onEvent: (event) => {
          if (event.type === 'resultSent') sent.push(event.result);
          if (event.type === 'resultRejected') rejected.push(event);
        },
      });
      agents.push(agent);
    }
    await Promise.all(agents.map((a) => a.start()));

    const created = await api('POST', '/api/runs', {
      plan: { phases: [{ phase: 'autoencoder', rounds: 1 }, { phase: 'gan', rounds: 2 }], minSites: 3, roundDeadlineMs: 60_000, maxRoundRetries: 0, evaluateEvery: 0 },
      options: {
        modelFamily: 'medgan',
        model: { latentDim: 8, generatorBlocks: 1, discriminatorDims: [16, 8] },
        strategy: { name: 'fedavg' },
        train: { localEpochs: 1, batchSize: 16, learningRate: 1e-3, seed: 7 },
        vocabulary: { codeLevel: 'category', minCodeCount: 2 },
      },
    });
    expect(created.status).toBe(201);
    const runId = created.body['id'] as string;
    expect((await api('POST', `/api/runs/${runId}/start`)).status).toBe(200);

    let status = '';
    let rounds: RoundRecord[] = [];
    for (const started = Date.now(); Date.now() - started < 50_000; ) {
      const { body } = await api('GET', `/api/runs/${runId}`);
      status = (body['run'] as { status: string }).status;
      rounds = body['rounds'] as RoundRecord[];
      if (status !== 'running') break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(status).toBe('completed');
    expect(rejected).toEqual([]);
    expect(rounds.map((r) => [r.round, r.phase, r.status])).toEqual([
      [0, 'autoencoder', 'completed'],
      [1, 'gan', 'completed'],
      [2, 'gan', 'completed'],
    ]);

    // Checkpoints read straight from disk; the expected mean from what the sites sent.
    const checkpoints = new CheckpointStore({ directory: config.checkpointDir });
    for (const round of rounds) {
      const updates = sent.filter((r) => r.runId === runId && r.round === round.round);
      expect(updates).toHaveLength(3);
      const global = await checkpoints.load(round.checkpoint!);
      expect(maxDifference(global, recordWeightedMean(updates))).toBeLessThan(1e-5);
      expect(round.metrics).toMatchObject({ siteCount: 3, recordCount: updates.reduce((s, u) => s + u.recordCount, 0) });
    }

    const headers = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const base = `${coordinator.url}/api/runs/${runId}/generator`;
    const manifest = (await (await fetch(`${base}/fedsynth.json`, { headers })).json()) as {
      vocabulary: { size: number };
      sampler: { noiseDim: number };
      metrics: { federation: { round: number; sites: { siteId: string }[]; generatorAverage: unknown } };
    };
    expect(manifest.metrics.federation.round).toBe(2);
    // The exported generator is the run's default average over its 2 GAN rounds (decay 0.8).
    expect(manifest.metrics.federation.generatorAverage).toEqual({ decay: 0.8, ganRounds: 2, batchNormRecalibrated: true });
    expect(manifest.metrics.federation.sites.map((s) => s.siteId)).toEqual(SITES);
    const generator = await tf.loadLayersModel(tf.io.http(`${base}/model.json`, { requestInit: { headers }, fetchFunc: fetchInTestRealm as unknown as typeof fetch }));
    const probabilities = tf.tidy(() => (generator.predict(tf.randomNormal([5, manifest.sampler.noiseDim], 0, 1, 'float32', 3)) as tf.Tensor).arraySync()) as number[][];
    // Its 8 × 8 generator kernel, computed here from the two GAN rounds' checkpoints.
    const [gan1, gan2] = await Promise.all([1, 2].map(async (r) => (await checkpoints.load(rounds[r]!.checkpoint!)).find((t) => t.name === 'generator/block1/dense/kernel')!.data));
    const expectedKernel = gan1!.map((v, j) => 0.8 * v + 0.2 * gan2![j]!);
    const exportedKernels = generator.weights.filter((w) => w.shape.join('x') === '8x8').map((w) => w.read().dataSync() as Float32Array);
    expect(exportedKernels).toHaveLength(1);
    expect(Math.max(...exportedKernels[0]!.map((v, j) => Math.abs(v - expectedKernel[j]!)))).toBeLessThan(1e-6);
    generator.dispose();
    expect(probabilities).toHaveLength(5);
    expect(probabilities[0]).toHaveLength(manifest.vocabulary.size);
    expect(probabilities.flat().every((p) => p >= 0 && p <= 1)).toBe(true);

    expect((await fetch(`${base}/model.json`)).status).toBe(401);
    const sites = await api('GET', '/api/sites');
    expect(sites.status).toBe(200);
  });
});
