import { checkRunOptions } from '../federation/run-options';
import { armEpochs, buildArmModel } from './experiment-arms';

describe('experiment arms', () => {
  const options = checkRunOptions({ model: { latentDim: 8, generatorBlocks: 1, discriminatorDims: [16] }, train: { localEpochs: 2, batchSize: 50, learningRate: 2e-3, seed: 9 } });

  it('gives every arm the epochs the federated run spreads over its rounds', () => {
    expect(armEpochs({ options, aeRounds: 30, ganRounds: 20 })).toEqual({ aeEpochs: 60, ganEpochs: 40 });
    expect(armEpochs({ options, aeRounds: 0, ganRounds: 3 })).toEqual({ aeEpochs: 0, ganEpochs: 6 });
  });

  it('builds the run\'s model: its architecture, seed and learning rate for both optimizers', () => {
    const model = buildArmModel(options, 12);
    try {
      expect(model.family).toBe('medgan');
      expect(model.networks.vocabularySize).toBe(12);
      expect(model.options).toMatchObject({ latentDim: 8, generatorBlocks: 1, discriminatorDims: [16], initSeed: 9, adam: { learningRate: 2e-3 }, autoencoderAdam: { learningRate: 2e-3 } });
    } finally {
      model.dispose();
    }
  });
});
