import { checkRunOptions, DEFAULT_RUN_OPTIONS } from './run-options';

describe('checkRunOptions: generatorAverage', () => {
  it('defaults to the measured decay and keeps a given one', () => {
    expect(checkRunOptions({}).generatorAverage).toEqual({ decay: 0.8 });
    expect(DEFAULT_RUN_OPTIONS.generatorAverage).toEqual({ decay: 0.8 });
    expect(checkRunOptions({ generatorAverage: { decay: 0 } }).generatorAverage).toEqual({ decay: 0 });
    expect(checkRunOptions({ generatorAverage: { decay: 0.95 } }).generatorAverage).toEqual({ decay: 0.95 });
  });

  it.each([
    [{ decay: 1 }, 'generatorAverage.decay must be a number in [0, 1) (0 turns the average off)'],
    [{ decay: -0.1 }, 'generatorAverage.decay must be a number in [0, 1)'],
    [{ decay: '0.8' }, 'generatorAverage.decay must be a number in [0, 1)'],
    [0.8, 'generatorAverage must be an object'],
  ])('refuses %p naming the option', (generatorAverage, message) => {
    expect(() => checkRunOptions({ generatorAverage })).toThrow(message);
  });
});

describe('checkRunOptions: train.localSteps', () => {
  it('is absent by default (whole local epochs) and kept when given', () => {
    expect(checkRunOptions({}).train.localSteps).toBeUndefined();
    expect(checkRunOptions({ train: { localSteps: 72 } }).train).toEqual({ ...DEFAULT_RUN_OPTIONS.train, localSteps: 72 });
  });

  it.each([0, -3, 2.5, '72', 2 ** 32])('refuses localSteps %p naming the option', (localSteps) => {
    expect(() => checkRunOptions({ train: { localSteps } })).toThrow('train.localSteps must be an integer ≥ 1 (minibatches per round), or absent for whole epochs');
  });
});
