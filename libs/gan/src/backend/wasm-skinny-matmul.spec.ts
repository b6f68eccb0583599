import * as tf from '@tensorflow/tfjs';
import { activateWasmBackend } from './load-wasm-backend';
import { values } from './test-values';
import { installWasmMatMulFix } from './wasm-matmul-fix';
import { axpyMatMul, skinnyShape } from './wasm-skinny-matmul';

describe('skinnyShape', () => {
  it('takes products with at most 4 rows and at least 8 columns, batch dimensions all 1', () => {
    expect(skinnyShape([2, 1071], [1071, 256])).toEqual([2, 1071, 256]);
    expect(skinnyShape([1, 4, 3], [1, 3, 8])).toEqual([4, 3, 8]);
    expect(skinnyShape([5, 1071], [1071, 256])).toBeNull();
    expect(skinnyShape([2, 1071], [1071, 7])).toBeNull();
    expect(skinnyShape([2, 2, 3], [2, 3, 8])).toBeNull();
    expect(skinnyShape([2, 3], [4, 8])).toBeNull();
  });
});

describe('axpyMatMul (JS loop alone)', () => {
  it('multiplies row by row', () => {
    const out = new Float32Array(4);
    // [1 2] · [[1 2] [3 4]] = [7 10]; [3 4] · … = [15 22]
    axpyMatMul(Float32Array.of(1, 2, 3, 4), Float32Array.of(1, 2, 3, 4), out, 2, 2, 2);
    expect(Array.from(out)).toEqual([7, 10, 15, 22]);
  });
});

describe('skinny products on wasm', () => {
  beforeAll(async () => {
    await activateWasmBackend();
    installWasmMatMulFix();
  });

  // [a shape, b shape, transposeA, transposeB]
  const cases: Array<[number[], number[], boolean, boolean]> = [
    [[2, 1071], [1071, 256], false, false],
    [[1, 256], [1071, 256], false, true],
    [[9, 2], [9, 16], true, false],
    [[4, 5], [5, 11], false, false],
    [[1, 3, 6], [1, 6, 10], false, false],
  ];

  it.each(cases)('match cpu: a %j, b %j, transposeA %s, transposeB %s', async (aShape, bShape, ta, tb) => {
    const a = values(aShape.reduce((p, d) => p * d, 1), 3);
    const b = values(bShape.reduce((p, d) => p * d, 1), 5);
    const run = async (backend: 'cpu' | 'wasm') => {
      await tf.setBackend(backend);
      return tf.tidy(() => {
        const product = tf.matMul(tf.tensor(a, aShape), tf.tensor(b, bShape), ta, tb);
        return { shape: product.shape, values: product.dataSync() };
      });
    };
    const expected = await run('cpu');
    const actual = await run('wasm');
    expect(actual.shape).toEqual(expected.shape);
    let worst = 0;
    let scale = 0;
    expected.values.forEach((v, i) => {
      worst = Math.max(worst, Math.abs(actual.values[i] - v));
      scale = Math.max(scale, Math.abs(v));
    });
    expect(worst).toBeLessThanOrEqual(1e-5 * scale);
  });
});
