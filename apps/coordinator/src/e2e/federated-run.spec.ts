import * as tf from '@tensorflow/tfjs';
import type { SiteAgentEvent } from '@fedsynth/site-agent';
import { handshakeAuth, SITES_NAMESPACE, type TrainResult } from '@fedsynth/protocol';
import { io } from 'socket.io-client';
import { E2E_ADMIN_HEADERS, startE2eFederation, tinyRunBody, type E2eFederation } from '../__fixtures__/e2e-federation';
import { fetchInTestRealm } from '../__fixtures__/fetch-in-test-realm';
import { maxDifference, recordWeightedMean } from '../__fixtures__/weighted-mean';
import { CheckpointStore } from '../checkpoints/checkpoint-store';
import type { RoundRecord } from '../store/round.repository';

const SITES = ['hospital-a', 'hospital-b', 'hospital-c'];

describe('a federated run end to end (real coordinator, three real site agents)', () => {
  let fed: E2eFederation;
  const sent: TrainResult[] = [];
  const rejected: SiteAgentEvent[] = [];

  beforeAll(async () => {
    fed = await startE2eFederation({ prefix: 'fedsynth-e2e-', sites: SITES });
  });

  afterAll(() => fed?.close());

  it('refuses a wrong token and an unsupported protocol version at the handshake, with a clear message', async () => {
    const agent = fed.agent('hospital-a', { token: 'not-the-token', data: { read: { format: 'long', input: fed.files[0]!, rollup: true } } });
    await expect(agent.start()).rejects.toThrow(/UNAUTHORIZED: site hospital-a is unknown or its token is wrong/);
    await agent.close();

    const socket = io(fed.coordinator.url + SITES_NAMESPACE, { auth: { ...handshakeAuth('hospital-a', fed.tokens.get('hospital-a')!), protocolVersion: 99 }, reconnection: false, transports: ['websocket'] });
    const message = await new Promise<string>((resolve) => socket.on('connect_error', (error) => resolve(error.message)));
    socket.close();
    expect(message).toMatch(/^UNSUPPORTED_VERSION: .*99/);
  });

  it('guards the admin API with the bearer token and answers bad requests with every problem listed', async () => {
    expect((await fetch(`${fed.coordinator.url}/api/runs`)).status).toBe(401);
    expect((await fetch(`${fed.coordinator.url}/api/runs`, { headers: { authorization: 'Bearer wrong-token' } })).status).toBe(401);

    const bad = await fed.api('POST', '/api/runs', { plan: { minSites: 0 }, options: { modelFamily: 'nope', train: { localEpochs: 0 } } });
    expect(bad.status).toBe(400);
    expect(bad.body['message']).toMatch(/minSites/);
    expect((await fed.api('POST', '/api/runs', { options: { modelFamily: 'nope', train: { localEpochs: 0 } } })).body['message']).toMatch(/modelFamily.*localEpochs/);
    expect((await fed.api('POST', '/api/runs/no-such-run/start')).status).toBe(404);
  });

  it('runs 1 autoencoder + 2 GAN rounds; each global model is the record-weighted mean of the sites\' updates; the generator loads over HTTP', async () => {
    const agents = SITES.map((siteId) =>
      fed.agent(siteId, {
        onEvent: (event) => {
          if (event.type === 'resultSent') sent.push(event.result);
          if (event.type === 'resultRejected') rejected.push(event);
        },
      }),
    );
    await Promise.all(agents.map((a) => a.start()));

    const created = await fed.api('POST', '/api/runs', tinyRunBody({ phases: [{ phase: 'autoencoder', rounds: 1 }, { phase: 'gan', rounds: 2 }], minSites: 3, strategy: { name: 'fedavg' } }));
    expect(created.status).toBe(201);
    const runId = created.body['id'] as string;

    const detail = await fed.runToEnd(runId, 50_000);
    const status = (detail['run'] as { status: string }).status;
    const rounds = detail['rounds'] as RoundRecord[];
    expect(status).toBe('completed');
    expect(rejected).toEqual([]);
    expect(rounds.map((r) => [r.round, r.phase, r.status])).toEqual([
      [0, 'autoencoder', 'completed'],
      [1, 'gan', 'completed'],
      [2, 'gan', 'completed'],
    ]);

    // Checkpoints read straight from disk; the expected mean from what the sites sent.
    const checkpoints = new CheckpointStore({ directory: fed.config.checkpointDir });
    for (const round of rounds) {
      const updates = sent.filter((r) => r.runId === runId && r.round === round.round);
      expect(updates).toHaveLength(3);
      const global = await checkpoints.load(round.checkpoint!);
      expect(maxDifference(global, recordWeightedMean(updates))).toBeLessThan(1e-5);
      expect(round.metrics).toMatchObject({ siteCount: 3, recordCount: updates.reduce((s, u) => s + u.recordCount, 0) });
    }

    const headers = E2E_ADMIN_HEADERS;
    const base = `${fed.coordinator.url}/api/runs/${runId}/generator`;
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
    const sites = await fed.api('GET', '/api/sites');
    expect(sites.status).toBe(200);
  });
});
