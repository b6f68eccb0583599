import * as tf from '@tensorflow/tfjs';
import { activateWasmBackend } from './load-wasm-backend';
import { installWasmMatMulFix, isWasmMatMulFixInstalled, uninstallWasmMatMulFix } from './wasm-matmul-fix';

type Backend = 'wasm' | 'cpu';

/** Deterministic values in [-1, 1), so both backends see identical inputs. */
function values(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let state = seed >>> 0;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state / 2 ** 31 - 1;
  }
  return out;
}

/** Runs `f` on the named backend and returns its result as plain numbers. */
async function on(backend: Backend, f: () => tf.Tensor): Promise<Float32Array> {
  await tf.setBackend(backend);
  const result = tf.tidy(f);
  const data = (await result.data()) as Float32Array;
  result.dispose();
  return data;
}

/** ‖actual − expected‖∞ ≤ tolerance · ‖expected‖∞ (element-wise relative error is meaningless near zero). */
function expectClose(actual: Float32Array, expected: Float32Array, tolerance = 1e-4): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  expect(worst).toBeLessThanOrEqual(tolerance * Math.max(scale, 1e-6));
}

function wasmHeapBytes(): number {
  return (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.buffer.byteLength;
}

function wasmDataIds(): number {
  return tf.backend().numDataIds();
}

beforeAll(async () => {
  await activateWasmBackend();
  installWasmMatMulFix();
});

describe('installWasmMatMulFix', () => {
  it('is idempotent and can be undone', () => {
    const patched = tf.getKernel('BatchMatMul', 'wasm');
    const patchedFused = tf.getKernel('_FusedMatMul', 'wasm');
    installWasmMatMulFix();
    expect(tf.getKernel('BatchMatMul', 'wasm')).toBe(patched);
    expect(tf.getKernel('_FusedMatMul', 'wasm')).toBe(patchedFused);
    expect(isWasmMatMulFixInstalled()).toBe(true);

    uninstallWasmMatMulFix();
    expect(isWasmMatMulFixInstalled()).toBe(false);
    expect(tf.getKernel('BatchMatMul', 'wasm')?.kernelFunc).not.toBe(patched?.kernelFunc);
    uninstallWasmMatMulFix();

    installWasmMatMulFix();
    expect(isWasmMatMulFixInstalled()).toBe(true);
  });
});

describe('patched wasm matMul', () => {
  // [label, a shape, b shape, transposeA, transposeB]; shapes are as stored, before transposition.
  const cases: Array<[string, number[], number[], boolean, boolean]> = [
    ['plain', [5, 7], [7, 3], false, false],
    ['transposeA', [7, 5], [7, 3], true, false],
    ['transposeB', [5, 7], [3, 7], false, true],
    ['transposeA and transposeB', [7, 5], [3, 7], true, true],
    ['batched plain', [4, 5, 7], [4, 7, 3], false, false],
    ['batched transposeA', [4, 7, 5], [4, 7, 3], true, false],
    ['batched transposeB', [4, 5, 7], [4, 3, 7], false, true],
    ['batched transposeA and transposeB', [4, 7, 5], [4, 3, 7], true, true],
    ['broadcast batch, transposeB', [1, 5, 7], [4, 3, 7], false, true],
    ['rank 4, transposeA', [2, 3, 7, 5], [2, 3, 7, 3], true, false],
    ['a single row, transposeA', [7, 1], [7, 3], true, false],
  ];

  it.each(cases)('matches cpu: %s', async (_label, aShape, bShape, transposeA, transposeB) => {
    const a = values(aShape.reduce((p, d) => p * d, 1), 11);
    const b = values(bShape.reduce((p, d) => p * d, 1), 29);
    const product = () => tf.matMul(tf.tensor(a, aShape), tf.tensor(b, bShape), transposeA, transposeB);
    const expected = await on('cpu', product);
    const actual = await on('wasm', product);
    expectClose(actual, expected);
  });

  const flagCombinations: Array<[boolean, boolean]> = [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ];

  function fusedProduct(batch: number, transposeA: boolean, transposeB: boolean, withBias: boolean) {
    const aShape: [number, number, number] = transposeA ? [batch, 9, 6] : [batch, 6, 9];
    const bShape: [number, number, number] = transposeB ? [batch, 4, 9] : [batch, 9, 4];
    const a = values(batch * 6 * 9, 5);
    const b = values(batch * 9 * 4, 7);
    const bias = values(4, 13);
    return () =>
      tf.fused.matMul({
        a: tf.tensor3d(a, aShape),
        b: tf.tensor3d(b, bShape),
        transposeA,
        transposeB,
        bias: withBias ? tf.tensor1d(bias) : undefined,
        activation: withBias ? 'relu' : 'linear',
      });
  }

  it.each(flagCombinations)('fused matMul with bias and relu matches cpu (transposeA=%s, transposeB=%s)', async (ta, tb) => {
    // Batch 1 only: the stock wasm _FusedMatMul adds the bias to the first batch
    // entry alone, with or without this fix, so batched bias cannot match cpu.
    const product = fusedProduct(1, ta, tb, true);
    expectClose(await on('wasm', product), await on('cpu', product));
  });

  it.each(flagCombinations)('batched fused matMul matches cpu (transposeA=%s, transposeB=%s)', async (ta, tb) => {
    const product = fusedProduct(3, ta, tb, false);
    expectClose(await on('wasm', product), await on('cpu', product));
  });
});

describe('gradients through the patched kernels', () => {
  const x = values(8 * 6, 3);
  const w1 = values(6 * 10, 17);
  const w2 = values(10 * 4, 23);

  /** loss = sum(relu(x·W1)·W2), differentiated with respect to x, W1 and W2. */
  async function manualGrads(backend: Backend): Promise<Float32Array[]> {
    await tf.setBackend(backend);
    const grads = tf.tidy(() => {
      const loss = (xs: tf.Tensor, a: tf.Tensor, b: tf.Tensor) =>
        tf.matMul(tf.relu(tf.matMul(xs as tf.Tensor2D, a as tf.Tensor2D)), b as tf.Tensor2D).sum();
      return tf.grads(loss)([tf.tensor2d(x, [8, 6]), tf.tensor2d(w1, [6, 10]), tf.tensor2d(w2, [10, 4])]);
    });
    const out = await Promise.all(grads.map(async (g) => (await g.data()) as Float32Array));
    tf.dispose(grads);
    return out;
  }

  it('tf.grads of a two-layer network equal the cpu gradients', async () => {
    const expected = await manualGrads('cpu');
    const actual = await manualGrads('wasm');
    expected.forEach((g, i) => expectClose(actual[i], g));
  });

  /** A tf.layers model: the linear Dense layer stays fused under the tape, so _FusedMatMul runs too. */
  async function layerGrads(backend: Backend): Promise<Float32Array[]> {
    await tf.setBackend(backend);
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [6], units: 10, activation: 'relu' }),
        tf.layers.dense({ units: 4, activation: 'linear' }),
      ],
    });
    const [k1, b1, k2, b2] = model.getWeights().map((w) => w.shape);
    model.setWeights([
      tf.tensor(w1, k1),
      tf.tensor(values(10, 31), b1),
      tf.tensor(w2, k2),
      tf.tensor(values(4, 37), b2),
    ]);
    const xs = tf.tensor2d(x, [8, 6]);
    const { grads } = tf.variableGrads(() => (model.predict(xs) as tf.Tensor).square().sum() as tf.Scalar);
    // A layer variable shares its name with the tf.Variable behind it, which keys variableGrads.
    const names = model.trainableWeights.map((w) => w.name);
    const out = await Promise.all(names.map(async (name) => (await grads[name].data()) as Float32Array));
    tf.dispose(Object.values(grads));
    xs.dispose();
    model.dispose();
    return out;
  }

  it('tf.variableGrads of a tf.layers model equal the cpu gradients', async () => {
    const expected = await layerGrads('cpu');
    const actual = await layerGrads('wasm');
    expect(actual).toHaveLength(4);
    expected.forEach((g, i) => expectClose(actual[i], g));
  });
});

describe('memory', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
  });

  it('leaves no tensor behind after a tidied transposed matMul', () => {
    const a = tf.tensor2d(values(64 * 32, 1), [64, 32]);
    const b = tf.tensor2d(values(64 * 16, 2), [64, 16]);
    const tensorsBefore = tf.memory().numTensors;
    const dataBefore = wasmDataIds();
    const total = tf.tidy(() => tf.matMul(a, b, true, false).sum());
    total.dispose();
    const fused = tf.tidy(() => tf.fused.matMul({ a: b, b: a, transposeA: true, transposeB: false }).sum());
    fused.dispose();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(wasmDataIds()).toBe(dataBefore);
    tf.dispose([a, b]);
  });

  it('does not grow wasm memory over repeated transposed matMuls', () => {
    const a = tf.tensor2d(values(128 * 128, 3), [128, 128]);
    const b = tf.tensor2d(values(128 * 128, 4), [128, 128]);
    const step = () => {
      tf.tidy(() => {
        tf.matMul(a, b, true, false).dataSync();
        tf.matMul(a, b, false, true).dataSync();
        tf.matMul(b, a, true, true).dataSync();
      });
    };
    step();
    const heapBefore = wasmHeapBytes();
    const dataBefore = wasmDataIds();
    for (let i = 0; i < 50; i++) step();
    expect(wasmDataIds()).toBe(dataBefore);
    expect(wasmHeapBytes()).toBe(heapBefore);
    tf.dispose([a, b]);
  });
});
