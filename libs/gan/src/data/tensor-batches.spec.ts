import * as tf from '@tensorflow/tfjs';
import { matrixFromRows } from './binary-matrix';
import { matrixBatches } from './tensor-batches';

describe('matrixBatches', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  const m = matrixFromRows([[0], [1], [2], [0, 2], [1, 2]], 3);

  it('covers every record once per epoch, in batches of the given size', () => {
    const sums: number[] = [];
    const shapes: number[][] = [];
    for (const batch of matrixBatches(m, { batchSize: 2, seed: 3 })) {
      shapes.push(batch.shape);
      sums.push(...(batch.sum(1).arraySync() as number[]));
      batch.dispose();
    }
    expect(shapes).toEqual([[2, 3], [2, 3], [1, 3]]);
    expect(sums.sort()).toEqual([1, 1, 1, 2, 2]);
  });

  it('is seeded, can keep order and can drop a short last batch', () => {
    const first = (seed: number) => {
      const it = matrixBatches(m, { batchSize: 5, seed });
      const t = it.next().value as tf.Tensor2D;
      const v = t.arraySync();
      t.dispose();
      return v;
    };
    expect(first(1)).toEqual(first(1));
    const ordered = Array.from(matrixBatches(m, { batchSize: 2, shuffle: false, dropRemainder: true }));
    expect(ordered).toHaveLength(2);
    expect(ordered[0].arraySync()).toEqual([[1, 0, 0], [0, 1, 0]]);
    ordered.forEach((t) => t.dispose());
  });

  it('leaks no tensor when the caller disposes each batch', () => {
    const before = tf.memory().numTensors;
    for (const batch of matrixBatches(m, { batchSize: 2 })) batch.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
