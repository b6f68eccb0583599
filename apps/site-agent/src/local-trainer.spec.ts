import { createModel, getWeights, matrixFromRows, plannedBatches, type TrainLog } from '@fedsynth/gan';
import type { TrainTask } from '@fedsynth/protocol';
import { LOCAL_TRAIN_MS_METRIC, LocalTrainer, releasableUnderDp } from './local-trainer';

/** A tiny medGAN round: 40 records × 12 codes, 1 local epoch. */
function task(phase: TrainTask['phase']): TrainTask {
  const model = createModel('medgan', { vocabularySize: 12, latentDim: 4, generatorBlocks: 1, discriminatorDims: [8], initSeed: 3 });
  try {
    const weights = getWeights(model).map((w) => ({ name: w.name, shape: [...w.shape], data: w.values }));
    return {
      runId: 'run-1',
      round: 0,
      phase,
      modelFamily: 'medgan',
      weights,
      options: { localEpochs: 1, batchSize: 10, learningRate: 1e-3, seed: 5, extra: { 'model.latentDim': 4, 'model.generatorBlocks': 1, 'model.discriminatorDims.0': 8 } },
    };
  } finally {
    model.dispose();
  }
}

describe('LocalTrainer', () => {
  // Each record holds one or two codes.
  const rows = Array.from({ length: 40 }, (_, r) => [...new Set([r % 12, (r * 5 + 1) % 12])].sort((a, b) => a - b));
  const matrix = matrixFromRows(rows, 12);
  const trainer = new LocalTrainer();

  afterAll(() => trainer.dispose());

  it.each(['autoencoder', 'gan'] as const)('reports the %s round\'s losses and its local training time, which lies within the call', async (phase) => {
    const started = performance.now();
    const result = await trainer.run(task(phase), matrix);
    const callMs = performance.now() - started;

    const trainMs = result.metrics[LOCAL_TRAIN_MS_METRIC];
    expect(Number.isFinite(trainMs)).toBe(true);
    expect(trainMs).toBeGreaterThan(0);
    expect(trainMs).toBeLessThanOrEqual(callMs);
    expect(Object.keys(result.metrics).sort()).toEqual(phase === 'gan' ? ['d', 'g', LOCAL_TRAIN_MS_METRIC].sort() : ['ae', LOCAL_TRAIN_MS_METRIC].sort());
    expect(result.recordCount).toBe(40);
    // 40 records in batches of 10: one epoch is 4 batches of real records in either phase
    // (FedNova's τ; in the GAN phase, 4 discriminator updates and 2 generator steps).
    expect(result.localSteps).toBe(4);
    expect(result.localSteps).toBe(plannedBatches({ phase, rows: 40, epochs: 1, batchSize: 10 }));
  });

  it('a round of local steps trains on exactly that many batches, part-way into a second epoch', async () => {
    const logs: TrainLog[] = [];
    const counting = new LocalTrainer({ onLog: (log) => logs.push(log) });
    try {
      const base = task('autoencoder');
      // 40 records in batches of 10: 4 batches an epoch, so 6 steps end half-way through epoch 2.
      const result = await counting.run({ ...base, options: { ...base.options, localEpochs: 3, localSteps: 6 } }, matrix);
      expect(logs.filter((l) => l.kind === 'step')).toHaveLength(6);
      expect(result.localSteps).toBe(6);
      expect(logs.filter((l) => l.kind === 'epoch').map((l) => l.epoch)).toEqual([1, 2]);

      // GAN rounds count the same batches: 6 discriminator updates, 3 generator steps.
      const gan = task('gan');
      logs.length = 0;
      const ganResult = await counting.run({ ...gan, options: { ...gan.options, localEpochs: 3, localSteps: 6 } }, matrix);
      expect(logs.filter((l) => l.kind === 'step')).toHaveLength(3);
      expect(ganResult.localSteps).toBe(6);
    } finally {
      counting.dispose();
    }
  });

  it('trains the generator towards the marginal target when given one: the same task ends with other generator weights and a larger g', async () => {
    const plain = await trainer.run(task('gan'), matrix);
    const target = { prevalence: new Float64Array(12).fill(0.9), weight: 5 };
    const matched = await trainer.run(task('gan'), matrix, undefined, target);
    const kernel = (r: typeof plain) => r.weights.find((w) => w.name.startsWith('generator/'))!.data;
    expect(Array.from(kernel(matched))).not.toEqual(Array.from(kernel(plain)));
    // g now includes weight × Σ KL(0.9 ‖ batch prevalence), far from a batch near 0.15.
    expect(matched.metrics['g']!).toBeGreaterThan(plain.metrics['g']! + 1);
  });

  it('under DP releases only the generator loss: the discriminator and autoencoder losses are means over real records', () => {
    expect(releasableUnderDp({ d: 0.6, g: 2.5 })).toEqual({ g: 2.5 });
    expect(releasableUnderDp({ ae: 30.1 })).toEqual({});
  });
});
