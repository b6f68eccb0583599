import { encodeModelSpec } from './model-spec';
import { checkRunOptions } from './run-options';

describe('checkRunOptions: dp', () => {
  it('is absent by default, and kept with minibatch averaging turned off (so the model spec tells the sites)', () => {
    expect(checkRunOptions({})).not.toHaveProperty('dp');
    const options = checkRunOptions({ dp: { noiseMultiplier: 1.1, clipNorm: 0.5 }, model: { latentDim: 8 } });
    expect(options.dp).toEqual({ noiseMultiplier: 1.1, clipNorm: 0.5 });
    expect(options.model).toEqual({ latentDim: 8, minibatchAveraging: false });
    expect(encodeModelSpec(options.model)['model.minibatchAveraging']).toBe(0);
    // Stored options are checked again when a run is resumed: the same result.
    expect(checkRunOptions(JSON.parse(JSON.stringify(options)))).toMatchObject({ dp: options.dp, model: options.model });
  });

  it.each([
    [{ noiseMultiplier: 0, clipNorm: 1 }, 'dp.noiseMultiplier must be a finite number > 0, got 0'],
    [{ noiseMultiplier: -1, clipNorm: 1 }, 'dp.noiseMultiplier must be a finite number > 0, got -1'],
    [{ noiseMultiplier: '1', clipNorm: 1 }, 'dp.noiseMultiplier must be a finite number > 0, got "1"'],
    [{ clipNorm: 1 }, 'dp.noiseMultiplier must be a finite number > 0, got nothing'],
    [{ noiseMultiplier: 1, clipNorm: Number.NaN }, 'dp.clipNorm must be a finite number > 0, got null'],
    [{ noiseMultiplier: 1, clipNorm: -2 }, 'dp.clipNorm must be a finite number > 0, got -2'],
    [{ noiseMultiplier: 1, clipNorm: 1, sampleRate: 0.1 }, 'dp has unknown field sampleRate (allowed: noiseMultiplier, clipNorm)'],
    [true, 'dp must be an object { noiseMultiplier, clipNorm }'],
  ])('refuses dp %p naming the field', (dp, message) => {
    expect(() => checkRunOptions({ dp })).toThrow(message);
  });

  it('keeps marginal matching: a noisy release in a dp run, the exact prevalences without dp', () => {
    expect(checkRunOptions({ dp: { noiseMultiplier: 1.1, clipNorm: 0.5 }, marginals: { weight: 1, noiseMultiplier: 4 } }).marginals).toEqual({ weight: 1, noiseMultiplier: 4 });
    expect(checkRunOptions({ marginals: { weight: 0.5 } }).marginals).toEqual({ weight: 0.5 });
    expect(checkRunOptions({ marginals: { weight: 0.5, target: 'site' } }).marginals).toEqual({ weight: 0.5 });
    expect(checkRunOptions({ marginals: { weight: 0.5, target: 'pooled' } }).marginals).toEqual({ weight: 0.5, target: 'pooled' });
    expect(checkRunOptions({ marginals: { weight: 0.5, target: 'pooled', correctBatchMeans: false } }).marginals).toEqual({ weight: 0.5, target: 'pooled' });
    expect(checkRunOptions({ marginals: { weight: 0.5, target: 'pooled', correctBatchMeans: true } }).marginals).toEqual({ weight: 0.5, target: 'pooled', correctBatchMeans: true });
    expect(checkRunOptions({})).not.toHaveProperty('marginals');
  });

  it.each([
    [{ marginals: 1 }, 'marginals must be an object { weight, noiseMultiplier?, target?, correctBatchMeans? }'],
    [{ model: { minibatchAveraging: false }, marginals: { weight: 1, target: 'pooled', correctBatchMeans: true } }, "marginals.correctBatchMeans needs modelFamily 'medgan' with minibatch averaging"],
    [{ modelFamily: 'wgan-gp', marginals: { weight: 1, target: 'pooled', correctBatchMeans: true } }, "marginals.correctBatchMeans needs modelFamily 'medgan' with minibatch averaging"],
    [{ marginals: { weight: 1, target: 'site', correctBatchMeans: true } }, "marginals.correctBatchMeans needs marginals.target 'pooled' (the means are centred on the pooled prevalences)"],
    [{ marginals: { weight: 1, target: 'pooled', correctBatchMeans: 1 } }, 'marginals.correctBatchMeans must be true or false, got 1'],
    [{ marginals: { weight: 1, correctScores: true } }, 'marginals has unknown field correctScores (allowed: weight, noiseMultiplier, target, correctBatchMeans)'],
    [{ marginals: { weight: 0 } }, 'marginals.weight must be a finite number > 0, got 0'],
    [{ marginals: { weight: 1, noiseMultiplier: 4 } }, 'marginals.noiseMultiplier is for dp runs; without dp the sites use their exact prevalences'],
    [{ dp: { noiseMultiplier: 1, clipNorm: 1 }, marginals: { weight: 1 } }, 'marginals.noiseMultiplier must be a finite number > 0 in a dp run (the sites release their prevalences with that noise), got nothing'],
    [{ marginals: { weight: 1, maxCodes: 3 } }, 'marginals has unknown field maxCodes (allowed: weight, noiseMultiplier, target, correctBatchMeans)'],
    [{ marginals: { weight: 1, target: 'hospital' } }, 'marginals.target must be one of site, pooled, got "hospital"'],
    [{ dp: { noiseMultiplier: 1, clipNorm: 1 }, marginals: { weight: 1, noiseMultiplier: 4, target: 'pooled' } }, "marginals.target 'pooled' needs every site's exact code counts, which a dp run never collects"],
  ])('refuses marginals %p naming the field', (given, message) => {
    expect(() => checkRunOptions(given)).toThrow(message);
  });

  it('refuses a FedAvg server step with secure aggregation (which hands back the plain mean)', () => {
    expect(() => checkRunOptions({ strategy: { name: 'fedavg', serverMomentum: 0.5 }, secureAggregation: { enabled: true } })).toThrow(
      'secureAggregation takes the plain FedAvg mean: leave strategy.serverLearningRate and strategy.serverMomentum unset',
    );
    expect(checkRunOptions({ strategy: { name: 'fedavg', serverMomentum: 0.5 } }).strategy).toEqual({ name: 'fedavg', serverMomentum: 0.5 });
  });

  it('refuses what DP-SGD cannot make private: the seed family, and minibatch averaging', () => {
    expect(() => checkRunOptions({ modelFamily: 'seed', dp: { noiseMultiplier: 1, clipNorm: 1 } })).toThrow('dp needs the medgan or wgan-gp family');
    expect(() => checkRunOptions({ model: { minibatchAveraging: true }, dp: { noiseMultiplier: 1, clipNorm: 1 } })).toThrow(
      'dp cannot be combined with model.minibatchAveraging',
    );
  });
});
