import * as tf from '@tensorflow/tfjs';
import { createModel } from './create-model';
import { getWeights, setWeights } from './named-weights';
import { TINY_MODEL } from './test-fixtures';

describe('named weights', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  const build = (initSeed: number) => createModel('medgan', { vocabularySize: 10, ...TINY_MODEL, initSeed });

  it('moves every weight from one model to another by name', () => {
    const source = build(1);
    const target = build(2);
    setWeights(target, getWeights(source));
    expect(getWeights(target)).toEqual(getWeights(source));
    // Same weights, same function (in inference mode, which uses the moving statistics).
    const noise = tf.randomNormal([3, 8], 0, 1, 'float32', 3) as tf.Tensor2D;
    const a = source.networks.generate(noise, { training: false });
    const b = target.networks.generate(noise, { training: false });
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    tf.dispose([noise, a, b]);
    source.dispose();
    target.dispose();
  });

  it('hands out copies: changing a returned array leaves the model alone', () => {
    const model = build(1);
    const before = getWeights(model)[0].values[0];
    getWeights(model)[0].values[0] = 123;
    expect(getWeights(model)[0].values[0]).toBe(before);
    model.dispose();
  });

  it('refuses a wrong shape, an unknown or missing name, bad values — naming the tensor, changing nothing', () => {
    const model = build(1);
    const weights = getWeights(model);
    const original = getWeights(model);
    const kernel = weights.findIndex((w) => w.name === 'generator/block2/dense/kernel');
    const wrongShape = weights.map((w, i) => (i === kernel ? { ...w, shape: [4, 16] } : w));
    expect(() => setWeights(model, wrongShape)).toThrow("weight 'generator/block2/dense/kernel' has shape [4, 16] but the model expects [8, 8]");
    const shortValues = weights.map((w, i) => (i === kernel ? { ...w, values: new Float32Array(3) } : w));
    expect(() => setWeights(model, shortValues)).toThrow(/'generator\/block2\/dense\/kernel' holds 3 values/);
    const nan = weights.map((w, i) => (i === kernel ? { ...w, values: new Float32Array(64).fill(NaN) } : w));
    expect(() => setWeights(model, nan)).toThrow(/'generator\/block2\/dense\/kernel' holds a non-finite value/);
    expect(() => setWeights(model, [...weights, { name: 'generator/block9/dense/kernel', shape: [1], values: new Float32Array(1) }])).toThrow(
      /'generator\/block9\/dense\/kernel' does not exist/,
    );
    expect(() => setWeights(model, weights.slice(1))).toThrow(/missing 1 weight\(s\): autoencoder\/encoder\/dense\/kernel/);
    expect(getWeights(model)).toEqual(original);
    model.dispose();
  });

  it('sets a subset when asked, and can reset the optimizers', () => {
    const model = build(1);
    const other = build(2);
    const generatorOnly = getWeights(other).filter((w) => w.name.startsWith('generator/'));
    other.dispose();
    setWeights(model, generatorOnly, { partial: true });
    const after = Object.fromEntries(getWeights(model).map((w) => [w.name, w.values]));
    for (const w of generatorOnly) expect(after[w.name]).toEqual(w.values);
    const optimizers = model.optimizers();
    setWeights(model, getWeights(model), { resetOptimizers: true });
    expect(model.optimizers()).not.toBe(optimizers);
    model.dispose();
  });
});
