import type { SiteAgent, SiteAgentEvent, SiteAgentOptions } from '@fedsynth/site-agent';
import type { TrainResult } from '@fedsynth/protocol';
import { startE2eFederation, type E2eFederation } from '../__fixtures__/e2e-federation';
import { maxDifference, recordWeightedMean } from '../__fixtures__/weighted-mean';
import { CheckpointStore } from '../checkpoints/checkpoint-store';
import type { RoundRecord } from '../store/round.repository';
import { CoordinatorStore } from '../store/coordinator-store';
import { SiteSessions } from '../sites/site-sessions';

const SITES = ['hospital-a', 'hospital-b', 'hospital-c'];

const MODEL = { latentDim: 8, generatorBlocks: 1, discriminatorDims: [16, 8] };

describe('secure aggregation in federated rounds (real coordinator, real site agents)', () => {
  let fed: E2eFederation;

  /** Starts one agent per site; `onEvent` sees each site's events (in this process only). */
  async function startAgents(
    sites: readonly string[],
    onEvent: (siteId: string, agent: SiteAgent, event: SiteAgentEvent) => void,
    secureAggregation = true,
    extra: Partial<SiteAgentOptions> = {},
  ): Promise<void> {
    const agents = sites.map((siteId) => {
      const agent: SiteAgent = fed.agent(siteId, { secureAggregation, onEvent: (event) => onEvent(siteId, agent, event), ...extra });
      return agent;
    });
    await Promise.all(agents.map((a) => a.start()));
  }

  async function runToEnd(plan: Record<string, unknown>, secureAggregation: Record<string, unknown>, more: Record<string, unknown> = {}): Promise<{ runId: string; status: string; error: string | null; rounds: RoundRecord[] }> {
    const created = await fed.api('POST', '/api/runs', {
      plan: { roundDeadlineMs: 60_000, maxRoundRetries: 0, evaluateEvery: 0, ...plan },
      options: { modelFamily: 'medgan', model: MODEL, strategy: { name: 'fedavg' }, train: { localEpochs: 1, batchSize: 16, learningRate: 1e-3, seed: 7 }, vocabulary: { codeLevel: 'category', minCodeCount: 2 }, secureAggregation, ...more },
    });
    expect(created.status).toBe(201);
    const runId = created.body['id'] as string;
    const body = await fed.runToEnd(runId, 90_000);
    const run = body['run'] as { status: string; error: string | null };
    return { runId, status: run.status, error: run.error, rounds: body['rounds'] as RoundRecord[] };
  }

  beforeAll(async () => {
    fed = await startE2eFederation({ prefix: 'fedsynth-secagg-e2e-', sites: SITES });
  });

  afterEach(async () => {
    await fed.closeAgents();
    // The next test's run must not pick up a session the coordinator has not yet seen close.
    const sessions = fed.coordinator.app.get(SiteSessions);
    for (const started = Date.now(); sessions.readySiteIds().length > 0; ) {
      if (Date.now() - started > 10_000) throw new Error(`sessions still open: ${sessions.readySiteIds().join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });

  afterAll(() => fed?.close());

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
    const checkpoints = new CheckpointStore({ directory: fed.config.checkpointDir });
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
    const global = await new CheckpointStore({ directory: fed.config.checkpointDir }).load(rounds[0]!.checkpoint!);
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
    const audit = fed.coordinator.app.get(CoordinatorStore).audit.list({ subject: runId, action: 'site.not-admitted' });
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
    const global = await new CheckpointStore({ directory: fed.config.checkpointDir }).load(rounds[0]!.checkpoint!);
    expect(maxDifference(global, recordWeightedMean([...plain.values()]))).toBeLessThan(1e-6);
    const reports = fed.coordinator.app.get(CoordinatorStore).privacy.list(runId);
    expect(reports.map((r) => [r.siteId, r.round, r.epsilon]).sort()).toEqual(SITES.map((siteId) => [siteId, 0, plain.get(siteId)!.privacy!.epsilon]));
    expect(reports.every((r) => r.epsilon > 0)).toBe(true);
  });
});
