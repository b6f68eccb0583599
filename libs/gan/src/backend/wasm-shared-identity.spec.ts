import * as tf from '@tensorflow/tfjs';
import { activateWasmBackend } from './load-wasm-backend';
import { installWasmSharedIdentity, isWasmSharedIdentityInstalled, uninstallWasmSharedIdentity } from './wasm-shared-identity';

beforeAll(async () => {
  await activateWasmBackend();
  installWasmSharedIdentity();
});

describe('shared wasm Identity', () => {
  it('clones without copying: the clone shares the buffer and outlives the original', () => {
    const buffersBefore = tf.memory().numDataBuffers;
    const x = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const y = tf.clone(x);
    expect(tf.memory().numDataBuffers).toBe(buffersBefore + 1);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, 2, 3, 4]);
    y.dispose();
    expect(tf.memory().numDataBuffers).toBe(buffersBefore);
  });

  it('keeps gradients right where the tape saves tensors (matMul, relu, sigmoid)', () => {
    const grads = (backend: 'cpu' | 'wasm') =>
      tf.tidy(() => {
        const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.sigmoid(tf.relu(tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D))));
        const a = tf.tensor2d([0.5, -1, 2, 0.25, 1.5, -0.75], [2, 3]);
        const b = tf.tensor2d([1, -2, 0.5, 0.3, -0.2, 0.9], [3, 2]);
        return tf.grads(f)([a, b]).map((g) => Array.from(g.dataSync()));
      });
    const onWasm = grads('wasm');
    return tf.setBackend('cpu').then(async () => {
      const onCpu = grads('cpu');
      await tf.setBackend('wasm');
      onWasm.forEach((g, i) => g.forEach((v, j) => expect(v).toBeCloseTo(onCpu[i][j], 6)));
    });
  });

  it('is idempotent and can be undone', () => {
    const patched = tf.getKernel('Identity', 'wasm');
    installWasmSharedIdentity();
    expect(tf.getKernel('Identity', 'wasm')).toBe(patched);
    uninstallWasmSharedIdentity();
    expect(isWasmSharedIdentityInstalled()).toBe(false);
    const buffersBefore = tf.memory().numDataBuffers;
    const x = tf.tensor1d([1, 2]);
    const y = tf.clone(x);
    expect(tf.memory().numDataBuffers).toBe(buffersBefore + 2);
    tf.dispose([x, y]);
    installWasmSharedIdentity();
    expect(isWasmSharedIdentityInstalled()).toBe(true);
  });
});
