import {
  BatchMatMul,
  getKernel,
  registerKernel,
  Transpose,
  unregisterKernel,
  _FusedMatMul,
  type KernelBackend,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs';
import { trySkinnyMatMul } from './wasm-skinny-matmul';

/*
 * The wasm backend hands matMul to XNNPACK only when neither transpose flag is set;
 * with a flag it falls back to a naive loop that is 10-50x slower. Every backward
 * pass of a dense layer multiplies by a transposed operand, so training spends most
 * of its time there. Transposing the operand explicitly costs O(n²) and keeps the
 * O(n³) product on the fast path. _FusedMatMul (tf.fused.matMul, tf.layers Dense
 * when not recording gradients) has the same slow path, so it is patched the same way.
 * Plain BatchMatMul products with only a few rows, which XNNPACK runs poorly, go through a
 * SIMD loop instead (wasm-skinny-matmul.ts).
 */

const PATCHED_KERNELS = [BatchMatMul, _FusedMatMul] as const;

/**
 * Marks a patched kernel config and keeps the stock one for uninstalling. A global
 * symbol, so a second copy of this module (two bundles, jest module registries)
 * still recognises an existing patch instead of wrapping it twice.
 */
const STOCK_KERNEL = Symbol.for('fedsynth.wasmMatMulFix.stockKernel');

interface PatchedKernelConfig extends KernelConfig {
  [STOCK_KERNEL]: KernelConfig;
}

function isPatched(config: KernelConfig | undefined): config is PatchedKernelConfig {
  return config !== undefined && STOCK_KERNEL in config;
}

/** The wasm kernel registered for `kernelName`; throws if the wasm backend package was never loaded. */
function wasmKernel(kernelName: string): KernelConfig {
  const config = getKernel(kernelName, 'wasm');
  if (!config) {
    throw new Error(
      `wasm kernel '${kernelName}' is not registered: import '@tensorflow/tfjs-backend-wasm' before installing the matMul fix`,
    );
  }
  return config;
}

/** A copy of `x` with its last two axes swapped, in backend memory the caller must free. */
function transposeLastTwo(x: TensorInfo, backend: KernelBackend): TensorInfo {
  const rank = x.shape.length;
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  // Looked up per call so a later re-registration of Transpose is honoured.
  return wasmKernel(Transpose).kernelFunc({ inputs: { x }, backend, attrs: { perm } }) as TensorInfo;
}

function withExplicitTranspose(stock: KernelConfig): KernelFunc {
  // _FusedMatMul also adds a bias and applies an activation: only plain products go skinny.
  const skinny = stock.kernelName === BatchMatMul;
  return (args) => {
    const { inputs, attrs } = args;
    const transposeA = attrs?.['transposeA'] === true;
    const transposeB = attrs?.['transposeB'] === true;
    const a = inputs['a'];
    const b = inputs['b'];
    const backend = args.backend as KernelBackend;
    // Rank < 2 is an error the stock kernel already reports well.
    if (!a || !b || a.shape.length < 2 || b.shape.length < 2) return stock.kernelFunc(args);
    if (!transposeA && !transposeB) return (skinny ? trySkinnyMatMul(a, b, backend) : null) ?? stock.kernelFunc(args);
    const temporaries: TensorInfo[] = [];
    try {
      const aDirect = transposeA ? transposeLastTwo(a, backend) : a;
      if (transposeA) temporaries.push(aDirect);
      const bDirect = transposeB ? transposeLastTwo(b, backend) : b;
      if (transposeB) temporaries.push(bDirect);
      return (
        (skinny ? trySkinnyMatMul(aDirect, bDirect, backend) : null) ??
        stock.kernelFunc({
          inputs: { ...inputs, a: aDirect, b: bDirect },
          backend: args.backend,
          attrs: { ...attrs, transposeA: false, transposeB: false },
        })
      );
    } finally {
      // Kernel-internal data is invisible to the engine, so nothing else would free it.
      for (const t of temporaries) backend.disposeData(t.dataId);
    }
  };
}

function patch(stock: KernelConfig): PatchedKernelConfig {
  return {
    kernelName: stock.kernelName,
    backendName: stock.backendName,
    kernelFunc: withExplicitTranspose(stock),
    // The stock kernelFunc relies on state its setupFunc creates on each setBackend('wasm').
    setupFunc: stock.setupFunc,
    disposeFunc: stock.disposeFunc,
    [STOCK_KERNEL]: stock,
  };
}

/**
 * Re-registers the wasm BatchMatMul and _FusedMatMul kernels so that transposed
 * operands are transposed explicitly and the product stays on XNNPACK's fast path.
 * Safe to call more than once, before or after the wasm backend is initialised.
 */
export function installWasmMatMulFix(): void {
  for (const name of PATCHED_KERNELS) {
    const current = wasmKernel(name);
    if (isPatched(current)) continue;
    unregisterKernel(name, 'wasm');
    registerKernel(patch(current));
  }
}

/** Restores the stock wasm kernels; used to benchmark and test against them. */
export function uninstallWasmMatMulFix(): void {
  for (const name of PATCHED_KERNELS) {
    const current = getKernel(name, 'wasm');
    if (!isPatched(current)) continue;
    unregisterKernel(name, 'wasm');
    registerKernel(current[STOCK_KERNEL]);
  }
}

/** True when every kernel the fix covers is currently patched. */
export function isWasmMatMulFixInstalled(): boolean {
  return PATCHED_KERNELS.every((name) => isPatched(getKernel(name, 'wasm')));
}
