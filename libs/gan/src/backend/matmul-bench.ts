import * as tf from '@tensorflow/tfjs';
import type { BackendName } from './backend-name';
import { activateWasmBackend } from './load-wasm-backend';
import { loadTfjsNode } from './load-tfjs-node';
import { currentBackendName } from './select-backend';
import { installWasmMatMulFix, isWasmMatMulFixInstalled, uninstallWasmMatMulFix } from './wasm-matmul-fix';

export const MATMUL_VARIANTS = ['plain', 'transposeA', 'transposeB'] as const;
export type MatMulVariant = (typeof MATMUL_VARIANTS)[number];

export interface MatMulTiming {
  readonly medianMs: number;
  readonly gflops: number;
}

export interface BackendBenchRow {
  /** e.g. `wasm (fixed)`, `wasm (stock)`. */
  readonly label: string;
  readonly backend: BackendName;
  readonly matMulFix?: boolean;
  readonly simd?: boolean;
  readonly threads?: number;
  readonly repeats: number;
  readonly timings: Readonly<Record<MatMulVariant, MatMulTiming>>;
}

export interface BackendBenchSkip {
  readonly label: string;
  readonly why: string;
}

export interface BackendBenchReport {
  readonly size: number;
  readonly rows: BackendBenchRow[];
  readonly skipped: BackendBenchSkip[];
}

export interface BackendBenchOptions {
  /** Square matrix side n; each product costs 2·n³ FLOPs. */
  size: number;
  /** Timed repetitions per variant on the fast backends. */
  repeats: number;
  /** Timed repetitions on cpu, which is ~40× slower. */
  cpuRepeats: number;
  /** Told before each backend is measured, since a full run takes a minute or more. */
  onProgress?: (line: string) => void;
}

const TRANSPOSE_FLAGS: Record<MatMulVariant, [boolean, boolean]> = {
  plain: [false, false],
  transposeA: [true, false],
  transposeB: [false, true],
};

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Median time of an n×n · n×n matMul per transpose variant on the active backend, after one warm-up. */
export function timeMatMuls(size: number, repeats: number): Record<MatMulVariant, MatMulTiming> {
  const a = tf.randomUniform([size, size], -1, 1, 'float32', 1);
  const b = tf.randomUniform([size, size], -1, 1, 'float32', 2);
  const flops = 2 * size ** 3;
  try {
    const run = (transposeA: boolean, transposeB: boolean): number => {
      const start = performance.now();
      const product = tf.matMul(a, b, transposeA, transposeB);
      // dataSync waits for the result, so async backends are timed to completion.
      product.dataSync();
      const elapsed = performance.now() - start;
      product.dispose();
      return elapsed;
    };
    const timings = {} as Record<MatMulVariant, MatMulTiming>;
    for (const variant of MATMUL_VARIANTS) {
      const [ta, tb] = TRANSPOSE_FLAGS[variant];
      run(ta, tb);
      const medianMs = median(Array.from({ length: repeats }, () => run(ta, tb)));
      timings[variant] = { medianMs, gflops: flops / (medianMs * 1e6) };
    }
    return timings;
  } finally {
    a.dispose();
    b.dispose();
  }
}

/**
 * Measures matMul throughput on every backend that can start here: tensorflow (when
 * tfjs-node loads), wasm with and without the transposed-matMul fix, and cpu. Leaves
 * the active backend and the fix as it found them.
 */
export async function benchBackends(options: BackendBenchOptions): Promise<BackendBenchReport> {
  const { size, repeats, cpuRepeats } = options;
  const progress = options.onProgress ?? (() => undefined);
  const rows: BackendBenchRow[] = [];
  const skipped: BackendBenchSkip[] = [];
  const previousBackend = currentBackendName();
  const fixWasInstalled = isWasmMatMulFixInstalled();

  const tfjsNode = loadTfjsNode();
  if (tfjsNode.loaded && (await tf.setBackend('tensorflow'))) {
    progress('measuring tensorflow');
    rows.push({ label: 'tensorflow', backend: 'tensorflow', repeats, timings: timeMatMuls(size, repeats) });
  } else {
    skipped.push({ label: 'tensorflow', why: tfjsNode.loaded ? 'the tensorflow backend failed to initialise' : tfjsNode.why });
  }

  let wasm: Awaited<ReturnType<typeof activateWasmBackend>> | undefined;
  try {
    wasm = await activateWasmBackend();
  } catch (error) {
    skipped.push({ label: 'wasm', why: error instanceof Error ? error.message : String(error) });
  }
  if (wasm) {
    try {
      for (const fixed of [true, false]) {
        const label = fixed ? 'wasm (fixed)' : 'wasm (stock)';
        progress(`measuring ${label}`);
        if (fixed) installWasmMatMulFix();
        else uninstallWasmMatMulFix();
        rows.push({ label, backend: 'wasm', matMulFix: fixed, ...wasm, repeats, timings: timeMatMuls(size, repeats) });
      }
    } finally {
      if (fixWasInstalled) installWasmMatMulFix();
      else uninstallWasmMatMulFix();
    }
  }

  if (await tf.setBackend('cpu')) {
    progress('measuring cpu');
    rows.push({ label: 'cpu', backend: 'cpu', repeats: cpuRepeats, timings: timeMatMuls(size, cpuRepeats) });
  } else {
    skipped.push({ label: 'cpu', why: 'the cpu backend failed to initialise' });
  }

  if (previousBackend) await tf.setBackend(previousBackend);
  return { size, rows, skipped };
}
