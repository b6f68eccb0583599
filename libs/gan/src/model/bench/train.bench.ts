/**
 * `npm run bench:train`: how fast medGAN trains on this machine's TensorFlow.js backend, and
 * how much of the backend's matMul speed a real training step achieves.
 *
 *   node libs/gan/dist/model/bench/train.bench.js [--steps 20] [--warmup 3] [--records 46520]
 *       [--codes 1071] [--batch 256] [--stock] [--json]
 *
 * --stock also times a few steps on the stock wasm kernels (without the transposed-matMul
 * fix and the other kernel replacements of backend/wasm-kernel-patches.ts), for comparison.
 *
 * The ratio compares the step's achieved GFLOP/s (matrix products counted from the layer
 * shapes, median step time) with the median of plain 1024 × 1024 matMuls timed in the same
 * process between the steps, so a machine that is busy with other work slows both sides alike.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendInfo } from '../../backend/select-backend';
import { installWasmKernelPatches, uninstallWasmKernelPatches } from '../../backend/wasm-kernel-patches';
import type { BinaryMatrix } from '../../data/binary-matrix';
import { buildMedgan } from '../build-medgan';
import type { AutoencodingGanOptions } from '../model-options';
import { train } from '../train';
import { medganStepFlops } from './step-flops';
import { syntheticMatrix } from './synthetic-matrix';

interface BenchResult {
  backend: string;
  family: 'medgan';
  records: number;
  codes: number;
  batchSize: number;
  discriminatorSteps: number;
  timedSteps: number;
  stepsPerSec: number;
  recordsPerSec: number;
  gflopPerStep: number;
  achievedGflops: number;
  /** The same, counted by the rule "backward = 2 × forward". */
  gflopPerStepByRule: number;
  achievedGflopsByRule: number;
  ratioByRule: number;
  matMulGflops: { median: number; min: number; max: number; probes: number };
  ratio: number;
  peakRssMb: number;
  wallSeconds: number;
  /** --stock on wasm: the same step on the stock kernels. */
  stock?: { timedSteps: number; stepsPerSec: number; ratio: number };
}

interface StepTimings {
  /** Each timed step's milliseconds (matMul probes excluded). */
  stepMs: number[];
  /** GFLOP/s of each plain 1024³ matMul probe run between steps. */
  matMulGflops: number[];
  options: AutoencodingGanOptions;
}

const PROBE_SIZE = 1024;

/** One plain PROBE_SIZE³ matMul, timed to completion. */
function probeMatMul(a: tf.Tensor2D, b: tf.Tensor2D): number {
  const start = performance.now();
  const product = tf.matMul(a, b);
  product.dataSync();
  const ms = performance.now() - start;
  product.dispose();
  return (2 * PROBE_SIZE ** 3) / (ms * 1e6);
}

/**
 * Times `steps` GAN steps of a fresh medGAN after `warmup` untimed ones, with a plain matMul
 * probe after every `probeEvery` steps. Interleaving matters on a shared machine: both sides
 * of the ratio then see the same background load, and medians drop the bursts.
 */
async function timeSteps(matrix: BinaryMatrix, batchSize: number, warmup: number, steps: number, probeEvery: number): Promise<StepTimings> {
  const model = buildMedgan({ vocabularySize: matrix.cols, initSeed: 1 });
  const options = model.options as AutoencodingGanOptions;
  const needed = warmup + steps;
  const stepsPerEpoch = Math.ceil(Math.floor(matrix.rows / batchSize) / options.discriminatorSteps);
  const run = train(model, matrix, { epochs: Math.ceil(needed / stepsPerEpoch), pretrainEpochs: 0, batchSize, seed: 1 });
  const a = tf.randomUniform([PROBE_SIZE, PROBE_SIZE], -1, 1, 'float32', 1) as tf.Tensor2D;
  const b = tf.randomUniform([PROBE_SIZE, PROBE_SIZE], -1, 1, 'float32', 2) as tf.Tensor2D;
  probeMatMul(a, b); // warm-up: XNNPACK's first call sets up its operator
  const stepMs: number[] = [];
  const matMulGflops: number[] = [];
  let seen = 0;
  let last = performance.now();
  try {
    for await (const log of run) {
      if (log.kind !== 'step' || log.phase !== 'gan') continue;
      seen++;
      const now = performance.now();
      if (seen > warmup) stepMs.push(now - last);
      if (seen === needed) break;
      if (seen >= warmup && (seen - warmup) % probeEvery === 0) matMulGflops.push(probeMatMul(a, b));
      last = performance.now();
    }
    matMulGflops.push(probeMatMul(a, b));
  } finally {
    a.dispose();
    b.dispose();
    model.dispose();
  }
  return { stepMs, matMulGflops, options };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function describeBackend(info: BackendInfo): string {
  const details = [info.simd === undefined ? undefined : info.simd ? 'SIMD' : 'no SIMD', info.threads === undefined ? undefined : `${info.threads} thread(s)`, info.matMulFix ? 'transposed-matMul fix' : undefined];
  const shown = details.filter((d): d is string => d !== undefined);
  return `${info.name}${shown.length > 0 ? ` (${shown.join(', ')})` : ''}`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      steps: { type: 'string', default: '20' },
      warmup: { type: 'string', default: '3' },
      records: { type: 'string', default: '46520' },
      codes: { type: 'string', default: '1071' },
      batch: { type: 'string', default: '256' },
      json: { type: 'boolean', default: false },
      stock: { type: 'boolean', default: false },
    },
  });
  const steps = Number(values.steps);
  const warmup = Number(values.warmup);
  const records = Number(values.records);
  const codes = Number(values.codes);
  const batchSize = Number(values.batch);
  for (const [name, v] of Object.entries({ steps, warmup, records, codes, batch: batchSize })) {
    if (!Number.isInteger(v) || v < (name === 'warmup' ? 0 : 1)) throw new Error(`--${name} must be a whole number, got ${String(v)}`);
  }
  const started = performance.now();
  const info = await initBackend({ log: () => undefined });

  const matrix = syntheticMatrix({ rows: records, cols: codes, codesPerRecord: 11, seed: 1 });
  const timings = await timeSteps(matrix, batchSize, warmup, steps, 2);
  const { options } = timings;

  const flops = medganStepFlops(options, batchSize);
  const stepsPerSec = 1000 / median(timings.stepMs);
  const achievedGflops = (flops.ganStep * stepsPerSec) / 1e9;
  const matMulMedian = median(timings.matMulGflops);
  const result: BenchResult = {
    backend: describeBackend(info),
    family: 'medgan',
    records,
    codes,
    batchSize,
    discriminatorSteps: options.discriminatorSteps,
    timedSteps: steps,
    stepsPerSec,
    recordsPerSec: stepsPerSec * batchSize * options.discriminatorSteps,
    gflopPerStep: flops.ganStep / 1e9,
    achievedGflops,
    matMulGflops: { median: matMulMedian, min: Math.min(...timings.matMulGflops), max: Math.max(...timings.matMulGflops), probes: timings.matMulGflops.length },
    ratio: achievedGflops / matMulMedian,
    gflopPerStepByRule: flops.ganStepByRule / 1e9,
    achievedGflopsByRule: (flops.ganStepByRule * stepsPerSec) / 1e9,
    ratioByRule: (flops.ganStepByRule * stepsPerSec) / 1e9 / matMulMedian,
    // maxRSS is in kibibytes: the process's peak resident memory, wasm heap included.
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    wallSeconds: 0,
  };
  if (values.stock && info.name === 'wasm') {
    // A couple of steps suffice: stock kernels run a transposed matMul ~10-50× slower.
    uninstallWasmKernelPatches();
    try {
      const stock = await timeSteps(matrix, batchSize, 1, 3, 3);
      const stockStepsPerSec = 1000 / median(stock.stepMs);
      result.stock = { timedSteps: 3, stepsPerSec: stockStepsPerSec, ratio: (flops.ganStep * stockStepsPerSec) / 1e9 / median(stock.matMulGflops) };
    } finally {
      installWasmKernelPatches();
    }
  }
  result.wallSeconds = (performance.now() - started) / 1000;
  if (values.json) {
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    return;
  }
  const f = (n: number, d = 2) => n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
  process.stdout.write(
    [
      `bench:train — medgan, ${f(codes, 0)} codes, batch ${batchSize}, ${f(records, 0)} records, on ${result.backend}`,
      `  timed GAN steps        ${steps} (after ${warmup} warm-up); 1 step = ${options.discriminatorSteps} discriminator + 1 generator update`,
      `  steps/s                ${f(stepsPerSec)}   (from the median step time)`,
      `  records/s              ${f(result.recordsPerSec, 0)}   (real records through the discriminator)`,
      `  work per step          ${f(result.gflopPerStep, 3)} GFLOP   (the matrix products the step runs, from the layer shapes)`,
      `  achieved GFLOP/s       ${f(achievedGflops)}`,
      `  1024³ matMul GFLOP/s   ${f(matMulMedian)}   (median of ${result.matMulGflops.probes} probes between steps; ${f(result.matMulGflops.min)}–${f(result.matMulGflops.max)})`,
      `  ratio                  ${f(result.ratio)}   (target ≥ 0.50; stock tfjs-wasm ≈ 0.08)`,
      `  by "backward = 2×fwd"  ${f(result.gflopPerStepByRule, 3)} GFLOP/step, ${f(result.achievedGflopsByRule)} GFLOP/s, ratio ${f(result.ratioByRule)}`,
      ...(result.stock
        ? [`  stock wasm kernels     ${f(result.stock.stepsPerSec, 3)} steps/s, ratio ${f(result.stock.ratio, 3)}   (${result.stock.timedSteps} steps, same work per step)`]
        : []),
      `  peak RSS               ${f(result.peakRssMb, 0)} MB   (target < 2,048 MB)`,
      `  wall time              ${f(result.wallSeconds, 1)} s`,
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:train failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
