import { getKernel, Identity, registerKernel, unregisterKernel, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';

/*
 * While a gradient tape records, TensorFlow.js keeps every tensor a backward pass needs
 * (matMul operands, activations' outputs) by cloning it, and a clone runs the Identity
 * kernel. The wasm Identity copies the whole buffer, so every training step copied each
 * layer's inputs and weights again (~4% of a medGAN step). Tensors are immutable, so the
 * clone can share the buffer and count one more reference instead, which is what the cpu
 * backend's Identity and the wasm backend's own Reshape already do.
 */

const STOCK_KERNEL = Symbol.for('fedsynth.wasmSharedIdentity.stockKernel');

interface PatchedKernelConfig extends KernelConfig {
  [STOCK_KERNEL]: KernelConfig;
}

interface RefCountingBackend {
  incRef(dataId: object): void;
}

function isPatched(config: KernelConfig | undefined): config is PatchedKernelConfig {
  return config !== undefined && STOCK_KERNEL in config;
}

function sharedIdentity(stock: KernelConfig): KernelFunc {
  return (args) => {
    const x = args.inputs['x'];
    // Strings live outside the heap; the stock kernel handles them.
    if (!x || x.dtype === 'string') return stock.kernelFunc(args);
    (args.backend as unknown as RefCountingBackend).incRef(x.dataId);
    return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype } satisfies TensorInfo;
  };
}

/** Replaces the wasm Identity kernel by one that shares the input's buffer. Idempotent. */
export function installWasmSharedIdentity(): void {
  const current = getKernel(Identity, 'wasm');
  if (!current) throw new Error(`wasm kernel '${Identity}' is not registered: import '@tensorflow/tfjs-backend-wasm' first`);
  if (isPatched(current)) return;
  unregisterKernel(Identity, 'wasm');
  const patched: PatchedKernelConfig = { kernelName: Identity, backendName: 'wasm', kernelFunc: sharedIdentity(current), [STOCK_KERNEL]: current };
  registerKernel(patched);
}

/** Restores the copying Identity kernel. */
export function uninstallWasmSharedIdentity(): void {
  const current = getKernel(Identity, 'wasm');
  if (!isPatched(current)) return;
  unregisterKernel(Identity, 'wasm');
  registerKernel(current[STOCK_KERNEL]);
}

export function isWasmSharedIdentityInstalled(): boolean {
  return isPatched(getKernel(Identity, 'wasm'));
}
