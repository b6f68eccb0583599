import { columnCounts, createVocabulary, prevalence, type MarginalTarget, type SiteMeanCorrectionInput } from '@fedsynth/gan';
import { loadSiteData, matrixOnVocabulary } from '@fedsynth/site-agent';
import { startE2eFederation, tinyRunBody, type E2eFederation } from '../__fixtures__/e2e-federation';
import { CoordinatorStore } from '../store/coordinator-store';

const SITES = ['hospital-a', 'hospital-b', 'hospital-c'];

describe('pooled marginal matching end to end (real coordinator, three real site agents)', () => {
  let fed: E2eFederation;

  beforeAll(async () => {
    fed = await startE2eFederation({ prefix: 'fedsynth-e2e-pooled-', sites: SITES });
  });

  afterAll(() => fed?.close());

  /** Each site's training records on the run's vocabulary, loaded as the fixture's agents load them. */
  async function siteMatrices(codes: string[]) {
    const vocabulary = createVocabulary(codes);
    return Promise.all(
      fed.files.map(async (input) => {
        const data = await loadSiteData({ read: { format: 'long', input, rollup: true }, holdoutFraction: 0.2, splitSeed: 1, minCodeCount: 2 });
        return matrixOnVocabulary(data.train.matrix, data.train.vocabulary, vocabulary);
      }),
    );
  }

  it("every site's generator matches the federation's pooled prevalences, computed here from the three sites' records", async () => {
    const targets = new Map<string, { source: string; target: MarginalTarget; correction?: SiteMeanCorrectionInput }[]>();
    const agents = SITES.map((siteId) =>
      fed.agent(siteId, {
        shareCodeCounts: true,
        onEvent: (event) => {
          if (event.type === 'trainStarted' && event.marginals) targets.set(siteId, [...(targets.get(siteId) ?? []), event.marginals]);
        },
      }),
    );
    await Promise.all(agents.map((a) => a.start()));

    const body = tinyRunBody({ phases: [{ phase: 'autoencoder', rounds: 1 }, { phase: 'gan', rounds: 2 }], minSites: 3, strategy: { name: 'fedavg' } }) as { options: Record<string, unknown> };
    body.options['marginals'] = { weight: 1, target: 'pooled' };
    const created = await fed.api('POST', '/api/runs', body);
    expect(created.status).toBe(201);
    const runId = created.body['id'] as string;
    const detail = await fed.runToEnd(runId, 60_000);
    expect((detail['run'] as { status: string }).status).toBe('completed');

    // Independently of the coordinator: each site's training records on the run's vocabulary,
    // loaded as the fixture's agents load them; pooled = Σ counts ÷ Σ records.
    const codes = (detail['run'] as { vocabulary: string[] }).vocabulary;
    const matrices = await siteMatrices(codes);
    const totals = new Float64Array(codes.length);
    for (const m of matrices) columnCounts(m).forEach((k, c) => (totals[c]! += k));
    const records = matrices.reduce((s, m) => s + m.rows, 0);
    const pooled = Array.from(totals, (k) => k / records);

    for (const [i, siteId] of SITES.entries()) {
      const used = targets.get(siteId) ?? [];
      // Both GAN rounds, and no autoencoder round, match the pooled prevalences.
      expect(used).toHaveLength(2);
      for (const { source, target, correction } of used) {
        expect(source).toBe('pooled');
        expect(correction).toBeUndefined(); // only with marginals.correctBatchMeans
        expect(target.weight).toBe(1);
        expect(target.prevalence).toHaveLength(codes.length);
        let worst = 0;
        Array.from(target.prevalence).forEach((p, c) => (worst = Math.max(worst, Math.abs(p - pooled[c]!))));
        expect(worst).toBeLessThan(1e-6); // float32 on the wire
      }
      // Not the site's own prevalences, which the default target ('site') would have been.
      const own = prevalence(matrices[i]!);
      let gap = 0;
      own.forEach((p, c) => (gap = Math.max(gap, Math.abs(p - pooled[c]!))));
      expect(gap).toBeGreaterThan(0.01);
    }

    // The audit log names the sites and records behind the target, never a count.
    const store = CoordinatorStore.open({ path: fed.config.databasePath });
    try {
      const entries = store.audit.list({ action: 'marginals.pooled' }).filter((e) => e.subject === runId);
      expect(entries).toHaveLength(1);
      expect(entries[0]!.details).toEqual({ sites: expect.arrayContaining(SITES), records });
    } finally {
      store.close();
    }
    await fed.closeAgents();
  });

  it('with correctBatchMeans, every site corrects its real batch means from the pooled and its own exact prevalences', async () => {
    const used = new Map<string, SiteMeanCorrectionInput[]>();
    const agents = SITES.map((siteId) =>
      fed.agent(siteId, {
        shareCodeCounts: true,
        onEvent: (event) => {
          if (event.type === 'trainStarted' && event.marginals?.correction) used.set(siteId, [...(used.get(siteId) ?? []), event.marginals.correction]);
        },
      }),
    );
    await Promise.all(agents.map((a) => a.start()));
    const body = tinyRunBody({ phases: [{ phase: 'autoencoder', rounds: 1 }, { phase: 'gan', rounds: 2 }], minSites: 3, strategy: { name: 'fedavg' } }) as { options: Record<string, unknown> };
    body.options['marginals'] = { weight: 1, target: 'pooled', correctBatchMeans: true };
    const created = await fed.api('POST', '/api/runs', body);
    expect(created.status).toBe(201);
    const detail = await fed.runToEnd(created.body['id'] as string, 60_000);
    expect((detail['run'] as { status: string }).status).toBe('completed');

    const matrices = await siteMatrices((detail['run'] as { vocabulary: string[] }).vocabulary);
    const records = matrices.reduce((s, m) => s + m.rows, 0);
    for (const [i, siteId] of SITES.entries()) {
      const corrections = used.get(siteId) ?? [];
      expect(corrections).toHaveLength(2); // both GAN rounds
      const own = prevalence(matrices[i]!);
      for (const c of corrections) {
        expect(Array.from(c.site)).toEqual(Array.from(own));
        expect(c.pooled).toHaveLength(own.length);
        let worst = 0;
        Array.from(c.pooled).forEach((p, code) => {
          const expected = matrices.reduce((sum, m) => sum + prevalence(m)[code]! * m.rows, 0) / records;
          worst = Math.max(worst, Math.abs(p - expected));
        });
        expect(worst).toBeLessThan(1e-6);
      }
    }
    await fed.closeAgents();
  });
});
