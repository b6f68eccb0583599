import { SiteAgent, type SiteAgentEvent, type SiteAgentOptions } from '@fedsynth/site-agent';
import type { TrainResult, WeightSet } from '@fedsynth/protocol';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDemoSites } from '../__fixtures__/demo-sites';
import { CheckpointStore } from '../checkpoints/checkpoint-store';
import { loadCoordinatorConfig, type CoordinatorConfig } from '../config/coordinator-config';
import type { RoundRecord } from '../store/round.repository';
import { CoordinatorStore } from '../store/coordinator-store';
import { SiteSessions } from '../sites/site-sessions';
import { addSite, startCoordinator, type RunningCoordinator } from '../start-coordinator';

const ADMIN_TOKEN = 'e2e-admin-token-0123456789';
const SITES = ['hospital-a', 'hospital-b', 'hospital-c'];

/** Σ nₖ wₖ / Σ nₖ per element, in float64, from the sites' plain updates (which never left them). */
function recordWeightedMean(results: readonly TrainResult[]): Map<string, Float64Array> {
  const total = results.reduce((sum, r) => sum + r.recordCount, 0);
  const mean = new Map<string, Float64Array>();
  for (const result of results) {
    for (const tensor of result.weights) {
      const acc = mean.get(tensor.name) ?? new Float64Array(tensor.data.length);
      for (let i = 0; i < tensor.data.length; i++) acc[i]! += (tensor.data[i]! * result.recordCount) / total;
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
    for (let i = 0; i < want.length; i++) max = Math.max(max, Math.abs(tensor.data[i]! - want[i]!));
  }
  return max;
}

const MODEL = { latentDim: 8, generatorBlocks: 1, discriminatorDims: [16, 8] };

describe('secure aggregation in federated rounds (real coordinator, real site agents)', () => {
  let dir: string;
  let config: CoordinatorConfig;
  let coordinator: RunningCoordinator;
  let files: string[];
  const tokens = new Map<string, string>();
  let agents: SiteAgent[] = [];

  /** One connection per request (see differential-privacy.spec.ts: training here stalls the event loop past keep-alive). */
  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(coordinator.url + path, {
      method,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json', connection: 'close' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  /** Starts one agent per site; `onEvent` sees each site's events (in this process only). */
  async function startAgents(
    sites: readonly string[],
    onEvent: (siteId: string, agent: SiteAgent, event: SiteAgentEvent) => void,
    secureAggregation = true,
    extra: Partial<SiteAgentOptions> = {},
  ): Promise<void> {
    agents = sites.map((siteId) => {
      const i = SITES.indexOf(siteId);
      const agent: SiteAgent = new SiteAgent({
        url: coordinator.url,
        siteId,
        token: tokens.get(siteId)!,
        data: { read: { format: 'long', input: files[i]!, rollup: true }, holdoutFraction: 0.2, splitSeed: 1, minCodeCount: 2 },
        secureAggregation,
        onEvent: (event) => onEvent(siteId, agent, event),
        ...extra,
      });
      return agent;
    });
    await Promise.all(agents.map((a) => a.start()));
  }

  async function runToEnd(plan: Record<string, unknown>, secureAggregation: Record<string, unknown>, more: Record<string, unknown> = {}): Promise<{ runId: string; status: string; error: string | null; rounds: RoundRecord[] }> {
    const created = await api('POST', '/api/runs', {
      plan: { roundDeadlineMs: 60_000, maxRoundRetries: 0, evaluateEvery: 0, ...plan },
      options: { modelFamily: 'medgan', model: MODEL, strategy: { name: 'fedavg' }, train: { localEpochs: 1, batchSize: 16, learningRate: 1e-3, seed: 7 }, vocabulary: { codeLevel: 'category', minCodeCount: 2 }, secureAggregation, ...more },
    });
    expect(created.status).toBe(201);
    const runId = created.body['id'] as string;
    expect((await api('POST', `/api/runs/${runId}/start`)).status).toBe(200);
    for (const started = Date.now(); Date.now() - started < 90_000; ) {
      const { body } = await api('GET', `/api/runs/${runId}`);
      const run = body['run'] as { status: string; error: string | null };
      if (run.status !== 'running') return { runId, status: run.status, error: run.error, rounds: body['rounds'] as RoundRecord[] };
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`run ${runId} did not finish in 90 s`);
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fedsynth-secagg-e2e-'));
    config = loadCoordinatorConfig({
      FEDSYNTH_ADMIN_TOKEN: ADMIN_TOKEN,
      FEDSYNTH_DATA_DIR: join(dir, 'coordinator'),
      FEDSYNTH_HOST: '127.0.0.1',
      FEDSYNTH_PORT: '0',
      FEDSYNTH_LOG_LEVEL: 'error',
    });
    for (const name of SITES) tokens.set(name, addSite(config, { name, id: name }).token);
    coordinator = await startCoordinator(config, { logger: false });
    files = writeDemoSites(join(dir, 'sites'), SITES.length);
  });

  afterEach(async () => {
    await Promise.all(agents.map((a) => a.close()));
    agents = [];
    // The next test's run must not pick up a session the coordinator has not yet seen close.
    const sessions = coordinator.app.get(SiteSessions);
    for (const started = Date.now(); sessions.readySiteIds().length > 0; ) {
      if (Date.now() - started > 10_000) throw new Error(`sessions still open: ${sessions.readySiteIds().join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });

  afterAll(async () => {
    await coordinator?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("sets each round's global weights to the record-weighted mean of the sites' plain updates, which the coordinator never receives", async () => {
    const plain: TrainResult[] = [];
    const plainSent: TrainResult[] = [];
    const rejected: SiteAgentEvent[] = [];
    await startAgents(SITES, (_, __, event) => {
      if (event.type === 'updateMasked') plain.push(event.result);
      if (event.type === 'resultSent') plainSent.push(event.result);
      if (event.type === 'resultRejected') rejected.push(event);
    });
    const { runId, status, error, rounds } = await runToEnd({ phases: [{ phase: 'autoencoder', rounds: 1 }, { phase: 'gan', rounds: 1 }], minSites: 3 }, { enabled: true });
    expect({ status, error }).toEqual({ status: 'completed', error: null });
    expect(rejected).toEqual([]);
    // No plain TrainResult left any site: only masked updates did.
    expect(plainSent).toEqual([]);
    const checkpoints = new CheckpointStore({ directory: config.checkpointDir });
    for (const round of rounds) {
      const updates = plain.filter((r) => r.runId === runId && r.round === round.round);
      expect(updates).toHaveLength(3);
      const global = await checkpoints.load(round.checkpoint!);
      // Quantisation (≤ 3/(2·scale·W) ≈ 1e-9 here) and float32 rounding of the result (measured: ≤ 6e-8).
      expect(maxDifference(global, recordWeightedMean(updates))).toBeLessThan(1e-6);
      expect(round.metrics).toMatchObject({ siteCount: 3, recordCount: updates.reduce((s, u) => s + u.recordCount, 0) });
    }
  });

  /** Agents of all three sites; hospital-c masks its update, then goes away before sending it. */
  async function startWithDropout(): Promise<Map<string, TrainResult>> {
    const plain = new Map<string, TrainResult>();
    await startAgents(SITES, (siteId, agent, event) => {
      if (event.type !== 'updateMasked') return;
      plain.set(siteId, event.result);
      if (siteId === 'hospital-c') void agent.close();
    });
    return plain;
  }

  it("recovers a site dropping out after masking: the round gets the survivors' exact weighted mean", async () => {
    const plain = await startWithDropout();
    const { status, error, rounds } = await runToEnd({ phases: [{ phase: 'autoencoder', rounds: 1 }], minSites: 2 }, { enabled: true, threshold: 2 });
    expect({ status, error }).toEqual({ status: 'completed', error: null });
    expect([...plain.keys()].sort()).toEqual(SITES); // all three masked...
    const survivors = [plain.get('hospital-a')!, plain.get('hospital-b')!]; // ...two masked updates arrived
    const global = await new CheckpointStore({ directory: config.checkpointDir }).load(rounds[0]!.checkpoint!);
    expect(maxDifference(global, recordWeightedMean(survivors))).toBeLessThan(1e-6);
    // And not the mean with hospital-c's update in it: its masks were removed, its update was not counted.
    expect(maxDifference(global, recordWeightedMean([...plain.values()]))).toBeGreaterThan(1e-4);
    expect(rounds[0]!.metrics).toMatchObject({ siteCount: 2, recordCount: survivors[0]!.recordCount + survivors[1]!.recordCount });
  });

  it('fails the round cleanly, with the reason, when fewer than t masked updates arrive', async () => {
    await startWithDropout();
    const { status, error, rounds } = await runToEnd({ phases: [{ phase: 'autoencoder', rounds: 1 }], minSites: 2 }, { enabled: true, threshold: 3 });
    const reason = 'secure aggregation: 2 sites delivered a masked update, fewer than the threshold 3: the round cannot be unmasked (dropped: hospital-c)';
    expect(status).toBe('failed');
    expect(error).toContain(reason);
    expect(rounds.map((r) => [r.round, r.status])).toEqual([[0, 'failed']]);
    expect(rounds[0]!.error).toContain(reason);
  });

  it('does not admit a site that lacks the secagg-v1 capability, and says why', async () => {
    await startAgents(['hospital-a'], () => undefined, false);
    const { runId, status, error } = await runToEnd({ phases: [{ phase: 'autoencoder', rounds: 1 }], minSites: 1, siteWaitMs: 1000 }, { enabled: true });
    expect(status).toBe('failed');
    expect(error).toMatch(/only 0 of the 1 sites required were connected/);
    const audit = coordinator.app.get(CoordinatorStore).audit.list({ subject: runId, action: 'site.not-admitted' });
    expect(audit.map((a) => a.details)).toEqual([
      { siteId: 'hospital-a', reason: `site hospital-a cannot join run ${runId}: the run uses secure aggregation and the site did not announce the secagg-v1 capability (update its agent)` },
    ]);
  });

  it('combines with DP-SGD at the sites: masked updates carry each site\'s privacy spend, and the mean is still exact', async () => {
    const plain = new Map<string, TrainResult>();
    await startAgents(SITES, (siteId, _, event) => {
      if (event.type === 'updateMasked') plain.set(siteId, event.result);
    }, true, { privacy: { epsilon: 50, delta: 1e-5 } });
    const { runId, status, error, rounds } = await runToEnd({ phases: [{ phase: 'autoencoder', rounds: 1 }], minSites: 3 }, { enabled: true }, {
      dp: { noiseMultiplier: 3, clipNorm: 1 },
      // With a budget the sites announce codes from noisy counts, too few for the tiny demo sites: a fixed vocabulary.
      vocabulary: { codeLevel: 'category', fixed: ['038', '250', '276', '401', '427', '428', '518', '584', '995', 'V45'] },
    });
    expect({ status, error }).toEqual({ status: 'completed', error: null });
    const global = await new CheckpointStore({ directory: config.checkpointDir }).load(rounds[0]!.checkpoint!);
    expect(maxDifference(global, recordWeightedMean([...plain.values()]))).toBeLessThan(1e-6);
    const reports = coordinator.app.get(CoordinatorStore).privacy.list(runId);
    expect(reports.map((r) => [r.siteId, r.round, r.epsilon]).sort()).toEqual(SITES.map((siteId) => [siteId, 0, plain.get(siteId)!.privacy!.epsilon]));
    expect(reports.every((r) => r.epsilon > 0)).toBe(true);
  });
});
