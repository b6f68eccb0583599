import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';

export interface WasmBackendDetails {
  /** True when the SIMD build of the backend was loaded (roughly 3× faster than the plain one). */
  readonly simd: boolean;
  readonly threads: number;
}

const BINARIES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm'] as const;

let pathsSet = false;

/**
 * The folder holding the .wasm binaries, found through module resolution so it does
 * not depend on the working directory (the package's own default is relative to the
 * bundle that loads it, which breaks once our code is compiled into dist/).
 */
function wasmBinaryFolder(): string {
  const resolved = BINARIES.map((name) => {
    try {
      return require.resolve(`@tensorflow/tfjs-backend-wasm/dist/${name}`);
    } catch {
      throw new Error(`@tensorflow/tfjs-backend-wasm is installed without dist/${name}`);
    }
  });
  return path.dirname(resolved[0]) + path.sep;
}

/**
 * Initialises the wasm backend and makes it the active one. Multi-threaded wasm needs
 * browser workers and is never attempted in Node, so the backend runs on one thread.
 * Throws with the reason when the backend cannot start.
 */
export async function activateWasmBackend(): Promise<WasmBackendDetails> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  if (!pathsSet) {
    wasm.setWasmPaths(wasmBinaryFolder());
    pathsSet = true;
  }
  if (!(await tf.setBackend('wasm'))) {
    throw new Error('the wasm backend failed to initialise (TensorFlow.js logged the cause above)');
  }
  // The backend reads this same cached flag to choose between the plain and SIMD
  // binaries, so after init it says which one is running.
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
  return { simd, threads: wasm.getThreadsCount() };
}
