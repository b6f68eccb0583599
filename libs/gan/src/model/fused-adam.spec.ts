import * as tf from '@tensorflow/tfjs';
import { activateWasmBackend } from '../backend/load-wasm-backend';
import { ADAM_UPDATE_KERNEL, registerAdamUpdateKernel } from './fused-adam-kernel';
import { FusedAdam } from './fused-adam';
import { simdKernelsOf } from '../backend/wasm-simd-module';

/** Deterministic values in [-scale, scale). */
function values(count: number, seed: number, scale = 1): Float32Array {
  const out = new Float32Array(count);
  let state = seed >>> 0;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = (state / 2 ** 31 - 1) * scale;
  }
  return out;
}

const SHAPES = [[37, 5], [5], [4, 3]];
const L2 = 0.01;
const SETTINGS = { learningRate: 0.001, beta1: 0.5, beta2: 0.999 };

function makeVariables(): tf.Variable[] {
  return tf.tidy(() => SHAPES.map((shape, i) => tf.variable(tf.tensor(values(tf.util.sizeFromShape(shape), 10 + i, 0.3), shape))));
}

/** Gradients that depend on the step and on the current weights, as real ones do. */
function gradientsFor(vars: tf.Variable[], step: number): tf.Tensor[] {
  return vars.map((v, i) => tf.add(tf.mul(tf.sin(tf.mul(v, 3 + step)), 0.5), tf.tensor(values(v.size, 100 * step + i, 1e-2), v.shape)));
}

interface Run {
  values: Float32Array[];
  moments: Float32Array[];
}

/** `steps` updates; `penalized[i]` says whether variable i gets λ·w added to its gradient. */
async function runStock(steps: number, penalized: boolean[]): Promise<Run> {
  const vars = makeVariables();
  const adam: tf.Optimizer = tf.train.adam(SETTINGS.learningRate, SETTINGS.beta1, SETTINGS.beta2);
  for (let s = 0; s < steps; s++) {
    tf.tidy(() => {
      const grads = gradientsFor(vars, s);
      const named: tf.NamedTensorMap = {};
      vars.forEach((v, i) => (named[v.name] = penalized[i] ? tf.add(grads[i], tf.mul(v, L2)) : grads[i]));
      adam.applyGradients(named);
    });
  }
  return finish(vars, adam);
}

async function runFused(steps: number, penalized: boolean[]): Promise<Run> {
  const vars = makeVariables();
  const adam = new FusedAdam(SETTINGS.learningRate, SETTINGS.beta1, SETTINGS.beta2);
  for (let s = 0; s < steps; s++) {
    tf.tidy(() => {
      const grads = gradientsFor(vars, s);
      adam.applyDecayedGradients(vars.map((variable, i) => ({ variable, gradient: grads[i], l2: penalized[i] ? L2 : 0 })));
    });
  }
  return finish(vars, adam);
}

async function finish(vars: tf.Variable[], adam: tf.Optimizer): Promise<Run> {
  const [iterations, ...moments] = await adam.getWeights();
  const run = { values: vars.map((v) => v.dataSync() as Float32Array), moments: moments.map((m) => m.tensor.dataSync() as Float32Array) };
  iterations.tensor.dispose();
  adam.dispose();
  tf.dispose(vars);
  return run;
}

/** Largest |a − b| / max(|b|, 1e-3) over all arrays. */
function worstRelativeError(actual: Float32Array[], expected: Float32Array[]): number {
  expect(actual.map((a) => a.length)).toEqual(expected.map((e) => e.length));
  let worst = 0;
  actual.forEach((a, k) => a.forEach((x, i) => (worst = Math.max(worst, Math.abs(x - expected[k][i]) / Math.max(Math.abs(expected[k][i]), 1e-3)))));
  return worst;
}

async function expectSameAsStock(steps: number, penalized: boolean[]): Promise<void> {
  const stock = await runStock(steps, penalized);
  const fused = await runFused(steps, penalized);
  // Same float32 operations in the same order: equal to the bit, not just within 1e-6.
  expect(worstRelativeError(fused.values, stock.values)).toBe(0);
  expect(worstRelativeError(fused.moments, stock.moments)).toBe(0);
  // The weights did move: the comparison is not between two untouched copies.
  const start = makeVariables();
  expect(worstRelativeError(fused.values, start.map((v) => v.dataSync() as Float32Array))).toBeGreaterThan(1e-4);
  tf.dispose(start);
}

describe.each(['cpu', 'wasm'] as const)('FusedAdam on %s', (backend) => {
  beforeAll(async () => {
    if (backend === 'wasm') await activateWasmBackend();
    else await tf.setBackend('cpu');
  });

  it('runs the fused kernel (on wasm: the SIMD module)', () => {
    expect(tf.getKernel(ADAM_UPDATE_KERNEL, backend)).toBeDefined();
    if (backend === 'wasm') {
      expect(simdKernelsOf(tf.backend())).not.toBeNull();
    }
  });

  it("matches tf.train.adam's weights and moments over several steps", async () => {
    await expectSameAsStock(6, [false, false, false]);
  });

  it('matches tf.train.adam with λ·w added to the gradients of penalised variables', async () => {
    await expectSameAsStock(6, [true, false, true]);
  });

  it('keeps its moments across steps and frees every tensor on dispose', async () => {
    const before = tf.memory().numTensors;
    await runFused(3, [true, true, false]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('FusedAdam without the fused kernel (other backends)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    tf.unregisterKernel(ADAM_UPDATE_KERNEL, 'cpu');
  });
  afterAll(() => registerAdamUpdateKernel());

  it('uses tf ops with the same results', async () => {
    expect(tf.getKernel(ADAM_UPDATE_KERNEL, 'cpu')).toBeUndefined();
    await expectSameAsStock(6, [true, false, true]);
  });
});

describe('FusedAdam state', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('reports the iteration count and per-variable moments like tf.train.adam, and restores them', async () => {
    const [a, b] = makeVariables();
    const adam = new FusedAdam(0.01, 0.9, 0.999);
    for (let s = 0; s < 2; s++) tf.tidy(() => adam.applyGradients({ [a.name]: tf.onesLike(a), [b.name]: tf.onesLike(b) }));
    const weights = await adam.getWeights();
    expect(weights.map((w) => w.name)).toEqual(['iter', `${a.name}/m`, `${b.name}/m`, `${a.name}/v`, `${b.name}/v`]);
    expect(weights[0].tensor.dataSync()[0]).toBe(2);
    // m after two unit gradients with β₁ = 0.9: 0.1, then 0.9·0.1 + 0.1 = 0.19.
    expect(weights[1].tensor.dataSync()[0]).toBeCloseTo(0.19, 6);

    const restored = new FusedAdam(0.01, 0.9, 0.999);
    await restored.setWeights(weights.map((w) => ({ name: w.name, tensor: tf.clone(w.tensor) })));
    weights[0].tensor.dispose();
    for (const opt of [adam, restored]) tf.tidy(() => opt.applyGradients({ [a.name]: tf.onesLike(a), [b.name]: tf.onesLike(b) }));
    const [x, y] = [await adam.getWeights(), await restored.getWeights()];
    expect(y.map((w) => Array.from(w.tensor.dataSync()))).toEqual(x.map((w) => Array.from(w.tensor.dataSync())));
    tf.dispose([x[0].tensor, y[0].tensor]);
    adam.dispose();
    restored.dispose();
    tf.dispose([a, b]);
  });

  it('names the variable whose gradient has the wrong shape, and refuses a negative λ', () => {
    const [a] = makeVariables();
    const adam = new FusedAdam(0.01, 0.9, 0.999);
    expect(() => tf.tidy(() => adam.applyDecayedGradients([{ variable: a, gradient: tf.zeros([5]), l2: 0 }]))).toThrow(
      `FusedAdam: gradient for '${a.name}' is float32 [5], expected float32 [37, 5]`,
    );
    expect(() => tf.tidy(() => adam.applyDecayedGradients([{ variable: a, gradient: tf.zerosLike(a), l2: -1 }]))).toThrow(/l2 for .* must be a finite number ≥ 0, got -1/);
    adam.dispose();
    a.dispose();
  });
});
