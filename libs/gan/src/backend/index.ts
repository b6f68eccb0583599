export { BACKEND_ENV_VAR, BACKEND_NAMES, backendFromEnv, isBackendName, type BackendName } from './backend-name';
export { currentBackendName, initBackend, type BackendInfo, type InitBackendOptions } from './select-backend';
export { installWasmMatMulFix, isWasmMatMulFixInstalled, uninstallWasmMatMulFix } from './wasm-matmul-fix';
export { areWasmKernelPatchesInstalled, installWasmKernelPatches, uninstallWasmKernelPatches } from './wasm-kernel-patches';
export {
  benchBackends,
  MATMUL_VARIANTS,
  timeMatMuls,
  type BackendBenchOptions,
  type BackendBenchReport,
  type BackendBenchRow,
  type BackendBenchSkip,
  type MatMulTiming,
  type MatMulVariant,
} from './matmul-bench';
