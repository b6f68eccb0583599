import * as tf from '@tensorflow/tfjs';
import { createModel } from './create-model';
import { getWeights } from './named-weights';
import { recalibrateBatchNorm } from './recalibrate-batch-norm';
import { TINY_MODEL } from './test-fixtures';

describe('recalibrateBatchNorm', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  const maxDifference = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

  it('sets the moving statistics to what the weights produce on noise, so sampling matches batch statistics', () => {
    const model = createModel('medgan', { vocabularySize: 12, ...TINY_MODEL, initSeed: 3 });
    // Statistics that belong to some other generator (as after averaging weights).
    for (const p of model.params.list()) {
      if (p.name.endsWith('moving_mean')) p.variable.assign(tf.fill(p.variable.shape, 3));
      if (p.name.endsWith('moving_variance')) p.variable.assign(tf.fill(p.variable.shape, 0.05));
    }
    const trainable = getWeights(model).filter((w) => !/moving_/.test(w.name));
    const noise = tf.randomNormal([4096, model.networks.noiseDim], 0, 1, 'float32', 7) as tf.Tensor2D;
    const withBatchStatistics = model.networks.generate(noise, { training: true });
    const before = model.networks.generate(noise, { training: false });
    expect(maxDifference(before, withBatchStatistics)).toBeGreaterThan(0.1);

    recalibrateBatchNorm(model, { samples: 8192, seed: 5 });

    const after = model.networks.generate(noise, { training: false });
    // Different noise measured than applied: agreement up to sampling error of the statistics.
    expect(maxDifference(after, withBatchStatistics)).toBeLessThan(0.05);
    // Only the moving statistics changed.
    const trainableAfter = getWeights(model).filter((w) => !/moving_/.test(w.name));
    trainableAfter.forEach((w, i) => expect(Array.from(w.values)).toEqual(Array.from(trainable[i].values)));
    tf.dispose([noise, withBatchStatistics, before, after]);
    model.dispose();
  });

  it('is deterministic in its seed and refuses too few samples', () => {
    const model = createModel('medgan', { vocabularySize: 12, ...TINY_MODEL, initSeed: 3 });
    const stats = () => getWeights(model).filter((w) => /moving_/.test(w.name)).map((w) => Array.from(w.values));
    recalibrateBatchNorm(model, { samples: 256, seed: 9 });
    const first = stats();
    recalibrateBatchNorm(model, { samples: 256, seed: 9 });
    expect(stats()).toEqual(first);
    expect(() => recalibrateBatchNorm(model, { samples: 1 })).toThrow('at least 2 noise samples');
    model.dispose();
  });

  it('leaves a generator without batch norm (seed) as it was', () => {
    const model = createModel('seed', { vocabularySize: 12, initSeed: 3 });
    const before = getWeights(model).map((w) => Array.from(w.values));
    recalibrateBatchNorm(model, { samples: 64 });
    expect(getWeights(model).map((w) => Array.from(w.values))).toEqual(before);
    model.dispose();
  });
});
