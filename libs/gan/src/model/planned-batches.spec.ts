import { batchesPerEpoch, plannedBatches } from './planned-batches';

describe('batchesPerEpoch', () => {
  it('keeps the autoencoder\'s short last batch and drops the GAN\'s', () => {
    expect(batchesPerEpoch({ phase: 'autoencoder', rows: 5133, batchSize: 50 })).toBe(103);
    expect(batchesPerEpoch({ phase: 'gan', rows: 5133, batchSize: 50 })).toBe(102);
    expect(batchesPerEpoch({ phase: 'gan', rows: 11450, batchSize: 50 })).toBe(229);
  });

  it('takes one batch of everything when the data is smaller than a batch', () => {
    expect(batchesPerEpoch({ phase: 'gan', rows: 30, batchSize: 50 })).toBe(1);
    expect(batchesPerEpoch({ phase: 'autoencoder', rows: 30, batchSize: 50 })).toBe(1);
  });

  it('is ⌈1/q⌉ Poisson batches under DP, whatever the batch size', () => {
    expect(batchesPerEpoch({ phase: 'gan', rows: 5000, batchSize: 50, dpSampleRate: 0.01 })).toBe(100);
    expect(batchesPerEpoch({ phase: 'autoencoder', rows: 5000, batchSize: 7, dpSampleRate: 0.3 })).toBe(4);
  });
});

describe('plannedBatches', () => {
  it('multiplies by the epochs, stopping at maxBatches when that comes first', () => {
    expect(plannedBatches({ phase: 'autoencoder', rows: 5133, epochs: 2, batchSize: 50 })).toBe(206);
    expect(plannedBatches({ phase: 'gan', rows: 5133, epochs: 72, batchSize: 50, maxBatches: 72 })).toBe(72);
    expect(plannedBatches({ phase: 'gan', rows: 100, epochs: 3, batchSize: 50, maxBatches: 10 })).toBe(6);
    expect(plannedBatches({ phase: 'gan', rows: 5000, epochs: 2, batchSize: 50, dpSampleRate: 0.01 })).toBe(200);
  });
});
