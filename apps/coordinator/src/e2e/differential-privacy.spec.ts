import { computeEpsilon } from '@fedsynth/gan';
import type { SiteAgent, SiteAgentEvent } from '@fedsynth/site-agent';
import { E2E_ADMIN_HEADERS, startE2eFederation, type E2eFederation } from '../__fixtures__/e2e-federation';
import { CoordinatorStore } from '../store/coordinator-store';
import type { RunPrivacySummary } from '../store/privacy.repository';
import type { RunRecord } from '../store/run.repository';

const SITES = ['hospital-a', 'hospital-b', 'hospital-c'];
/**
 * Budgets: a and b can afford the run; c's ε = 1.5 covers its noisy vocabulary release
 * (z = 4: ε ≈ 1.0 at δ = 1e-5) but not the first DP round on top of it (ε ≈ 1.7).
 */
const BUDGETS: Record<string, { epsilon: number; delta: number }> = {
  'hospital-a': { epsilon: 20, delta: 1e-5 },
  'hospital-b': { epsilon: 20, delta: 1e-5 },
  'hospital-c': { epsilon: 1.5, delta: 1e-5 },
};
/** Demo sites hold ~27 training records each: too few for noisy counts to pass a threshold, so the run fixes its codes. */
const FIXED = ['038', '250', '276', '401', '427', '428', '518', '584', '995', 'V45'];
const DP_RUN = {
  modelFamily: 'medgan',
  model: { latentDim: 8, generatorBlocks: 1, discriminatorDims: [16, 8] },
  train: { localEpochs: 1, batchSize: 16, learningRate: 1e-3, seed: 7 },
  vocabulary: { codeLevel: 'category', fixed: FIXED },
  generatorAverage: { decay: 0 },
  dp: { noiseMultiplier: 3, clipNorm: 1 },
};

describe('differential privacy in a federated run (real coordinator, three real site agents with budgets)', () => {
  let fed: E2eFederation;
  const agents = new Map<string, SiteAgent>();
  const events = new Map<string, SiteAgentEvent[]>(SITES.map((s) => [s, []]));

  const store = () => fed.coordinator.app.get(CoordinatorStore);
  const runToEnd = (runId: string) => fed.runToEnd(runId, 100_000);

  beforeAll(async () => {
    fed = await startE2eFederation({ prefix: 'fedsynth-e2e-dp-', sites: SITES });
    for (const siteId of SITES) {
      agents.set(siteId, fed.agent(siteId, { privacy: BUDGETS[siteId], onEvent: (event) => events.get(siteId)!.push(event) }));
    }
    await Promise.all([...agents.values()].map((a) => a.start()));
  }, 60_000);

  afterAll(() => fed?.close());

  it('reports ε per site per round, increasing; a site whose budget is spent refuses (PRIVACY_BUDGET_EXCEEDED) and the others go on; ε is in fedsynth.json', async () => {
    // Every site paid for its noisy vocabulary release before the run: ε > 0 at the start.
    for (const siteId of SITES) expect(agents.get(siteId)!.privacy.spent().epsilon).toBeGreaterThan(0.5);
    const created = await fed.api('POST', '/api/runs', {
      plan: { phases: [{ phase: 'autoencoder', rounds: 2 }, { phase: 'gan', rounds: 2 }], minSites: 2, roundDeadlineMs: 60_000, maxRoundRetries: 0 },
      options: DP_RUN,
    });
    expect(created.status).toBe(201);
    const runId = created.body['id'] as string;
    // Under DP the discriminator scores each record alone: minibatch averaging is stored (and sent) off.
    expect((created.body['options'] as { model: unknown }).model).toEqual({ ...DP_RUN.model, minibatchAveraging: false });

    const detail = await runToEnd(runId);
    expect((detail['run'] as RunRecord).status).toBe('completed');

    // ε after each round, from the sites' own reports, stored per round: strictly increasing.
    const store = fed.coordinator.app.get(CoordinatorStore);
    for (const siteId of ['hospital-a', 'hospital-b']) {
      const reports = store.privacy.list(runId).filter((r) => r.siteId === siteId);
      expect(reports.map((r) => r.round)).toEqual([0, 1, 2, 3]);
      for (let i = 1; i < reports.length; i++) expect(reports[i]!.epsilon).toBeGreaterThan(reports[i - 1]!.epsilon);
      expect(reports.map((r) => r.delta)).toEqual([1e-5, 1e-5, 1e-5, 1e-5]);
      // The last report is what the site's own ledger says, and stays within its budget.
      const ledger = agents.get(siteId)!.privacy.spent();
      expect(reports[3]).toMatchObject({ epsilon: ledger.epsilon, steps: ledger.steps });
      expect(ledger.epsilon).toBeLessThanOrEqual(BUDGETS[siteId]!.epsilon);
      // The sent results carried the same numbers.
      const sent = events.get(siteId)!.filter((e): e is Extract<SiteAgentEvent, { type: 'resultSent' }> => e.type === 'resultSent' && e.result.runId === runId);
      expect(sent.map((e) => e.result.privacy!.epsilon)).toEqual(reports.map((r) => r.epsilon));
    }

    // The small budget: refused every round, with ε spent, planned and its budget; never trained.
    const refusals = events.get('hospital-c')!.filter((e): e is Extract<SiteAgentEvent, { type: 'taskRefused' }> => e.type === 'taskRefused' && e.runId === runId);
    expect(refusals.map((e) => [e.round, e.code])).toEqual([0, 1, 2, 3].map((round) => [round, 'PRIVACY_BUDGET_EXCEEDED']));
    expect(refusals[0]!.reason).toMatch(/^privacy budget exceeded: round 0 \(autoencoder, \d+ DP-SGD steps at q = 0\.\d+, σ = 3\) would bring this site's ε from 1\.0\d\d spent to 1\.\d+ planned, above its budget ε = 1\.5 \(δ = 0\.00001\)$/);
    expect(events.get('hospital-c')!.some((e) => e.type === 'trainStarted')).toBe(false);
    expect(store.privacy.list(runId).some((r) => r.siteId === 'hospital-c')).toBe(false);
    const audited = store.audit.list({ subject: runId, action: 'task.refused' });
    expect(audited.map((a) => [a.actor, (a.details as { code: string }).code])).toEqual([0, 1, 2, 3].map(() => ['site:hospital-c', 'PRIVACY_BUDGET_EXCEEDED']));

    // REST: per site the latest ε, and the largest.
    const privacy = detail['privacy'] as RunPrivacySummary;
    expect(privacy.sites.map((s) => [s.siteId, s.round])).toEqual([
      ['hospital-a', 3],
      ['hospital-b', 3],
    ]);
    expect(privacy.maxEpsilon).toBe(Math.max(...privacy.sites.map((s) => s.epsilon)));
    // Sanity of the numbers against the accountant: a's total is its release plus 4 rounds of DP-SGD.
    const a = agents.get('hospital-a')!.privacy;
    expect(privacy.sites[0]!.epsilon).toBeCloseTo(computeEpsilon(a.history(), { delta: 1e-5 }).epsilon, 10);

    // The exported generator's metadata says what the run cost.
    const response = await fetch(`${fed.coordinator.url}/api/runs/${runId}/generator/fedsynth.json`, { headers: E2E_ADMIN_HEADERS });
    const manifest = (await response.json()) as { metrics: { federation: { privacy: Record<string, unknown>; sites: { siteId: string }[] } } };
    expect(manifest.metrics.federation.sites.map((s) => s.siteId)).toEqual(['hospital-a', 'hospital-b']);
    expect(manifest.metrics.federation.privacy).toEqual({
      mechanism: 'dp-sgd',
      sampling: 'poisson',
      accountant: 'rdp-sampled-gaussian, per site',
      noiseMultiplier: 3,
      clipNorm: 1,
      expectedBatchSize: 16,
      minibatchAveraging: false,
      sites: privacy.sites,
      maxEpsilon: privacy.maxEpsilon,
      delta: 1e-5,
    });
  }, 120_000);

  it('marginal matching: each site releases its prevalences once, before its first GAN round, charged with it; fedsynth.json says so', async () => {
    const before = new Map(['hospital-a', 'hospital-b'].map((siteId) => [siteId, agents.get(siteId)!.privacy.history().length]));
    const marginals = { weight: 1, noiseMultiplier: 4 };
    const created = await fed.api('POST', '/api/runs', {
      plan: { phases: [{ phase: 'autoencoder', rounds: 1 }, { phase: 'gan', rounds: 2 }], minSites: 2, roundDeadlineMs: 60_000, maxRoundRetries: 0 },
      options: { ...DP_RUN, marginals },
    });
    expect(created.status).toBe(201);
    const runId = created.body['id'] as string;
    const detail = await runToEnd(runId);
    expect((detail['run'] as RunRecord).status).toBe('completed');

    const release = { sampleRate: 1, noiseMultiplier: 4, steps: 1 };
    for (const siteId of ['hospital-a', 'hospital-b']) {
      const ledger = agents.get(siteId)!.privacy;
      const charged = ledger.history().slice(before.get(siteId)!);
      // AE round, then the release with the first GAN round's steps, then the second GAN round: the release once.
      expect(charged.map((s) => s.sampleRate === 1 && s.noiseMultiplier === 4)).toEqual([false, true, false, false]);
      expect(charged[1]).toEqual(release);
      // The ε the site reported after its first GAN round includes the release.
      const reports = store().privacy.list(runId).filter((r) => r.siteId === siteId);
      expect(reports).toHaveLength(3);
      expect(reports[2]!.epsilon).toBeCloseTo(ledger.spent().epsilon, 10);
      expect(ledger.spent().epsilon).toBeCloseTo(computeEpsilon(ledger.history(), { delta: 1e-5 }).epsilon, 10);
    }
    const response = await fetch(`${fed.coordinator.url}/api/runs/${runId}/generator/fedsynth.json`, { headers: E2E_ADMIN_HEADERS });
    const manifest = (await response.json()) as { metrics: { federation: { privacy: Record<string, unknown> } } };
    expect(manifest.metrics.federation.privacy['marginals']).toEqual({ ...marginals, maxCodesPerRecord: 20 });
  }, 120_000);

  it('a run of local steps: each round trains on, and charges, exactly that many DP-SGD steps at every site', async () => {
    const before = new Map(['hospital-a', 'hospital-b'].map((siteId) => [siteId, agents.get(siteId)!.privacy.history().length]));
    // ~27 records per site and an expected batch of 16: 2 batches an epoch, so 3 steps run into a second epoch.
    const created = await fed.api('POST', '/api/runs', {
      plan: { phases: [{ phase: 'autoencoder', rounds: 1 }, { phase: 'gan', rounds: 1 }], minSites: 2, roundDeadlineMs: 60_000, maxRoundRetries: 0 },
      options: { ...DP_RUN, train: { ...DP_RUN.train, localSteps: 3 } },
    });
    expect(created.status).toBe(201);
    const runId = created.body['id'] as string;
    expect((await runToEnd(runId))['run']).toMatchObject({ status: 'completed' });
    for (const siteId of ['hospital-a', 'hospital-b']) {
      const charged = agents.get(siteId)!.privacy.history().slice(before.get(siteId)!);
      expect(charged.map((s) => [s.noiseMultiplier, s.steps])).toEqual([
        [3, 3],
        [3, 3],
      ]);
      const reports = store().privacy.list(runId).filter((r) => r.siteId === siteId);
      expect(reports[1]!.steps - reports[0]!.steps).toBe(3);
    }
  }, 120_000);

  it('fails a run without dp at sites with budgets, naming their refusals', async () => {
    const { dp: _dp, ...plain } = DP_RUN;
    const created = await fed.api('POST', '/api/runs', {
      plan: { phases: [{ phase: 'gan', rounds: 1 }], minSites: 2, roundDeadlineMs: 60_000, maxRoundRetries: 0 },
      options: plain,
    });
    const detail = await runToEnd(created.body['id'] as string);
    const run = detail['run'] as RunRecord;
    expect(run.status).toBe('failed');
    expect(run.error).toContain('0 connected sites were selected, fewer than the 2 needed; refused the task:');
    for (const siteId of SITES) {
      expect(run.error).toContain(`${siteId}: PRIVACY_BUDGET_EXCEEDED: this site has a privacy budget (ε = ${BUDGETS[siteId]!.epsilon}, δ = 0.00001) and trains only with differential privacy`);
    }
  }, 60_000);
});
