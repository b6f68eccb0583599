import { localStepsProblem } from './local-steps';

const epochs = { train: { localEpochs: 1, batchSize: 50, learningRate: 2e-3, seed: 1 } };

describe('localStepsProblem', () => {
  it('accepts exactly the batches the task plans for the site\'s records', () => {
    // 5,133 records, batch 50: 103 autoencoder batches (short last one kept), 102 GAN batches.
    expect(localStepsProblem({ phase: 'autoencoder', recordCount: 5133, localSteps: 103 }, epochs)).toBeUndefined();
    expect(localStepsProblem({ phase: 'gan', recordCount: 5133, localSteps: 102 }, epochs)).toBeUndefined();
    expect(localStepsProblem({ phase: 'gan', recordCount: 5133, localSteps: 72 }, { train: { ...epochs.train, localSteps: 72 } })).toBeUndefined();
    // Under DP: q = 50 / 5,000 = 0.01, so ⌈1/q⌉ = 100 Poisson batches an epoch.
    const dp = { train: { ...epochs.train, localEpochs: 2 }, dp: { noiseMultiplier: 1, clipNorm: 1 } };
    expect(localStepsProblem({ phase: 'gan', recordCount: 5000, localSteps: 200 }, dp as never)).toBeUndefined();
  });

  it('refuses a count the task does not plan, naming both', () => {
    // A site claiming 1 step would have FedNova multiply its update by ~100.
    expect(localStepsProblem({ phase: 'gan', recordCount: 5133, localSteps: 1 }, epochs)).toBe(
      'the update reports 1 local steps, but 1 local epoch(s) of batch 50 on its 5133 records make 102 in a GAN round',
    );
    expect(localStepsProblem({ phase: 'autoencoder', recordCount: 400, localSteps: 8 }, { train: { ...epochs.train, localSteps: 6 } })).toBe(
      'the update reports 8 local steps, but 6 local steps on its 400 records make 6 in an autoencoder round',
    );
  });

  it('refuses a result without a count', () => {
    expect(localStepsProblem({ phase: 'gan', recordCount: 100 }, epochs)).toBe('the update reports no local step count (update the site agent); the task plans 2');
  });
});
