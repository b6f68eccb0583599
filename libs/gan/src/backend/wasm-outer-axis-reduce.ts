import { getKernel, Mean, registerKernel, Sum, unregisterKernel, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs';
import { simdKernelsOf, type SimdSumRows } from './wasm-simd-module';

/*
 * The wasm Sum and Mean kernels reduce only the innermost axes, so a reduction over rows
 * (axis 0 of a matrix: every bias gradient, batch norm's batch statistics, a batch mean)
 * first transposes the whole input. For a 512 × 1071 batch the transpose costs ~10× the sum.
 * When the reduced axes are one contiguous block that leaves the last axis alone, this
 * version adds whole rows into an accumulator row instead (SIMD, wasm-simd-module.ts): the
 * input is read once, in order, and every output is still added up in the same order as the
 * stock kernel (float32, first row first), so results are unchanged.
 */

const PATCHED_KERNELS = [Sum, Mean] as const;
const STOCK_KERNEL = Symbol.for('fedsynth.wasmOuterAxisReduce.stockKernel');

interface PatchedKernelConfig extends KernelConfig {
  [STOCK_KERNEL]: KernelConfig;
}

interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array;
}

function isPatched(config: KernelConfig | undefined): config is PatchedKernelConfig {
  return config !== undefined && STOCK_KERNEL in config;
}

/** [outer, reduced, inner] sizes when `axes` is one contiguous block not touching the last axis; otherwise null. */
export function outerAxisSplit(shape: readonly number[], axis: number | number[] | undefined): { outer: number; reduced: number; inner: number; outShape: number[]; keptShape: number[] } | null {
  const rank = shape.length;
  if (rank < 2 || axis === undefined) return null;
  const axes = [...new Set((Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a)))].sort((a, b) => a - b);
  if (axes.length === 0 || axes.some((a) => !Number.isInteger(a) || a < 0 || a >= rank)) return null;
  const first = axes[0];
  const last = axes[axes.length - 1];
  if (last === rank - 1 || last - first + 1 !== axes.length) return null;
  const product = (from: number, to: number) => shape.slice(from, to).reduce((p, d) => p * d, 1);
  return {
    outer: product(0, first),
    reduced: product(first, last + 1),
    inner: product(last + 1, rank),
    outShape: shape.filter((_, i) => i < first || i > last),
    keptShape: shape.map((d, i) => (i >= first && i <= last ? 1 : d)),
  };
}

/**
 * out[o, j] = Σₖ x[o, k, j] in float32, k ascending (the order the stock kernel adds in).
 * With `simd` (and x, out in its memory) whole vectors of 4 columns go through it; the
 * JS loop does the remaining columns, or everything.
 */
export function sumMiddleAxis(x: Float32Array, out: Float32Array, outer: number, reduced: number, inner: number, simd?: SimdSumRows): void {
  out.fill(0);
  const vectorised = simd ? inner & ~3 : 0;
  for (let o = 0; o < outer; o++) {
    const row = o * inner;
    if (simd && vectorised > 0) {
      simd(x.byteOffset + o * reduced * inner * 4, out.byteOffset + row * 4, reduced, inner * 4, vectorised * 4);
    }
    for (let k = 0; k < reduced; k++) {
      const base = (o * reduced + k) * inner;
      for (let j = vectorised; j < inner; j++) out[row + j] += x[base + j];
    }
  }
}

function outerAxisReduce(stock: KernelConfig, mean: boolean): KernelFunc {
  return (args) => {
    const x = args.inputs['x'];
    const attrs = args.attrs as { axis?: number | number[]; keepDims?: boolean } | undefined;
    const split = x && x.dtype === 'float32' ? outerAxisSplit(x.shape, attrs?.axis) : null;
    if (!x || !split || split.outer * split.reduced * split.inner === 0) return stock.kernelFunc(args);
    const backend = args.backend as unknown as WasmHeapBackend;
    const out = backend.makeOutput(attrs?.keepDims ? split.keptShape : split.outShape, 'float32');
    // Views after the allocation: growing the heap detaches earlier ones.
    const values = backend.typedArrayFromHeap(out);
    sumMiddleAxis(backend.typedArrayFromHeap(x), values, split.outer, split.reduced, split.inner, simdKernelsOf(backend)?.sumRows);
    if (mean) for (let i = 0; i < values.length; i++) values[i] /= split.reduced;
    return out;
  };
}

/** Replaces the wasm Sum and Mean kernels by ones that reduce leading axes without a transpose. Idempotent. */
export function installWasmOuterAxisReduce(): void {
  for (const name of PATCHED_KERNELS) {
    const current = getKernel(name, 'wasm');
    if (!current) throw new Error(`wasm kernel '${name}' is not registered: import '@tensorflow/tfjs-backend-wasm' first`);
    if (isPatched(current)) continue;
    unregisterKernel(name, 'wasm');
    const patched: PatchedKernelConfig = {
      kernelName: name,
      backendName: 'wasm',
      kernelFunc: outerAxisReduce(current, name === Mean),
      // The stock kernelFunc relies on state its setupFunc creates on each setBackend('wasm').
      ...(current.setupFunc ? { setupFunc: current.setupFunc } : {}),
      ...(current.disposeFunc ? { disposeFunc: current.disposeFunc } : {}),
      [STOCK_KERNEL]: current,
    };
    registerKernel(patched);
  }
}

/** Restores the stock kernels. */
export function uninstallWasmOuterAxisReduce(): void {
  for (const name of PATCHED_KERNELS) {
    const current = getKernel(name, 'wasm');
    if (!isPatched(current)) continue;
    unregisterKernel(name, 'wasm');
    registerKernel(current[STOCK_KERNEL]);
  }
}

export function isWasmOuterAxisReduceInstalled(): boolean {
  return PATCHED_KERNELS.every((name) => isPatched(getKernel(name, 'wasm')));
}
