import * as tf from '@tensorflow/tfjs';
import { createModel } from '../../model/create-model';
import { getWeights } from '../../model/named-weights';
import { pairedCodesMatrix, TINY_MODEL } from '../../model/test-fixtures';
import { train } from '../../model/train';
import type { TrainLog } from '../../model/train-log';
import type { TrainOptions } from '../../model/train-options';
import { computeEpsilon } from '../rdp-accountant';

async function drain(run: ReturnType<typeof train>): Promise<{ logs: TrainLog[]; summary: Awaited<ReturnType<typeof run.next>>['value'] }> {
  const logs: TrainLog[] = [];
  let result = await run.next();
  while (!result.done) {
    logs.push(result.value);
    result = await run.next();
  }
  return { logs, summary: result.value };
}

describe('train() under DP-SGD', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  const matrix = pairedCodesMatrix(80, 10);
  const dp = { clipNorm: 1, noiseMultiplier: 1.1, sampleRate: 0.25, insecureSeed: 4 };
  const quick: TrainOptions = { epochs: 2, pretrainEpochs: 1, model: TINY_MODEL, dp };

  it.each(['medgan', 'wgan-gp'] as const)('%s: counts DP steps and reports the ε spent in epoch logs and the summary', async (family) => {
    const run = train(family, matrix, quick);
    const { logs, summary } = await drain(run);
    // q = 0.25 → ⌈1/q⌉ = 4 Poisson batches per epoch, for the autoencoder and the discriminator.
    const epochs = logs.filter((l) => l.kind === 'epoch');
    expect(epochs.map((l) => `${l.phase} ${l.epoch} ${l.privacy?.steps.autoencoder}/${l.privacy?.steps.discriminator}`)).toEqual([
      'autoencoder 1 4/0',
      'gan 1 4/4',
      'gan 2 4/8',
    ]);
    for (const l of logs.filter((l) => l.kind === 'step')) expect(l.privacy).toBeUndefined();
    const expected = computeEpsilon(
      [
        { sampleRate: 0.25, noiseMultiplier: 1.1, steps: 4 },
        { sampleRate: 0.25, noiseMultiplier: 1.1, steps: 8 },
      ],
      { delta: 1e-5 },
    ).epsilon;
    expect(summary.privacy).toMatchObject({ clipNorm: 1, noiseMultiplier: 1.1, sampleRate: 0.25, delta: 1e-5, secureRandomness: false, steps: { autoencoder: 4, discriminator: 8 } });
    expect(summary.privacy!.epsilon).toBeCloseTo(expected, 10);
    const eps = epochs.map((l) => l.privacy!.epsilon);
    expect(eps[0]).toBeLessThan(eps[1]);
    expect(eps[1]).toBeLessThan(eps[2]);
    // A GAN step is discriminatorSteps DP updates and one generator update.
    const dSteps = run.model.options.discriminatorSteps;
    expect(epochs[1].stepsPerEpoch).toBe(Math.ceil(4 / dSteps));
    // All records train (no validation split by default under dp), so no validation loss.
    expect(epochs[0].phase === 'autoencoder' && epochs[0].losses.valAe).toBeUndefined();
    // medgan turns minibatch averaging off under dp.
    expect(run.model.params.has('discriminator/dense1/mean_kernel')).toBe(false);
    run.model.dispose();
  });

  it('leaks no tensor from one DP step to the next', async () => {
    const run = train('wgan-gp', matrix, { ...quick, epochs: 3, pretrainEpochs: 1, model: { ...TINY_MODEL, discriminatorSteps: 1 } });
    const counts: number[] = [];
    for await (const log of run) if (log.kind === 'step' && log.phase === 'gan') counts.push(tf.memory().numTensors);
    // The first step creates the optimizers' moment variables; after it the count is flat.
    expect(counts.length).toBe(12);
    expect(new Set(counts.slice(1)).size).toBe(1);
    run.model.dispose();
    expect(tf.memory().numTensors).toBe(0);
  });

  it('draws from node:crypto unless given an insecure seed, which reproduces the run', async () => {
    const weightsOf = async (options: TrainOptions) => {
      const run = train('medgan', matrix, options);
      const { summary } = await drain(run);
      const w = getWeights(run.model).find((x) => x.name === 'discriminator/dense1/kernel')!.values;
      run.model.dispose();
      return { w, secure: summary.privacy!.secureRandomness };
    };
    const a = await weightsOf(quick);
    const b = await weightsOf(quick);
    expect(Array.from(a.w)).toEqual(Array.from(b.w));
    const secure = await weightsOf({ ...quick, dp: { clipNorm: 1, noiseMultiplier: 1.1, sampleRate: 0.25 } });
    expect(secure.secure).toBe(true);
    expect(Array.from(secure.w)).not.toEqual(Array.from(a.w));
  });

  it('adds earlier rounds’ steps (priorSegments) to the ε it reports', async () => {
    const prior = [{ sampleRate: 0.25, noiseMultiplier: 1.1, steps: 40 }];
    const run = train('medgan', matrix, { ...quick, epochs: 1, pretrainEpochs: 0, dp: { ...dp, priorSegments: prior } });
    const { summary } = await drain(run);
    run.model.dispose();
    expect(summary.privacy!.segments).toEqual([{ sampleRate: 0.25, noiseMultiplier: 1.1, steps: 4 }]);
    expect(summary.privacy!.epsilon).toBeCloseTo(computeEpsilon([...prior, { sampleRate: 0.25, noiseMultiplier: 1.1, steps: 4 }], { delta: 1e-5 }).epsilon, 10);
  });

  it('under maxBatches takes (and charges) exactly that many DP-SGD steps per phase', async () => {
    // q = 0.25: 4 Poisson batches an epoch; 6 batches run into a second epoch.
    const run = train('medgan', matrix, { ...quick, epochs: 9, pretrainEpochs: 9, maxBatches: 6 });
    const { summary } = await drain(run);
    run.model.dispose();
    expect(summary.privacy!.steps).toEqual({ autoencoder: 6, discriminator: 6 });
    expect(summary).toMatchObject({ autoencoderSteps: 6, autoencoderEpochs: 2, ganEpochs: 2 });
  });

  it('σ = 0 clips without noise and reports ε = ∞', async () => {
    const run = train('wgan-gp', matrix, { ...quick, epochs: 1, pretrainEpochs: 0, dp: { ...dp, noiseMultiplier: 0 } });
    const { summary } = await drain(run);
    run.model.dispose();
    expect(summary.privacy!.epsilon).toBe(Infinity);
  });

  describe('refuses what DP-SGD cannot make private, before building anything', () => {
    const refusals: [string, () => unknown, RegExp][] = [
      ['minibatch averaging asked for', () => train('medgan', matrix, { ...quick, model: { ...TINY_MODEL, minibatchAveraging: true } }), /cannot train a discriminator with minibatch averaging/],
      ['the seed family', () => train('seed', matrix, quick), /not seed/],
      ['a fixed batch size', () => train('medgan', matrix, { ...quick, batchSize: 16 }), /batchSize cannot be combined with dp/],
      ['a fixed autoencoder batch size', () => train('medgan', matrix, { ...quick, autoencoderBatchSize: 16 }), /autoencoderBatchSize cannot be combined with dp/],
      ['clipNorm 0', () => train('medgan', matrix, { ...quick, dp: { ...dp, clipNorm: 0 } }), /dp.clipNorm must be a finite number > 0, got 0/],
      ['a negative noise multiplier', () => train('medgan', matrix, { ...quick, dp: { ...dp, noiseMultiplier: -1 } }), /dp.noiseMultiplier must be a finite number ≥ 0, got -1/],
      ['sampleRate 0', () => train('medgan', matrix, { ...quick, dp: { ...dp, sampleRate: 0 } }), /dp.sampleRate must be a number in \(0, 1\], got 0/],
      ['sampleRate above 1', () => train('medgan', matrix, { ...quick, dp: { ...dp, sampleRate: 1.5 } }), /dp.sampleRate must be a number in \(0, 1\], got 1.5/],
      ['delta 1', () => train('medgan', matrix, { ...quick, dp: { ...dp, delta: 1 } }), /dp.delta must be a number in \(0, 1\), got 1/],
      ['a bad prior segment', () => train('medgan', matrix, { ...quick, dp: { ...dp, priorSegments: [{ sampleRate: 0.1, noiseMultiplier: 1, steps: -3 }] } }), /dp.priorSegments\[0\].steps must be an integer ≥ 0, got -3/],
    ];
    it.each(refusals)('%s', (_name, call, message) => {
      const before = tf.memory().numTensors;
      expect(call).toThrow(message);
      expect(tf.memory().numTensors).toBe(before);
    });

    it('a given model that averages minibatches', () => {
      const model = createModel('medgan', { vocabularySize: 10, ...TINY_MODEL });
      expect(model.options.family === 'medgan' && model.options.minibatchAveraging).toBe(true);
      expect(() => train(model, matrix, quick)).toThrow(/minibatch averaging/);
      model.dispose();
    });
  });

  it.each(['medgan', 'wgan-gp'] as const)('%s: batch norm lives only in the generator; the networks that see records are plain dense stacks', (family) => {
    const model = createModel(family, { vocabularySize: 10, ...TINY_MODEL, minibatchAveraging: false });
    const names = model.params.list().map((p) => p.name);
    const batchNorm = names.filter((n) => n.includes('batch_norm'));
    expect(batchNorm.length).toBeGreaterThan(0);
    expect(batchNorm.every((n) => n.startsWith('generator/'))).toBe(true);
    const stacks = model.networks.perRecordStacks!;
    for (const [network, stack] of [
      ['discriminator', stacks.discriminator],
      ['autoencoder', stacks.autoencoder!],
    ] as const) {
      const stackVariables = stack.flatMap((layer) => [layer.weights.kernel, ...(layer.weights.bias ? [layer.weights.bias] : [])]);
      expect(model.stepParameters[network].map((p) => p.variable)).toEqual(stackVariables);
      expect(model.stepParameters[network].every((p) => /\/(kernel|bias)$/.test(p.name))).toBe(true);
    }
    // The stacks compute what the networks compute.
    tf.tidy(() => {
      const x = tf.randomUniform([5, 10], 0, 1, 'float32', 1) as tf.Tensor2D;
      let h = x;
      for (const layer of stacks.discriminator) {
        const y = tf.add(tf.matMul(h, layer.weights.kernel), layer.weights.bias!) as tf.Tensor2D;
        h = layer.activation === 'relu' ? tf.relu(y) : y;
      }
      const expected = model.networks.discriminate(x).dataSync();
      h.dataSync().forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));
    });
    model.dispose();
  });
});
