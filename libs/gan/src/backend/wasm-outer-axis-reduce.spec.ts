import * as tf from '@tensorflow/tfjs';
import { activateWasmBackend } from './load-wasm-backend';
import { values } from './test-values';
import { installWasmOuterAxisReduce, isWasmOuterAxisReduceInstalled, outerAxisSplit, sumMiddleAxis, uninstallWasmOuterAxisReduce } from './wasm-outer-axis-reduce';

beforeAll(async () => {
  await activateWasmBackend();
});

afterAll(() => installWasmOuterAxisReduce());

describe('outerAxisSplit', () => {
  it('splits a contiguous block of axes that leaves the last axis alone', () => {
    expect(outerAxisSplit([512, 1071], 0)).toEqual({ outer: 1, reduced: 512, inner: 1071, outShape: [1071], keptShape: [1, 1071] });
    expect(outerAxisSplit([2, 256, 1071], [1])).toEqual({ outer: 2, reduced: 256, inner: 1071, outShape: [2, 1071], keptShape: [2, 1, 1071] });
    expect(outerAxisSplit([2, 3, 4, 5], [-3, -2])).toMatchObject({ outer: 2, reduced: 12, inner: 5, outShape: [2, 5] });
  });

  it('declines the last axis, gaps between axes, and rank 1', () => {
    expect(outerAxisSplit([4, 5], 1)).toBeNull();
    expect(outerAxisSplit([4, 5], [0, 1])).toBeNull();
    expect(outerAxisSplit([2, 3, 4, 5], [0, 2])).toBeNull();
    expect(outerAxisSplit([5], 0)).toBeNull();
  });
});

describe('sumMiddleAxis (JS loop alone)', () => {
  it('adds the rows of each outer block', () => {
    // [outer 2, reduced 2, inner 3]
    const out = new Float32Array(6);
    sumMiddleAxis(Float32Array.of(1, 2, 3, 10, 20, 30, 4, 5, 6, 40, 50, 60), out, 2, 2, 3);
    expect(Array.from(out)).toEqual([11, 22, 33, 44, 55, 66]);
  });
});

describe('patched wasm Sum and Mean', () => {
  const cases: Array<[number[], number | number[], boolean]> = [
    [[512, 1071], 0, false],
    [[512, 1071], [0], true],
    [[2, 256, 1071], 1, false],
    [[2, 256, 1071], [0, 1], false],
    [[7, 3], -2, true],
    [[5, 2, 6, 3], [1, 2], false],
    [[300, 128], 0, false],
  ];

  it.each(cases)('equals the stock kernels bit for bit: shape %j, axis %j, keepDims %s', (shape, axis, keepDims) => {
    const data = values(shape.reduce((p, d) => p * d, 1), shape[0] + shape.length);
    const run = () =>
      tf.tidy(() => {
        const x = tf.tensor(data, shape);
        return [tf.sum(x, axis, keepDims), tf.mean(x, axis, keepDims)].map((t) => ({ shape: t.shape, values: t.dataSync() }));
      });
    uninstallWasmOuterAxisReduce();
    const expected = run();
    installWasmOuterAxisReduce();
    expect(run()).toEqual(expected);
  });

  it('leaves innermost reductions and int32 sums to the stock kernels', () => {
    installWasmOuterAxisReduce();
    expect(Array.from(tf.tidy(() => tf.sum(tf.tensor2d([1, 2, 3, 4], [2, 2]), 1).dataSync()))).toEqual([3, 7]);
    const ints = tf.tidy(() => tf.sum(tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32'), 0));
    expect(ints.dtype).toBe('int32');
    expect(Array.from(ints.dataSync())).toEqual([4, 6]);
    ints.dispose();
  });

  it('is idempotent and can be undone', () => {
    installWasmOuterAxisReduce();
    const patched = tf.getKernel('Sum', 'wasm');
    installWasmOuterAxisReduce();
    expect(tf.getKernel('Sum', 'wasm')).toBe(patched);
    uninstallWasmOuterAxisReduce();
    expect(isWasmOuterAxisReduceInstalled()).toBe(false);
    installWasmOuterAxisReduce();
    expect(isWasmOuterAxisReduceInstalled()).toBe(true);
  });
});
