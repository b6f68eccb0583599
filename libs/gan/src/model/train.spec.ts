import * as tf from '@tensorflow/tfjs';
import { FedsynthError } from '../errors/fedsynth-error';
import { createModel } from './create-model';
import { MODEL_FAMILIES } from './model-options';
import { pairedCodesMatrix, TINY_MODEL } from './test-fixtures';
import { train } from './train';
import type { TrainLog } from './train-log';

describe('train', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  const matrix = pairedCodesMatrix(120, 10);
  const quick = { epochs: 2, pretrainEpochs: 2, batchSize: 16, autoencoderBatchSize: 16, model: TINY_MODEL };

  it.each(MODEL_FAMILIES)('%s: leaks no tensor from one step to the next', async (family) => {
    const run = train(family, matrix, { ...quick, epochs: 3 });
    const counts: number[] = [];
    for await (const log of run) if (log.kind === 'step' && log.phase === 'gan') counts.push(tf.memory().numTensors);
    // The first step creates the optimizers' moment variables; after it the count is flat.
    expect(counts.length).toBeGreaterThan(3);
    expect(new Set(counts.slice(1)).size).toBe(1);
    run.model.dispose();
    expect(tf.memory().numTensors).toBe(0);
  });

  it('logs both phases with losses, records/s and epoch summaries, and validation loss for the autoencoder', async () => {
    const logs: TrainLog[] = [];
    const run = train('medgan', matrix, quick);
    for await (const log of run) logs.push(log);
    const epochs = logs.filter((l) => l.kind === 'epoch');
    expect(epochs.map((l) => `${l.phase} ${l.epoch}`)).toEqual(['autoencoder 1', 'autoencoder 2', 'gan 1', 'gan 2']);
    const ae = epochs[1];
    expect(ae.phase === 'autoencoder' && ae.losses.valAe).toBeGreaterThan(0);
    // 120 records, 12 held out for validation: 108 → 6 full batches of 16 → 3 steps of 2 D + 1 G.
    const gan = logs.filter((l) => l.phase === 'gan' && l.kind === 'step');
    expect(gan).toHaveLength(6);
    expect(gan[0]).toMatchObject({ kind: 'step', phase: 'gan', epoch: 1, step: 1, epochs: 2, stepsPerEpoch: 3 });
    for (const l of logs) expect(l.recordsPerSec).toBeGreaterThan(0);
    if (gan[0].phase === 'gan') expect(Object.keys(gan[0].losses).sort()).toEqual(['d', 'g']);
    run.model.dispose();
  });

  it('pre-training lowers the autoencoder loss', async () => {
    const run = train('medgan', matrix, { ...quick, epochs: 0, pretrainEpochs: 10, model: { ...TINY_MODEL, autoencoderAdam: { learningRate: 0.01 } } });
    const losses: number[] = [];
    for await (const log of run) if (log.kind === 'step' && log.phase === 'autoencoder') losses.push(log.losses.ae);
    // At the start every code is a coin flip (10 · ln 2 ≈ 6.9 nats); the pairs carry ~2.6 nats.
    expect(losses[0]).toBeCloseTo(10 * Math.log(2), 0);
    expect(losses[losses.length - 1]).toBeLessThan(4);
    run.model.dispose();
  });

  it('is reproducible for a seed', async () => {
    const lossesFor = async (seed: number) => {
      const run = train('wgan-gp', matrix, { ...quick, seed });
      const out: number[] = [];
      for await (const log of run) if (log.kind === 'step') out.push(...Object.values(log.losses));
      run.model.dispose();
      return out;
    };
    const a = await lossesFor(4);
    expect(await lossesFor(4)).toEqual(a);
    expect(await lossesFor(5)).not.toEqual(a);
  });

  it('stops between steps on an AbortSignal, or when the consumer breaks', async () => {
    const controller = new AbortController();
    const run = train('medgan', matrix, { ...quick, epochs: 50, signal: controller.signal });
    let steps = 0;
    let result = await run.next();
    while (!result.done) {
      if (result.value.kind === 'step' && result.value.phase === 'gan' && ++steps === 2) controller.abort();
      result = await run.next();
    }
    expect(result.value).toMatchObject({ stopped: true, ganSteps: 2, autoencoderEpochs: 2 });
    run.model.dispose();

    const broken = train('seed', matrix, { ...quick, epochs: 50 });
    for await (const log of broken) if (log.step === 1) break;
    broken.model.dispose();
    expect(tf.memory().numTensors).toBe(0);
  });

  it('continues training a model it is given, and refuses one built for another vocabulary', async () => {
    const model = createModel('medgan', { vocabularySize: 10, ...TINY_MODEL });
    const first = train(model, matrix, { ...quick, pretrainEpochs: 0, epochs: 1 });
    for await (const log of first) void log;
    const second = train(model, matrix, { ...quick, pretrainEpochs: 0, epochs: 1 });
    expect(second.model).toBe(model);
    for await (const log of second) void log;
    expect(() => train(model, pairedCodesMatrix(20, 12), quick)).toThrow(/built for 10 codes but the matrix has 12/);
    model.dispose();
  });

  it('fails fast with a clear error when a loss turns NaN', async () => {
    const model = createModel('medgan', { vocabularySize: 10, ...TINY_MODEL });
    const kernel = model.params.get('discriminator/output/kernel');
    tf.tidy(() => kernel.assign(tf.fill(kernel.shape, NaN)));
    const run = train(model, matrix, { ...quick, pretrainEpochs: 0 });
    const consume = async () => {
      for await (const log of run) void log;
    };
    await expect(consume()).rejects.toThrow(FedsynthError);
    await expect(consume()).resolves.toBeUndefined(); // the generator is finished after throwing
    model.dispose();
    const again = createModel('medgan', { vocabularySize: 10, ...TINY_MODEL });
    tf.tidy(() => again.params.get('discriminator/output/kernel').assign(tf.fill([8, 1], NaN)));
    await expect(async () => {
      for await (const log of train(again, matrix, { ...quick, pretrainEpochs: 0 })) void log;
    }).rejects.toThrow(/gan epoch 1, step 1: the discriminator loss is NaN; training diverged/);
    again.dispose();
  });

  it('ends each phase after maxBatches batches of real records, mid-epoch (a round of local steps)', async () => {
    // 120 records, no validation, batches of 16: the autoencoder takes 8 batches an epoch, the
    // GAN 7 full ones (tiny medGAN: 2 D updates per G step, so G steps after batches 2, 4, 6, 7).
    const logs: TrainLog[] = [];
    const run = train('medgan', matrix, { ...quick, epochs: 5, pretrainEpochs: 5, validationFraction: 0, maxBatches: 11 });
    let next = await run.next();
    for (; !next.done; next = await run.next()) logs.push(next.value);
    const summary = next.value;
    // Autoencoder: epoch 1 (8 batches) and 3 batches of epoch 2. GAN: epoch 1 (7 batches, 4 G
    // steps) and 4 batches of epoch 2 (2 G steps).
    expect(summary).toMatchObject({ autoencoderSteps: 11, autoencoderEpochs: 2, ganSteps: 6, ganEpochs: 2, stopped: false });
    const epochs = logs.filter((l) => l.kind === 'epoch');
    expect(epochs.map((l) => `${l.phase} ${l.epoch}/${l.epochs} step ${l.step}`)).toEqual([
      'autoencoder 1/2 step 8',
      'autoencoder 2/2 step 11',
      'gan 1/2 step 4',
      'gan 2/2 step 6',
    ]);
    run.model.dispose();
    // A limit beyond the epochs changes nothing: the epochs end the phase first.
    const whole = train('medgan', matrix, { ...quick, epochs: 1, pretrainEpochs: 1, validationFraction: 0, maxBatches: 1000 });
    let end = await whole.next();
    while (!end.done) end = await whole.next();
    expect(end.value).toMatchObject({ autoencoderSteps: 8, autoencoderEpochs: 1, ganSteps: 4, ganEpochs: 1 });
    whole.model.dispose();
    expect(tf.memory().numTensors).toBe(0);
  });

  it('refuses bad options up front', () => {
    expect(() => train('medgan', matrix, { epochs: -1 })).toThrow(/epochs must be a whole number/);
    expect(() => train('medgan', matrix, { epochs: 1, maxBatches: 0 })).toThrow(/maxBatches must be a whole number ≥ 1/);
    expect(() => train('medgan', matrix, { epochs: 1, maxBatches: 2.5 })).toThrow(/maxBatches/);
    expect(() => train('medgan', matrix, { epochs: 1, batchSize: 0 })).toThrow(/batchSize/);
    expect(() => train('medgan', matrix, { epochs: 1, validationFraction: 1 })).toThrow(/validationFraction/);
    expect(tf.memory().numTensors).toBe(0);
  });
});
