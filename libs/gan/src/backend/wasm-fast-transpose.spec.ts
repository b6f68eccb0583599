import * as tf from '@tensorflow/tfjs';
import { activateWasmBackend } from './load-wasm-backend';
import { values } from './test-values';
import { installWasmFastTranspose, isWasmFastTransposeInstalled, swapsLastTwoAxes, transposeMatrices, uninstallWasmFastTranspose } from './wasm-fast-transpose';

beforeAll(async () => {
  await activateWasmBackend();
});

afterAll(() => installWasmFastTranspose());

describe('swapsLastTwoAxes', () => {
  it('accepts only a swap of the last two axes', () => {
    expect(swapsLastTwoAxes([1, 0])).toBe(true);
    expect(swapsLastTwoAxes([0, 1, 3, 2])).toBe(true);
    expect(swapsLastTwoAxes([0, 1])).toBe(false);
    expect(swapsLastTwoAxes([1, 0, 2])).toBe(false);
    expect(swapsLastTwoAxes([2, 1, 0])).toBe(false);
    expect(swapsLastTwoAxes([0])).toBe(false);
  });
});

describe('transposeMatrices (JS loop alone)', () => {
  it('transposes each matrix of a batch', () => {
    // Two 2 × 3 matrices.
    const x = Uint32Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
    const out = new Uint32Array(12);
    transposeMatrices(x, out, 2, 2, 3);
    expect(Array.from(out)).toEqual([1, 4, 2, 5, 3, 6, 7, 10, 8, 11, 9, 12]);
  });
});

describe('patched wasm Transpose', () => {
  // Shapes with and without whole 4 × 4 blocks, edges on either side, batches, one row.
  const shapes = [[4, 4], [3, 5], [8, 12], [9, 7], [512, 1071], [1071, 256], [2, 1071], [1, 8], [2, 3, 5], [2, 64, 37]];

  it.each(shapes)('equals the stock kernel bit for bit for shape %j', (...shape: number[]) => {
    const perm = shape.map((_, i) => i);
    [perm[shape.length - 2], perm[shape.length - 1]] = [perm[shape.length - 1], perm[shape.length - 2]];
    const data = values(shape.reduce((p, d) => p * d, 1), shape.length * 7 + shape[0]);
    uninstallWasmFastTranspose();
    const expected = tf.tidy(() => tf.transpose(tf.tensor(data, shape), perm).dataSync());
    installWasmFastTranspose();
    const actual = tf.tidy(() => {
      const t = tf.transpose(tf.tensor(data, shape), perm);
      expect(t.shape).toEqual(perm.map((axis) => shape[axis]));
      return t.dataSync();
    });
    expect(actual).toEqual(expected);
  });

  it('moves int32 values unchanged and leaves other permutations to the stock kernel', () => {
    installWasmFastTranspose();
    expect(Array.from(tf.tidy(() => tf.transpose(tf.tensor2d([1, 2, 3, -4, 5, 2 ** 30], [2, 3], 'int32')).dataSync()))).toEqual([1, -4, 2, 5, 3, 2 ** 30]);
    const x = values(24, 3);
    const viaCpuOrder = tf.tidy(() => tf.transpose(tf.tensor3d(x, [2, 3, 4]), [2, 0, 1]).dataSync());
    // [2, 0, 1]: element (i, j, k) moves to (k, i, j).
    expect(viaCpuOrder[0 * 6 + 1 * 3 + 2]).toBe(x[1 * 12 + 2 * 4 + 0]);
  });

  it('is idempotent, can be undone, and frees what it allocates', () => {
    installWasmFastTranspose();
    const patched = tf.getKernel('Transpose', 'wasm');
    installWasmFastTranspose();
    expect(tf.getKernel('Transpose', 'wasm')).toBe(patched);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      tf.transpose(tf.ones([40, 30]));
    });
    expect(tf.memory().numTensors).toBe(before);
    uninstallWasmFastTranspose();
    expect(isWasmFastTransposeInstalled()).toBe(false);
    installWasmFastTranspose();
    expect(isWasmFastTransposeInstalled()).toBe(true);
  });
});
