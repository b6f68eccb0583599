/**
 * `npm run bench:privacy` (part 1): what DP-SGD costs per update on this machine's
 * TensorFlow.js backend — DP step time ÷ plain step time for the networks that see real
 * records, at MIMIC-III's shape.
 *
 *   node libs/gan/dist/privacy/bench/dp-step.bench.js [--reps 30] [--warmup 5] [--records 46520]
 *       [--codes 1071] [--batch 256] [--json]
 *
 * Plain and DP steps run interleaved in one process (ABBA order, so drift and other load on
 * the machine hit both alike) on two copies of the same model; medians are compared. The
 * plain step takes a fixed batch of `--batch` records; the DP step a Poisson batch of
 * expected size `--batch` (q = batch ÷ records), per-record clipping, and noise from
 * node:crypto — everything a DP training step does except building the batch tensor,
 * which both leave out. Both networks are without minibatch averaging (DP-SGD refuses it);
 * medGAN's default discriminator (with it) is timed too, for reference.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../backend/select-backend';
import { denseRowsAt, type BinaryMatrix } from '../../data/binary-matrix';
import { syntheticMatrix } from '../../model/bench/synthetic-matrix';
import { createModel } from '../../model/create-model';
import type { GanModel } from '../../model/gan-model';
import { autoencoderStep, discriminatorStep } from '../../model/train-steps';
import { secureRandomness, type DpRandomness } from '../dp-randomness';
import { dpAutoencoderStep, dpDiscriminatorStep } from '../dp-sgd/dp-steps';
import { poissonSample } from '../dp-sgd/poisson-sample';
import type { DpStepSettings } from '../dp-sgd/private-gradients';

interface Timing {
  medianMs: number;
  meanMs: number;
}

interface Comparison {
  network: string;
  plain: Timing;
  dp: Timing;
  ratio: number;
}

function timing(ms: number[]): Timing {
  const sorted = [...ms].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return {
    medianMs: sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2,
    meanMs: ms.reduce((a, b) => a + b, 0) / ms.length,
  };
}

function timed(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

function batchTensor(matrix: BinaryMatrix, rows: ArrayLike<number>): tf.Tensor2D {
  return tf.tensor2d(denseRowsAt(matrix, rows), [rows.length, matrix.cols], 'float32');
}

interface Pair {
  network: string;
  plain: (real: tf.Tensor2D, i: number) => void;
  dp: (real: tf.Tensor2D, i: number) => void;
  dispose: () => void;
}

function discriminatorPair(family: 'medgan' | 'wgan-gp', codes: number, settings: DpStepSettings, batch: number): Pair {
  const build = () => createModel(family, { vocabularySize: codes, minibatchAveraging: false, initSeed: 1 });
  const plainModel = build();
  const dpModel = build();
  return {
    network: `${family === 'medgan' ? 'medGAN discriminator' : 'WGAN-GP critic'} (no minibatch averaging)`,
    plain: (real, i) => discriminatorStep(plainModel, real, { noiseSeed: i, lossSeed: i + 1 }),
    dp: (real, i) => dpDiscriminatorStep(dpModel, real, settings, { fakeCount: batch, noiseSeed: i, lossSeed: i + 1 }),
    dispose: () => {
      plainModel.dispose();
      dpModel.dispose();
    },
  };
}

function autoencoderPair(codes: number, settings: DpStepSettings): Pair {
  const plainModel = createModel('medgan', { vocabularySize: codes, minibatchAveraging: false, initSeed: 1 });
  const dpModel = createModel('medgan', { vocabularySize: codes, minibatchAveraging: false, initSeed: 1 });
  return {
    network: 'medGAN autoencoder',
    plain: (real) => autoencoderStep(plainModel, real),
    dp: (real) => dpAutoencoderStep(dpModel, real, settings),
    dispose: () => {
      plainModel.dispose();
      dpModel.dispose();
    },
  };
}

/** Interleaved ABBA timing of a pair's plain and DP steps. */
function compare(pair: Pair, matrix: BinaryMatrix, batch: number, q: number, random: DpRandomness, warmup: number, reps: number): Comparison {
  const fixedRows = Array.from({ length: batch }, (_, i) => (i * 181) % matrix.rows);
  const fixed = batchTensor(matrix, fixedRows);
  const plainMs: number[] = [];
  const dpMs: number[] = [];
  try {
    for (let i = 0; i < warmup + reps; i++) {
      const poisson = batchTensor(matrix, poissonSample(matrix.rows, q, random));
      try {
        const runPlain = () => plainMs.push(timed(() => pair.plain(fixed, i)));
        const runDp = () => dpMs.push(timed(() => pair.dp(poisson, i)));
        if (i % 2 === 0) {
          runPlain();
          runDp();
        } else {
          runDp();
          runPlain();
        }
        if (i < warmup) {
          plainMs.pop();
          dpMs.pop();
        }
      } finally {
        poisson.dispose();
      }
    }
  } finally {
    fixed.dispose();
    pair.dispose();
  }
  const plain = timing(plainMs);
  const dp = timing(dpMs);
  return { network: pair.network, plain, dp, ratio: dp.medianMs / plain.medianMs };
}

/** The plain medGAN discriminator as trained without DP (minibatch averaging on), for reference. */
function plainDefaultMedgan(matrix: BinaryMatrix, batch: number, warmup: number, reps: number): Timing {
  const model: GanModel = createModel('medgan', { vocabularySize: matrix.cols, initSeed: 1 });
  const real = batchTensor(matrix, Array.from({ length: batch }, (_, i) => (i * 181) % matrix.rows));
  const ms: number[] = [];
  try {
    for (let i = 0; i < warmup + reps; i++) {
      const t = timed(() => discriminatorStep(model, real, { noiseSeed: i, lossSeed: i }));
      if (i >= warmup) ms.push(t);
    }
  } finally {
    real.dispose();
    model.dispose();
  }
  return timing(ms);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      reps: { type: 'string', default: '30' },
      warmup: { type: 'string', default: '5' },
      records: { type: 'string', default: '46520' },
      codes: { type: 'string', default: '1071' },
      batch: { type: 'string', default: '256' },
      json: { type: 'boolean', default: false },
    },
  });
  const reps = Number(values.reps);
  const warmup = Number(values.warmup);
  const records = Number(values.records);
  const codes = Number(values.codes);
  const batch = Number(values.batch);
  for (const [name, v] of Object.entries({ reps, warmup, records, codes, batch })) {
    if (!Number.isInteger(v) || v < (name === 'warmup' ? 0 : 1)) throw new Error(`--${name} must be a whole number, got ${String(values[name as keyof typeof values])}`);
  }
  if (batch > records) throw new Error(`--batch (${batch}) cannot exceed --records (${records})`);
  const started = performance.now();
  const info = await initBackend({ log: () => undefined });
  const matrix = syntheticMatrix({ rows: records, cols: codes, codesPerRecord: 11, seed: 1 });
  const q = batch / records;
  const random = secureRandomness();
  const settings: DpStepSettings = { clipNorm: 1, noiseMultiplier: 1.1, expectedBatchSize: batch, randomness: random };

  const comparisons = [
    compare(discriminatorPair('medgan', codes, settings, batch), matrix, batch, q, random, warmup, reps),
    compare(discriminatorPair('wgan-gp', codes, settings, batch), matrix, batch, q, random, warmup, reps),
    compare(autoencoderPair(codes, settings), matrix, batch, q, random, warmup, reps),
  ];
  const reference = plainDefaultMedgan(matrix, batch, warmup, reps);
  // The part of a DP step spent drawing its Gaussian noise (one normal per discriminator weight).
  const weights = (codes + 1) * 256 + (256 + 1) * 128 + 128 + 1;
  const noiseMs = timing(Array.from({ length: 10 }, () => timed(() => random.normals(weights)))).medianMs;
  const result = {
    backend: info.name,
    records,
    codes,
    batch,
    sampleRate: q,
    reps,
    comparisons,
    plainMedganWithMinibatchAveragingMs: reference.medianMs,
    noiseDrawMs: noiseMs,
    noiseDrawWeights: weights,
    wallSeconds: (performance.now() - started) / 1000,
  };
  if (values.json) {
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    return;
  }
  const f = (n: number, d = 2) => n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
  process.stdout.write(
    [
      `bench:privacy (DP-SGD step) — ${f(codes, 0)} codes, batch ${batch} (DP: Poisson, q = ${f(q, 5)} of ${f(records, 0)} records), backend ${info.name}`,
      `  ${reps} interleaved repetitions after ${warmup} warm-up; medians (means in brackets)`,
      ...comparisons.map(
        (c) =>
          `  ${c.network.padEnd(46)} plain ${f(c.plain.medianMs, 1).padStart(7)} ms (${f(c.plain.meanMs, 1)})   DP ${f(c.dp.medianMs, 1).padStart(7)} ms (${f(c.dp.meanMs, 1)})   ratio ${f(c.ratio)}${c === comparisons[0] ? '   (target ≤ 3)' : ''}`,
      ),
      `  plain medGAN discriminator with minibatch averaging (the non-DP default): ${f(reference.medianMs, 1)} ms`,
      `  of a DP discriminator step: drawing ${f(weights, 0)} Gaussian noise values from node:crypto takes ${f(noiseMs, 1)} ms`,
      `  wall time ${f(result.wallSeconds, 1)} s`,
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:privacy (dp-step) failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
