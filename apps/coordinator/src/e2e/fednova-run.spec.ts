import type { TrainResult, WeightSet } from '@fedsynth/protocol';
import { startE2eFederation, tinyRunBody, type E2eFederation } from '../__fixtures__/e2e-federation';
import { maxDifference, recordWeightedMean } from '../__fixtures__/weighted-mean';
import { CheckpointStore } from '../checkpoints/checkpoint-store';
import { CoordinatorStore } from '../store/coordinator-store';
import type { RoundRecord } from '../store/round.repository';

const SITES = ['hospital-a', 'hospital-b', 'hospital-c'];

/**
 * FedNova's new global weights, written here from the paper's formula and nothing of the
 * coordinator's: x + Σ c_i (x_i − x) with c_i = p_i Σ_j p_j τ_j / τ_i; batch-norm running
 * statistics the record-weighted mean.
 */
function fedNovaExpected(previous: WeightSet, updates: readonly TrainResult[]): Map<string, Float64Array> {
  const total = updates.reduce((s, u) => s + u.recordCount, 0);
  const p = updates.map((u) => u.recordCount / total);
  const tauEff = updates.reduce((s, u, i) => s + p[i]! * u.localSteps!, 0);
  const expected = new Map<string, Float64Array>();
  for (const x of previous) {
    const out = new Float64Array(x.data.length);
    const statistic = /moving_(mean|variance)$/.test(x.name);
    updates.forEach((u, i) => {
      const xi = u.weights.find((t) => t.name === x.name)!.data;
      const c = (p[i]! * tauEff) / u.localSteps!;
      for (let j = 0; j < out.length; j++) out[j]! += statistic ? p[i]! * xi[j]! : c * (xi[j]! - x.data[j]!);
    });
    if (!statistic) for (let j = 0; j < out.length; j++) out[j]! += x.data[j]!;
    expected.set(x.name, out);
  }
  return expected;
}

describe('a FedNova run end to end (real coordinator, three real site agents of different sizes)', () => {
  let fed: E2eFederation;

  beforeAll(async () => {
    fed = await startE2eFederation({ prefix: 'fedsynth-e2e-fednova-', sites: SITES });
  });

  afterAll(() => fed?.close());

  it('each site reports its local steps; each round\'s global weights are the step-normalised update, not the FedAvg mean', async () => {
    const sent: TrainResult[] = [];
    // Different holdouts make the sites train on different numbers of records, so they take
    // different numbers of local steps in their one epoch.
    const holdouts = [0.1, 0.45, 0.7];
    const agents = SITES.map((siteId, i) =>
      fed.agent(siteId, {
        data: { read: { format: 'long', input: fed.files[i]!, rollup: true }, holdoutFraction: holdouts[i]!, splitSeed: 1, minCodeCount: 2 },
        onEvent: (event) => {
          if (event.type === 'resultSent') sent.push(event.result);
        },
      }),
    );
    await Promise.all(agents.map((a) => a.start()));

    const created = await fed.api('POST', '/api/runs', tinyRunBody({ phases: [{ phase: 'autoencoder', rounds: 2 }, { phase: 'gan', rounds: 1 }], minSites: 3, strategy: { name: 'fednova' }, train: { batchSize: 4 } }));
    expect(created.status).toBe(201);
    const runId = created.body['id'] as string;
    const detail = await fed.runToEnd(runId, 50_000);
    expect((detail['run'] as { status: string }).status).toBe('completed');
    const rounds = detail['rounds'] as RoundRecord[];
    expect(rounds.map((r) => [r.round, r.phase, r.status])).toEqual([
      [0, 'autoencoder', 'completed'],
      [1, 'autoencoder', 'completed'],
      [2, 'gan', 'completed'],
    ]);

    const checkpoints = new CheckpointStore({ directory: fed.config.checkpointDir });
    // Rounds 1 and 2 start from the previous round's checkpoint, which the test reads from disk.
    for (const round of rounds.slice(1)) {
      const updates = sent.filter((r) => r.runId === runId && r.round === round.round);
      expect(updates).toHaveLength(3);
      const steps = updates.map((u) => u.localSteps);
      // One epoch of batches of 4: the autoencoder keeps a short last batch, the GAN drops it.
      for (const u of updates) expect(u.localSteps).toBe(round.phase === 'gan' ? Math.floor(u.recordCount / 4) : Math.ceil(u.recordCount / 4));
      expect(new Set(steps).size).toBe(3);
      const previous = await checkpoints.load(rounds[round.round - 1]!.checkpoint!);
      const global = await checkpoints.load(round.checkpoint!);
      expect(maxDifference(global, fedNovaExpected(previous, updates))).toBeLessThan(1e-5);
      // And it is not what FedAvg would have made of the same updates.
      expect(maxDifference(global, recordWeightedMean(updates))).toBeGreaterThan(1e-4);
    }

    // The audit log (read from the SQLite file) keeps each round's step counts beside its record counts.
    const store = CoordinatorStore.open({ path: fed.config.databasePath });
    try {
      const completed = store.audit.list({ action: 'round.completed' }).filter((e) => e.subject === runId);
      const round2 = completed.find((e) => (e.details as { round: number }).round === 2)!;
      const sites = (round2.details as { sites: Array<{ siteId: string; recordCount: number; localSteps: number }> }).sites;
      expect(sites.map((s) => [s.recordCount, s.localSteps]).sort()).toEqual(sent.filter((r) => r.runId === runId && r.round === 2).map((r) => [r.recordCount, r.localSteps]).sort());
    } finally {
      store.close();
    }
  });
});
