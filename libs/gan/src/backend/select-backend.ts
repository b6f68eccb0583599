import * as tf from '@tensorflow/tfjs';
import { FedsynthError } from '../errors/fedsynth-error';
import { BACKEND_ENV_VAR, BACKEND_NAMES, backendFromEnv, isBackendName, type BackendName } from './backend-name';
import { activateWasmBackend } from './load-wasm-backend';
import { loadTfjsNode } from './load-tfjs-node';
import { installWasmKernelPatches } from './wasm-kernel-patches';

export interface BackendInfo {
  readonly name: BackendName;
  /** wasm only: whether the SIMD build is running. */
  readonly simd?: boolean;
  /** wasm only: XNNPACK threads (always 1 in Node). */
  readonly threads?: number;
  /** wasm only: whether transposed matMuls are routed to the fast path (see wasm-matmul-fix). */
  readonly matMulFix?: boolean;
  /** True when the backend was forced (option or FEDSYNTH_BACKEND) rather than picked. */
  readonly forced: boolean;
  /** Why this backend is in use, for the log line and for run reports. */
  readonly reason: string;
}

export interface InitBackendOptions {
  /** Use exactly this backend; takes precedence over FEDSYNTH_BACKEND. */
  force?: BackendName;
  /** Receives the one line naming the backend in use. Default: stderr. */
  log?: (line: string) => void;
}

interface Request {
  readonly name: BackendName | 'auto';
  /** Who asked, for messages: `FEDSYNTH_BACKEND=wasm`, `the caller (force: 'cpu')`. */
  readonly source: string;
}

interface Selection {
  readonly requested: BackendName | 'auto';
  readonly promise: Promise<BackendInfo>;
  info?: BackendInfo;
}

let selection: Selection | undefined;

function resolveRequest(force: BackendName | undefined): Request {
  if (force !== undefined) {
    // The type says BackendName, but the value may come from untyped input such as a CLI flag.
    if (!isBackendName(force)) {
      throw new FedsynthError(`unknown backend '${String(force)}'; allowed values: ${BACKEND_NAMES.join(', ')}`, 'BACKEND_INVALID');
    }
    return { name: force, source: `the caller (force: '${force}')` };
  }
  const fromEnv = backendFromEnv();
  return fromEnv ? { name: fromEnv, source: `${BACKEND_ENV_VAR}=${fromEnv}` } : { name: 'auto', source: 'auto' };
}

function unavailable(request: Request, why: string): FedsynthError {
  return new FedsynthError(`backend '${request.name}' was requested by ${request.source} but cannot be used: ${why}`, 'BACKEND_UNAVAILABLE');
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function useTensorflow(request: Request, reason: string): Promise<BackendInfo | string> {
  const status = loadTfjsNode();
  if (!status.loaded) return status.why;
  if (!(await tf.setBackend('tensorflow'))) return 'the tensorflow backend failed to initialise';
  return { name: 'tensorflow', forced: request.name !== 'auto', reason };
}

async function useWasm(request: Request, reason: string): Promise<BackendInfo | string> {
  try {
    const { simd, threads } = await activateWasmBackend();
    installWasmKernelPatches();
    const slow = simd ? '' : '; this runtime lacks WebAssembly SIMD, expect ~3× slower training';
    return { name: 'wasm', simd, threads, matMulFix: true, forced: request.name !== 'auto', reason: reason + slow };
  } catch (error) {
    return errorText(error);
  }
}

async function useCpu(request: Request, reason: string): Promise<BackendInfo> {
  if (!(await tf.setBackend('cpu'))) throw unavailable(request, 'the cpu backend failed to initialise');
  return { name: 'cpu', forced: request.name !== 'auto', reason };
}

async function select(request: Request): Promise<BackendInfo> {
  const forcedReason = `forced by ${request.source}`;
  switch (request.name) {
    case 'tensorflow': {
      const result = await useTensorflow(request, forcedReason);
      if (typeof result === 'string') throw unavailable(request, result);
      return result;
    }
    case 'wasm': {
      const result = await useWasm(request, forcedReason);
      if (typeof result === 'string') throw unavailable(request, result);
      return result;
    }
    case 'cpu':
      return useCpu(request, forcedReason);
    case 'auto': {
      const native = await useTensorflow(request, 'native TensorFlow via @tensorflow/tfjs-node');
      if (typeof native !== 'string') return native;
      const wasm = await useWasm(request, `fastest available: ${native}`);
      if (typeof wasm !== 'string') return wasm;
      return useCpu(request, `fallback, ~40× slower than wasm: ${native}; wasm: ${wasm}`);
    }
  }
}

function describe(info: BackendInfo): string {
  const details: string[] = [];
  if (info.simd !== undefined) details.push(info.simd ? 'SIMD' : 'no SIMD');
  if (info.threads !== undefined) details.push(`${info.threads} thread${info.threads === 1 ? '' : 's'}`);
  if (info.matMulFix) details.push('transposed-matMul fix');
  const suffix = details.length > 0 ? ` (${details.join(', ')})` : '';
  return `fedsynth: TensorFlow.js backend ${info.name}${suffix} — ${info.reason}`;
}

/**
 * Picks and activates the TensorFlow.js backend: tfjs-node if it loads, else wasm
 * (with the transposed-matMul fix), else cpu. `force` or FEDSYNTH_BACKEND pins one,
 * and a pinned backend that cannot start is an error rather than a silent fallback.
 * Logs one line naming the backend and why. Calling it again with the same request
 * while that backend is still active returns the first result without redoing work.
 */
export function initBackend(options: InitBackendOptions = {}): Promise<BackendInfo> {
  let request: Request;
  try {
    request = resolveRequest(options.force);
  } catch (error) {
    return Promise.reject(error);
  }
  const previous = selection;
  if (previous && previous.requested === request.name && (!previous.info || previous.info.name === tf.getBackend())) {
    return previous.promise;
  }
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const current: Selection = {
    requested: request.name,
    promise: select(request).then(
      (info) => {
        current.info = info;
        log(describe(info));
        return info;
      },
      (error: unknown) => {
        // A failed attempt must not be cached, so the caller can fix the cause and retry.
        if (selection === current) selection = undefined;
        throw error;
      },
    ),
  };
  selection = current;
  return current.promise;
}

/** The backend TensorFlow.js is running on, if it is one fedsynth supports and it started. */
export function currentBackendName(): BackendName | undefined {
  const name: unknown = tf.getBackend();
  // After a failed tf.setBackend the engine still reports the failed name, with no instance behind it.
  return isBackendName(name) && tf.engine().registry[name] !== undefined ? name : undefined;
}
