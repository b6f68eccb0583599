import { computeEpsilon, createModel, getWeights, matrixFromRows, type TrainLog } from '@fedsynth/gan';
import type { TrainTask } from '@fedsynth/protocol';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalTrainer } from './local-trainer';
import { plannedSegment, SitePrivacyLedger } from './site-privacy';

const OPTIONS = { localEpochs: 2, batchSize: 10, learningRate: 1e-3, seed: 5, extra: {} };

function task(round: number, dp?: TrainTask['dp'], phase: TrainTask['phase'] = 'gan'): Pick<TrainTask, 'dp' | 'options' | 'round' | 'phase'> {
  return { round, phase, options: OPTIONS, ...(dp ? { dp } : {}) };
}

const DP = { noiseMultiplier: 1.5, clipNorm: 1, expectedBatchSize: 10 };

describe('plannedSegment', () => {
  it('takes q = expected batch ÷ records and ⌈1/q⌉ steps per local epoch', () => {
    expect(plannedSegment(DP, { localEpochs: 2 }, 40)).toEqual({ sampleRate: 0.25, noiseMultiplier: 1.5, steps: 8 });
    expect(plannedSegment(DP, { localEpochs: 1 }, 30)).toEqual({ sampleRate: 1 / 3, noiseMultiplier: 1.5, steps: 3 });
    // A batch larger than the site: every record in every batch (q capped at 1), one step per epoch.
    expect(plannedSegment(DP, { localEpochs: 3 }, 6)).toEqual({ sampleRate: 1, noiseMultiplier: 1.5, steps: 3 });
  });

  it('charges a round of local steps exactly its steps, whatever the epochs say', () => {
    expect(plannedSegment(DP, { localEpochs: 2, localSteps: 5 }, 40)).toEqual({ sampleRate: 0.25, noiseMultiplier: 1.5, steps: 5 });
    expect(plannedSegment(DP, { localEpochs: 1, localSteps: 11 }, 40)).toEqual({ sampleRate: 0.25, noiseMultiplier: 1.5, steps: 11 });
  });
});

describe('SitePrivacyLedger', () => {
  it('without a budget trains plain tasks plainly, and counts DP tasks at δ = 1e-5', () => {
    const ledger = new SitePrivacyLedger();
    expect(ledger.plan(task(0), 40)).toEqual({ kind: 'plain' });
    const plan = ledger.plan(task(0, DP), 40);
    if (plan.kind !== 'dp') throw new Error(plan.kind);
    ledger.charge(plan);
    const expected = computeEpsilon([{ sampleRate: 0.25, noiseMultiplier: 1.5, steps: 8 }], { delta: 1e-5 }).epsilon;
    expect(ledger.spent()).toEqual({ epsilon: expected, delta: 1e-5, steps: 8 });
    expect(plan.after).toEqual(ledger.spent());
  });

  it('composes every round (and the vocabulary release) on one RDP curve: ε grows, and equals the accountant over all segments', () => {
    const ledger = new SitePrivacyLedger({ epsilon: 100, delta: 1e-6 });
    ledger.chargeRelease({ sampleRate: 1, noiseMultiplier: 4, steps: 1 });
    const afterRelease = ledger.spent().epsilon;
    expect(afterRelease).toBeGreaterThan(0);
    const seen = [afterRelease];
    for (let round = 0; round < 4; round++) {
      const plan = ledger.plan(task(round, DP, round < 2 ? 'autoencoder' : 'gan'), 40);
      if (plan.kind !== 'dp') throw new Error(plan.kind);
      ledger.charge(plan);
      seen.push(ledger.spent().epsilon);
    }
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThan(seen[i - 1]!);
    const all = [{ sampleRate: 1, noiseMultiplier: 4, steps: 1 }, ...Array.from({ length: 4 }, () => ({ sampleRate: 0.25, noiseMultiplier: 1.5, steps: 8 }))];
    expect(ledger.spent().epsilon).toBeCloseTo(computeEpsilon(all, { delta: 1e-6 }).epsilon, 10);
    // ε composes sub-additively: less than the sum of the rounds' separate ε's.
    const alone = computeEpsilon([{ sampleRate: 0.25, noiseMultiplier: 1.5, steps: 8 }], { delta: 1e-6 }).epsilon;
    expect(ledger.spent().epsilon).toBeLessThan(afterRelease + 4 * alone);
    expect(ledger.spent().steps).toBe(32);
  });

  it('refuses the task that would cross the budget, saying ε spent, planned and the budget; nothing is charged', () => {
    const one = computeEpsilon([{ sampleRate: 0.25, noiseMultiplier: 1.5, steps: 8 }], { delta: 1e-5 }).epsilon;
    const ledger = new SitePrivacyLedger({ epsilon: one * 1.2, delta: 1e-5 });
    const first = ledger.plan(task(0, DP), 40);
    if (first.kind !== 'dp') throw new Error(first.kind);
    ledger.charge(first);
    const second = ledger.plan(task(1, DP), 40);
    expect(second.kind).toBe('refuse');
    const reason = (second as { reason: string }).reason;
    expect(reason).toMatch(/^privacy budget exceeded: round 1 \(gan, 8 DP-SGD steps at q = 0\.2500, σ = 1\.5\) would bring this site's ε from (\d+\.\d{3}) spent to (\d+\.\d{3}) planned, above its budget ε = [\d.]+ \(δ = 0\.00001\)$/);
    const [, spent, planned] = /from (\S+) spent to (\S+) planned/.exec(reason)!;
    expect(Number(spent)).toBeCloseTo(one, 3);
    expect(Number(planned)).toBeGreaterThan(one * 1.2);
    expect(ledger.spent().steps).toBe(8);
    // A smaller task still fits: the refusal is about this task's plan, not a locked site.
    expect(ledger.plan({ ...task(1, { ...DP, noiseMultiplier: 50 }), options: { ...OPTIONS, localEpochs: 1 } }, 40).kind).toBe('dp');
  });

  it("plans and charges a task's one-off release with its DP-SGD steps, and refuses the two together when they do not fit", () => {
    const release = { sampleRate: 1, noiseMultiplier: 3, steps: 1 };
    const segment = { sampleRate: 0.25, noiseMultiplier: 1.5, steps: 8 };
    const both = computeEpsilon([release, segment], { delta: 1e-5 }).epsilon;
    const alone = computeEpsilon([segment], { delta: 1e-5 }).epsilon;
    const ledger = new SitePrivacyLedger({ epsilon: both * 1.01, delta: 1e-5 });
    const plan = ledger.plan(task(0, DP), 40, [release]);
    if (plan.kind !== 'dp') throw new Error(plan.kind);
    expect(plan.after.epsilon).toBeCloseTo(both, 10);
    ledger.charge(plan);
    expect(ledger.history()).toEqual([release, segment]);
    expect(ledger.spent()).toEqual({ epsilon: plan.after.epsilon, delta: 1e-5, steps: 8 });

    // A budget that holds the steps alone but not the release with them: refused whole, nothing charged.
    const tight = new SitePrivacyLedger({ epsilon: (alone + both) / 2, delta: 1e-5 });
    const refused = tight.plan(task(0, DP), 40, [release]);
    expect(refused.kind).toBe('refuse');
    expect((refused as { reason: string }).reason).toContain('plus its one-off prevalence release (z = 3) would bring');
    expect(tight.history()).toEqual([]);
    expect(tight.plan(task(0, DP), 40).kind).toBe('dp');
  });

  it('with a budget, refuses a task without DP: the records would be trained on without a guarantee', () => {
    const ledger = new SitePrivacyLedger({ epsilon: 3, delta: 1e-5 });
    const plan = ledger.plan(task(2, undefined, 'autoencoder'), 40);
    expect(plan).toEqual({
      kind: 'refuse',
      reason:
        'this site has a privacy budget (ε = 3, δ = 0.00001) and trains only with differential privacy, but round 2 (autoencoder) comes without DP settings: ' +
        'its records would be trained on without any guarantee; create the run with dp',
    });
  });

  it('refuses an unusable budget', () => {
    expect(() => new SitePrivacyLedger({ epsilon: 0, delta: 1e-5 })).toThrow('privacy budget epsilon must be a number > 0, got 0');
    expect(() => new SitePrivacyLedger({ epsilon: 1, delta: Number.NaN })).toThrow('privacy budget delta must be a number in (0, 1), got NaN');
  });
});

describe('LocalTrainer under DP', () => {
  const rows = Array.from({ length: 40 }, (_, r) => [...new Set([r % 12, (r * 5 + 1) % 12])].sort((a, b) => a - b));
  const matrix = matrixFromRows(rows, 12);
  const logs: TrainLog[] = [];
  const trainer = new LocalTrainer({ onLog: (log) => logs.push(log) });
  afterAll(() => trainer.dispose());

  it.each(['autoencoder', 'gan'] as const)('takes exactly the planned DP-SGD steps in a %s round and reports the ledger\'s ε', async (phase) => {
    const model = createModel('medgan', { vocabularySize: 12, latentDim: 4, generatorBlocks: 1, discriminatorDims: [8], initSeed: 3, minibatchAveraging: false });
    const weights = getWeights(model).map((w) => ({ name: w.name, shape: [...w.shape], data: w.values }));
    model.dispose();
    const extra = { 'model.latentDim': 4, 'model.generatorBlocks': 1, 'model.discriminatorDims.0': 8, 'model.minibatchAveraging': 0 };
    const full: TrainTask = { runId: 'r', round: 0, phase, modelFamily: 'medgan', weights, options: { ...OPTIONS, extra }, dp: DP };
    const ledger = new SitePrivacyLedger({ epsilon: 50, delta: 1e-5 });
    const plan = ledger.plan(full, matrix.rows);
    if (plan.kind !== 'dp') throw new Error(plan.kind);
    ledger.charge(plan);
    logs.length = 0;
    const dp = { sampleRate: plan.sampleRate, noiseMultiplier: DP.noiseMultiplier, clipNorm: DP.clipNorm, delta: 1e-5, after: plan.after, chargedSteps: plan.segment.steps };
    // Fewer steps charged than the task takes: the trainer refuses to hand back the weights.
    await expect(trainer.run(full, matrix, { ...dp, chargedSteps: plan.segment.steps - 1 })).rejects.toThrow(
      `training took ${plan.segment.steps} DP-SGD steps but ${plan.segment.steps - 1} were charged to the privacy ledger; the update is not sent`,
    );
    const result = await trainer.run(full, matrix, dp);

    const lastEpoch = logs.filter((l) => l.kind === 'epoch').at(-1)!;
    const taken = lastEpoch.privacy!.steps;
    expect(taken.autoencoder + taken.discriminator).toBe(plan.segment.steps);
    expect(lastEpoch.privacy!.epsilon).toBeCloseTo(plan.after.epsilon, 10);
    expect(result.privacy).toEqual(ledger.spent());
    // Its local steps (FedNova's τ) are those DP-SGD steps: the Poisson batches it took.
    expect(result.localSteps).toBe(plan.segment.steps);
  });
});

describe('SitePrivacyLedger file', () => {
  it('keeps the charges across a restart, so a restarted site cannot spend its budget twice', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fedsynth-ledger-'));
    try {
      const file = join(dir, 'ledger.json');
      const first = new SitePrivacyLedger({ epsilon: 20, delta: 1e-5 }, file);
      first.chargeRelease({ sampleRate: 1, noiseMultiplier: 4, steps: 1 });
      const plan = first.plan(task(0, DP), 40);
      if (plan.kind !== 'dp') throw new Error(plan.kind);
      first.charge(plan);
      const restarted = new SitePrivacyLedger({ epsilon: 20, delta: 1e-5 }, file);
      expect(restarted.spent()).toEqual(first.spent());
      expect(restarted.history()).toEqual(first.history());
      writeFileSync(file, '{"format": "something else"}');
      expect(() => new SitePrivacyLedger({ epsilon: 20, delta: 1e-5 }, file)).toThrow(`privacy ledger ${file} is not a fedsynth privacy ledger`);
      writeFileSync(file, '{broken');
      expect(() => new SitePrivacyLedger({ epsilon: 20, delta: 1e-5 }, file)).toThrow(/is not readable JSON .*; restore it rather than start from zero/);
      // Step counts that do not add up (edited or damaged): refused, naming both numbers.
      const segments = [{ sampleRate: 0.25, noiseMultiplier: 1.5, steps: 8 }];
      for (const dpSteps of [9, -1, 2.5]) {
        writeFileSync(file, JSON.stringify({ format: 'fedsynth-privacy-ledger', version: 1, dpSteps, segments }));
        expect(() => new SitePrivacyLedger({ epsilon: 20, delta: 1e-5 }, file)).toThrow(`privacy ledger ${file} says ${dpSteps} DP-SGD steps were taken, but its charges hold 8 steps in all`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
