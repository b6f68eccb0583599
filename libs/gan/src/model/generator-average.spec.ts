import * as tf from '@tensorflow/tfjs';
import { createModel } from './create-model';
import { GeneratorAverage } from './generator-average';
import { TINY_MODEL } from './test-fixtures';

describe('GeneratorAverage', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  const build = () => createModel('medgan', { vocabularySize: 6, ...TINY_MODEL, initSeed: 2 });
  const first = (model: ReturnType<typeof build>) => model.stepParameters.generator[0].variable;
  const setAll = (model: ReturnType<typeof build>, value: number) =>
    model.stepParameters.generator.forEach((p) => p.variable.assign(tf.fill(p.variable.shape, value)));

  it('averages the generator with a warmed-up decay, samples from the average, then restores the trained weights', async () => {
    const model = build();
    const average = new GeneratorAverage(model, 0.9);
    // t = 0 copies; t = 1 uses min(0.9, 2/11); t = 2 uses min(0.9, 3/12).
    setAll(model, 1);
    average.update();
    setAll(model, 2);
    average.update();
    setAll(model, 4);
    average.update();
    const d1 = 2 / 11;
    const d2 = 3 / 12;
    const expected = (1 * d1 + 2 * (1 - d1)) * d2 + 4 * (1 - d2);
    const seen = await average.withAverage(() => first(model).dataSync()[0]);
    expect(seen).toBeCloseTo(expected, 5);
    expect(first(model).dataSync()[0]).toBe(4); // restored
    // Weights outside the generator are untouched by the average.
    const discriminator = model.stepParameters.discriminator[0].variable.dataSync()[0];
    average.commit();
    expect(first(model).dataSync()[0]).toBeCloseTo(expected, 5);
    expect(model.stepParameters.discriminator[0].variable.dataSync()[0]).toBe(discriminator);
    average.dispose();
    model.dispose();
  });

  it('leaks no tensors per update or per withAverage call', async () => {
    const model = build();
    const average = new GeneratorAverage(model);
    average.update();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) average.update();
    await average.withAverage(() => undefined);
    expect(tf.memory().numTensors).toBe(before);
    average.dispose();
    model.dispose();
  });

  it('refuses a decay outside [0, 1)', () => {
    const model = build();
    expect(() => new GeneratorAverage(model, 1)).toThrow('decay must be in [0, 1)');
    model.dispose();
  });
});
