import { getKernel, registerKernel, Transpose, unregisterKernel, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';
import { simdKernelsOf, type SimdTranspose4 } from './wasm-simd-module';

/*
 * The wasm Transpose kernel moves one value at a time with strided writes, ~10 ns per value:
 * 5 ms for a 512 × 1071 batch. Training transposes a lot, because the transposed-matMul fix
 * (wasm-matmul-fix.ts) turns every backward-pass product into transpose + product: about
 * two million values per medGAN step, ~10% of the step. This kernel swaps the last two axes
 * of float32/int32 tensors with 4 × 4 SIMD blocks (wasm-simd-module.ts) and leaves every other
 * permutation to the stock kernel. Values are moved bit for bit, so results are unchanged.
 */

const STOCK_KERNEL = Symbol.for('fedsynth.wasmFastTranspose.stockKernel');

interface PatchedKernelConfig extends KernelConfig {
  [STOCK_KERNEL]: KernelConfig;
}

interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: string): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array | Int32Array;
}

function isPatched(config: KernelConfig | undefined): config is PatchedKernelConfig {
  return config !== undefined && STOCK_KERNEL in config;
}

/** True when `perm` keeps every axis but swaps the last two. */
export function swapsLastTwoAxes(perm: readonly number[]): boolean {
  const rank = perm.length;
  if (rank < 2) return false;
  for (let i = 0; i < rank - 2; i++) if (perm[i] !== i) return false;
  return perm[rank - 2] === rank - 1 && perm[rank - 1] === rank - 2;
}

/**
 * out = xᵀ for `batch` row-major rows × cols matrices stored one after another. Both arrays
 * are 32-bit views of the same kind; `simd` (when given, with both arrays in its memory)
 * moves the 4 × 4 blocks and the JS loop the edge rows and columns.
 */
export function transposeMatrices(x: Uint32Array, out: Uint32Array, batch: number, rows: number, cols: number, simd?: SimdTranspose4): void {
  const rows4 = simd ? rows & ~3 : 0;
  const cols4 = simd ? cols & ~3 : 0;
  const size = rows * cols;
  for (let b = 0; b < batch; b++) {
    const offset = b * size;
    if (simd && rows4 > 0 && cols4 > 0) simd(x.byteOffset + offset * 4, out.byteOffset + offset * 4, rows4, cols4, cols * 4, rows * 4);
    for (let i = 0; i < rows; i++) {
      // Rows inside the SIMD blocks still need their edge columns; rows below them need all.
      const from = i < rows4 ? cols4 : 0;
      for (let j = from; j < cols; j++) out[offset + j * rows + i] = x[offset + i * cols + j];
    }
  }
}

function fastTranspose(stock: KernelConfig): KernelFunc {
  return (args) => {
    const x = args.inputs['x'];
    const perm = (args.attrs as { perm?: number[] } | undefined)?.perm;
    if (!x || !perm || (x.dtype !== 'float32' && x.dtype !== 'int32') || !swapsLastTwoAxes(perm)) return stock.kernelFunc(args);
    const rank = x.shape.length;
    const rows = x.shape[rank - 2];
    const cols = x.shape[rank - 1];
    const batch = x.shape.slice(0, rank - 2).reduce((p, d) => p * d, 1);
    const backend = args.backend as unknown as WasmHeapBackend;
    const out = backend.makeOutput(perm.map((axis) => x.shape[axis]), x.dtype);
    // Views after the allocation (growing the heap detaches earlier ones); as raw 32-bit words
    // so that no value is ever read as a float.
    const words = (info: TensorInfo) => {
      const view = backend.typedArrayFromHeap(info);
      return new Uint32Array(view.buffer, view.byteOffset, view.length);
    };
    transposeMatrices(words(x), words(out), batch, rows, cols, simdKernelsOf(backend)?.transpose4);
    return out;
  };
}

/** Replaces the wasm Transpose kernel by one that swaps the last two axes with SIMD. Idempotent. */
export function installWasmFastTranspose(): void {
  const current = getKernel(Transpose, 'wasm');
  if (!current) throw new Error(`wasm kernel '${Transpose}' is not registered: import '@tensorflow/tfjs-backend-wasm' first`);
  if (isPatched(current)) return;
  unregisterKernel(Transpose, 'wasm');
  const patched: PatchedKernelConfig = {
    kernelName: Transpose,
    backendName: 'wasm',
    kernelFunc: fastTranspose(current),
    // The stock kernelFunc relies on state its setupFunc creates on each setBackend('wasm').
    ...(current.setupFunc ? { setupFunc: current.setupFunc } : {}),
    ...(current.disposeFunc ? { disposeFunc: current.disposeFunc } : {}),
    [STOCK_KERNEL]: current,
  };
  registerKernel(patched);
}

/** Restores the stock kernel. */
export function uninstallWasmFastTranspose(): void {
  const current = getKernel(Transpose, 'wasm');
  if (!isPatched(current)) return;
  unregisterKernel(Transpose, 'wasm');
  registerKernel(current[STOCK_KERNEL]);
}

export function isWasmFastTransposeInstalled(): boolean {
  return isPatched(getKernel(Transpose, 'wasm'));
}
