import type { EvalResult } from '@fedsynth/protocol';
import { startE2eFederation, type E2eFederation } from '../__fixtures__/e2e-federation';
import type { EvaluationRecord } from '../store/evaluation.repository';

const SITES = ['hospital-a', 'hospital-b', 'hospital-c'];

/** Σ nₖ mₖ / Σ nₖ per metric over the sites that sent it: computed here, independently of the coordinator. */
function recordWeightedMeans(results: readonly EvalResult[]): Record<string, number> {
  const sums = new Map<string, { weighted: number; weight: number }>();
  for (const result of results) {
    for (const [name, value] of Object.entries(result.metrics)) {
      const sum = sums.get(name) ?? { weighted: 0, weight: 0 };
      sum.weighted += value * result.recordCount;
      sum.weight += result.recordCount;
      sums.set(name, sum);
    }
  }
  return Object.fromEntries([...sums].map(([name, s]) => [name, s.weighted / s.weight]));
}

describe('a run that waits for its quorum, then evaluates every GAN round (real coordinator and site agents)', () => {
  let fed: E2eFederation;
  const evalSent: Array<{ siteId: string; result: EvalResult }> = [];
  const evalFailed: Array<{ siteId: string; round: number; reason: string }> = [];

  beforeAll(async () => {
    fed = await startE2eFederation({ prefix: 'fedsynth-e2e-eval-', sites: SITES });
  });

  afterAll(() => fed?.close());

  it('starts with 1 of 3 sites, trains once all joined, and stores per-site and record-weighted evaluations', async () => {
    const agentFor = (i: number) => {
      const siteId = SITES[i];
      return fed.agent(siteId, {
        // The demo holds ~33 patients a site (~7 held out): hospitals a and b lower the floor of 20
        // records to take part; hospital c keeps it and must refuse, which the coordinator notes.
        // Fewer predicted codes and optimiser steps keep the test fast; they change cost, not meaning.
        evaluation: { ...(siteId !== 'hospital-c' ? { minRecords: 5 } : {}), quality: { predictionCodes: 5, detectionFolds: 2, logistic: { steps: 60 } } },
        onEvent: (event) => {
          if (event.type === 'evalSent') evalSent.push({ siteId, result: event.result });
          if (event.type === 'evalFailed') evalFailed.push({ siteId, round: event.round, reason: event.reason });
        },
      });
    };
    await agentFor(0).start();

    const created = await fed.api('POST', '/api/runs', {
      plan: { phases: [{ phase: 'autoencoder', rounds: 1 }, { phase: 'gan', rounds: 2 }], minSites: 3, roundDeadlineMs: 60_000, maxRoundRetries: 0, evaluateEvery: 1 },
      options: {
        modelFamily: 'medgan',
        model: { latentDim: 8, generatorBlocks: 1, discriminatorDims: [16, 8] },
        train: { localEpochs: 1, batchSize: 16, learningRate: 1e-3, seed: 7 },
        vocabulary: { codeLevel: 'category', minCodeCount: 2 },
      },
    });
    const runId = created.body['id'] as string;
    await fed.startRun(runId);

    // Too few sites: the run waits (it used to fail with "no vocabulary agreed").
    const waiting = await fed.api('GET', `/api/runs/${runId}`);
    expect(waiting.body).toMatchObject({ run: { status: 'running', vocabulary: null }, stage: 'waitingForSites', sites: { connected: 1, needed: 3 } });

    await Promise.all([agentFor(1).start(), agentFor(2).start()]);

    const detail = await fed.waitForRunEnd(runId, 50_000, (view) => {
      const evaluations = view['evaluations'] as EvaluationRecord[];
      return (view['run'] as { status: string }).status !== 'running' && evaluations.length === 2 && evaluations.every((e) => e.status !== 'collecting');
    });
    expect(detail).toMatchObject({ run: { status: 'completed' }, sites: { connected: 3, needed: 3 } });

    // Rounds 1 and 2 are GAN rounds; round 0 (autoencoder) trains no generator and is not scored.
    const evaluations = (await fed.api('GET', `/api/runs/${runId}/evaluations`)).body as unknown as EvaluationRecord[];
    expect(evaluations.map((e) => [e.round, e.status, e.askedSiteIds])).toEqual([
      [1, 'completed', SITES],
      [2, 'completed', SITES],
    ]);
    for (const evaluation of evaluations) {
      const sentBySite = evalSent.filter((s) => s.result.runId === runId && s.result.round === evaluation.round);
      expect(sentBySite.map((s) => s.siteId).sort()).toEqual(['hospital-a', 'hospital-b']);
      const sent = sentBySite.map((s) => s.result);
      expect(sent.every((r) => r.recordCount > 0)).toBe(true);

      // Stored per site exactly as sent; hospital-c's refusal is noted with its reason.
      const bySite = new Map(evaluation.sites.map((s) => [s.siteId, s]));
      for (const { siteId, result } of sentBySite) {
        expect(bySite.get(siteId)).toMatchObject({ recordCount: result.recordCount, metrics: result.metrics, error: null });
      }
      expect(bySite.get('hospital-c')!.error).toMatchObject({ code: 'INTERNAL' });
      expect(bySite.get('hospital-c')!.error!.reason).toMatch(/site hospital-c could not evaluate round \d: the site's holdout set has \d+ records; quality summaries need at least 20/);

      // The combined value of every metric is the held-out-record-weighted mean of the sites' values.
      const expected = recordWeightedMeans(sent);
      expect(Object.keys(evaluation.metrics!).sort()).toEqual(Object.keys(expected).sort());
      for (const [name, value] of Object.entries(expected)) expect(evaluation.metrics![name]).toBeCloseTo(value, 10);
      expect(evaluation.summary).toEqual({ siteCount: 2, recordCount: sent.reduce((n, r) => n + r.recordCount, 0), failureCount: 1 });
      expect(evaluation.metrics!['synthetic.fidelity.prevalence.pearson']).toBeGreaterThanOrEqual(-1);
    }
    expect(evalFailed.map((f) => [f.siteId, f.round])).toEqual([
      ['hospital-c', 1],
      ['hospital-c', 2],
    ]);

    // The run view carries the combined numbers too, but not each site's metrics.
    const listed = (detail['evaluations'] as Array<{ sites: object[] }>)[0];
    expect(listed.sites.every((s) => !('metrics' in s))).toBe(true);
  });
});
