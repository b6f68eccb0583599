import type { KernelBackend, TensorInfo } from '@tensorflow/tfjs';
import { simdKernelsOf, type SimdAxpyRows } from './wasm-simd-module';

/*
 * XNNPACK packs the right operand of every product into its own layout before multiplying
 * (cached per operand, but a weight changes every step), so a product with one or two rows,
 * such as a batch mean times a V × units kernel, is nearly all packing: 2 ms for a 2 × 1071
 * by 1071 × 256 product. Such products go instead through a SIMD loop that adds
 * a[i, p]·b[p, :] into out[i, :] row by row (wasm-simd-module.ts), 0.2 ms. The sums are the
 * same products added in another order: equal up to float32 rounding.
 */

/** At most this many rows make a product skinny. */
export const SKINNY_ROWS = 4;
/** Narrower outputs stay with XNNPACK: the loop runs across output columns, 4 at a time. */
export const MIN_COLUMNS = 8;

interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array;
}

/** [m, k, n] when a · b (untransposed, batch dimensions all 1) has few enough rows; otherwise null. */
export function skinnyShape(aShape: readonly number[], bShape: readonly number[]): [number, number, number] | null {
  const rank = aShape.length;
  if (rank < 2 || bShape.length !== rank) return null;
  for (let i = 0; i < rank - 2; i++) if (aShape[i] !== 1 || bShape[i] !== 1) return null;
  const [m, k] = aShape.slice(rank - 2);
  const [bRows, n] = bShape.slice(rank - 2);
  if (bRows !== k || m === 0 || k === 0 || n < MIN_COLUMNS) return null;
  return m <= SKINNY_ROWS ? [m, k, n] : null;
}

/** out = a · b for row-major a [m, k], b [k, n]; `out` must hold zeros. SIMD for whole vectors of 4 columns, JS for the rest. */
export function axpyMatMul(a: Float32Array, b: Float32Array, out: Float32Array, m: number, k: number, n: number, simd?: SimdAxpyRows): void {
  const n4 = simd ? n & ~3 : 0;
  if (simd && n4 > 0) simd(a.byteOffset, b.byteOffset, out.byteOffset, m, k, n4 * 4, n * 4, n * 4);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const scale = a[i * k + p];
      for (let j = n4; j < n; j++) out[i * n + j] += scale * b[p * n + j];
    }
  }
}

/**
 * a · b through the SIMD loop when the product is skinny, both operands float32 and SIMD is
 * available; null to leave the product to XNNPACK.
 */
export function trySkinnyMatMul(a: TensorInfo, b: TensorInfo, kernelBackend: KernelBackend): TensorInfo | null {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return null;
  const shape = skinnyShape(a.shape, b.shape);
  const simd = simdKernelsOf(kernelBackend)?.axpyRows;
  if (!shape || !simd) return null;
  const [m, k, n] = shape;
  const backend = kernelBackend as unknown as WasmHeapBackend;
  const out = backend.makeOutput([...a.shape.slice(0, -1), n], 'float32');
  // Views after the allocation: growing the heap detaches earlier ones.
  const values = backend.typedArrayFromHeap(out);
  values.fill(0);
  axpyMatMul(backend.typedArrayFromHeap(a), backend.typedArrayFromHeap(b), values, m, k, n, simd);
  return out;
}
