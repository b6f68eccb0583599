import { installWasmFastTranspose, isWasmFastTransposeInstalled, uninstallWasmFastTranspose } from './wasm-fast-transpose';
import { installWasmMatMulFix, isWasmMatMulFixInstalled, uninstallWasmMatMulFix } from './wasm-matmul-fix';
import { installWasmOuterAxisReduce, isWasmOuterAxisReduceInstalled, uninstallWasmOuterAxisReduce } from './wasm-outer-axis-reduce';
import { installWasmSharedIdentity, isWasmSharedIdentityInstalled, uninstallWasmSharedIdentity } from './wasm-shared-identity';

/**
 * Every replacement of a stock wasm kernel that initBackend applies: transposed (and skinny)
 * matMuls, zero-copy Identity, row reductions without a transpose, SIMD transposes. Each is
 * a separate file with its own reasons and tests; this installs or removes them together.
 */
export function installWasmKernelPatches(): void {
  installWasmMatMulFix();
  installWasmSharedIdentity();
  installWasmOuterAxisReduce();
  installWasmFastTranspose();
}

/** Back to the stock kernels (benchmarks compare against them). */
export function uninstallWasmKernelPatches(): void {
  uninstallWasmMatMulFix();
  uninstallWasmSharedIdentity();
  uninstallWasmOuterAxisReduce();
  uninstallWasmFastTranspose();
}

export function areWasmKernelPatchesInstalled(): boolean {
  return isWasmMatMulFixInstalled() && isWasmSharedIdentityInstalled() && isWasmOuterAxisReduceInstalled() && isWasmFastTransposeInstalled();
}
