import { matrixFromRows, type TrainLog } from '@fedsynth/gan';
import { checkRunOptions } from '../federation/run-options';
import { armWork, buildArmModel, describeWork, trainWithoutFederation } from './experiment-arms';

describe('experiment arms', () => {
  const architecture = { latentDim: 4, generatorBlocks: 1, discriminatorDims: [8] };
  const options = checkRunOptions({ model: architecture, train: { localEpochs: 2, batchSize: 50, learningRate: 2e-3, seed: 9 } });

  it('gives every arm the epochs the federated run spreads over its rounds', () => {
    expect(armWork({ options, aeRounds: 30, ganRounds: 20 })).toEqual({ kind: 'epochs', aeEpochs: 60, ganEpochs: 40 });
    // Pooling does not change epochs: every record is seen as often as at its own site.
    expect(armWork({ options, aeRounds: 0, ganRounds: 3 }, 3)).toEqual({ kind: 'epochs', aeEpochs: 0, ganEpochs: 6 });
  });

  it('with local steps gives a site rounds × steps batches, and the pooled arm that times the sites', () => {
    const steps = checkRunOptions({ train: { localSteps: 72 } });
    expect(armWork({ options: steps, aeRounds: 120, ganRounds: 80 })).toEqual({ kind: 'batches', aeBatches: 8640, ganBatches: 5760 });
    const pooled = armWork({ options: steps, aeRounds: 120, ganRounds: 80 }, 3);
    expect(pooled).toEqual({ kind: 'batches', aeBatches: 25920, ganBatches: 17280 });
    expect(describeWork(pooled)).toBe('25920 AE + 17280 GAN batches');
  });

  it('trains a batch-limited arm on exactly its batches: each phase stops part-way through an epoch', async () => {
    // 30 records in batches of 10: 3 batches an epoch. 2 AE rounds + 1 GAN round × 2 steps × 2 pooled sites.
    const rows = Array.from({ length: 30 }, (_, r) => [r % 6, 6 + (r % 4)]);
    const matrix = matrixFromRows(rows, 10);
    const settings = { options: checkRunOptions({ model: architecture, train: { localSteps: 2, batchSize: 10, seed: 3 } }), aeRounds: 2, ganRounds: 1 };
    const epochs: TrainLog[] = [];
    const { model } = await trainWithoutFederation(matrix, settings, { sites: 2, onEpoch: (log) => epochs.push(log) });
    model.dispose();
    // AE: 8 batches = epochs of 3, 3 and 2. GAN: 4 batches = an epoch of 3 (2 D steps per G step: 2 G steps) and 1 more (1 G step).
    expect(epochs.map((l) => `${l.phase} ${l.epoch}/${l.epochs} step ${l.step}`)).toEqual([
      'autoencoder 1/3 step 3',
      'autoencoder 2/3 step 6',
      'autoencoder 3/3 step 8',
      'gan 1/2 step 2',
      'gan 2/2 step 3',
    ]);
    // No autoencoder rounds: that phase is skipped, not run with a limit of 0.
    const ganOnly: TrainLog[] = [];
    const second = await trainWithoutFederation(matrix, { ...settings, aeRounds: 0 }, { onEpoch: (log) => ganOnly.push(log) });
    second.model.dispose();
    expect(ganOnly.map((l) => `${l.phase} ${l.epoch}/${l.epochs} step ${l.step}`)).toEqual(['gan 1/1 step 1']);
  });

  it('builds the run\'s model: its architecture, seed and learning rate for both optimizers', () => {
    const model = buildArmModel(options, 12);
    try {
      expect(model.family).toBe('medgan');
      expect(model.networks.vocabularySize).toBe(12);
      expect(model.options).toMatchObject({ ...architecture, initSeed: 9, adam: { learningRate: 2e-3 }, autoencoderAdam: { learningRate: 2e-3 } });
    } finally {
      model.dispose();
    }
  });
});
