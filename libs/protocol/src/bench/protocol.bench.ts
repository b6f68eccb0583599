/**
 * `npm run bench:protocol`: throughput of the wire codecs on medGAN-shaped weight sets,
 * and what float16 compression costs in size and accuracy.
 *
 *   node libs/protocol/dist/bench/protocol.bench.js [--sizes 2,50] [--min-ms 1500]
 *
 * MB = 2^20 bytes; throughput counts the float32 weight bytes moved per second (the
 * tensor payload), whatever their wire dtype. Each figure is the median of repeated runs
 * after a warm-up. Timings are printed, never asserted (tests do not depend on speed).
 */
import { cpus as cpus_, loadavg } from 'node:os';
import { fedsynth } from '../generated/fedsynth';
import { encodeFrames } from '../chunking/encode-frames';
import { FrameReceiver } from '../chunking/frame-receiver';
import { createEnvelope } from '../envelope/create-envelope';
import { decodeEnvelope } from '../envelope/decode-envelope';
import { encodeEnvelope, type EncodeOptions } from '../envelope/encode-envelope';
import type { Envelope } from '../messages/types';
import { measureFloat16Error } from '../tensors/float16-error';
import { weightSetBytes, type WeightSet } from '../tensors/weight-set';
import { medganLikeWeights, vocabularySizeForBytes } from '../testing/realistic-weights';

const MiB = 1024 * 1024;
const TARGET_MB_PER_S = 1000;

interface Args {
  sizesMiB: number[];
  minMs: number;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { sizesMiB: [2, 50], minMs: 1500 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--sizes') args.sizesMiB = String(argv[++i]).split(',').map(Number);
    else if (argv[i] === '--min-ms') args.minMs = Number(argv[++i]);
    else throw new Error(`unknown argument ${argv[i]} (expected --sizes a,b or --min-ms n)`);
  }
  if (args.sizesMiB.some((s) => !(s > 0)) || !(args.minMs > 0)) throw new Error('sizes and --min-ms must be positive');
  return args;
}

interface Timing {
  /** Median seconds per call: the typical figure. */
  readonly median: number;
  /** Fastest call: the code's speed with the least interference from other processes. */
  readonly best: number;
}

/** Seconds per call of `fn`, after one warm-up call, over ≥ 3 calls and ≥ minMs. */
function time(fn: () => unknown, minMs: number): Timing {
  fn();
  const samples: number[] = [];
  const start = performance.now();
  while (samples.length < 3 || performance.now() - start < minMs) {
    const t0 = performance.now();
    fn();
    samples.push((performance.now() - t0) / 1000);
    if (samples.length >= 200) break;
  }
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(samples.length / 2)]!, best: samples[0]! };
}

function rate(bytes: number, seconds: number): string {
  return (bytes / MiB / seconds).toFixed(0).padStart(7);
}

function trainResult(weights: WeightSet): Envelope {
  return createEnvelope('trainResult', {
    runId: 'bench',
    round: 1,
    phase: 'gan',
    recordCount: 46_520,
    weights,
    metrics: { d_loss: 0.69, g_loss: 0.71 },
  });
}

function misaligned(bytes: Uint8Array): Uint8Array {
  const copy = new Uint8Array(bytes.length + 1).subarray(1);
  copy.set(bytes);
  return copy;
}

function benchSize(sizeMiB: number, minMs: number): void {
  const weights = medganLikeWeights(vocabularySizeForBytes(sizeMiB * MiB), 1);
  const payload = weightSetBytes(weights);
  const envelope = trainResult(weights);
  const rows: [string, string, Timing][] = [];
  const row = (label: string, note: string, timing: Timing): Timing => {
    rows.push([label, note, timing]);
    return timing;
  };

  const encode = (options?: EncodeOptions) => () => encodeEnvelope(envelope, options);
  const f32 = encodeEnvelope(envelope);
  const f16 = encodeEnvelope(envelope, { weightDtype: 'float16' });
  const unaligned = misaligned(f32);

  const enc = row('encode float32', 'validate + one copy (default)', time(encode(), minMs));
  row('encode float32 + NaN scan', 'checkFinite: true', time(encode({ checkFinite: true }), minMs));
  const dec = row('decode float32 + validate', 'aligned input: tensors are views', time(() => decodeEnvelope(f32), minMs));
  row('decode float32 + validate', 'unaligned input: one copy', time(() => decodeEnvelope(unaligned), minMs));
  const enc16 = row('encode float16', 'convert + validate', time(encode({ weightDtype: 'float16' }), minMs));
  const dec16 = row('decode float16 + validate', 'widen to float32', time(() => decodeEnvelope(f16), minMs));
  row(
    'frames: chunk + reassemble',
    '512 KiB frames, 2× sha256, decode',
    time(() => {
      const receiver = new FrameReceiver();
      let whole: Envelope | undefined;
      for (const frame of encodeFrames(envelope)) whole = receiver.accept(frame) ?? whole;
      if (!whole) throw new Error('frames did not reassemble');
    }, minMs),
  );
  const wireMessage = fedsynth.v1.Envelope.decode(f32);
  const generated = row(
    'protobufjs generated encode',
    'baseline: same message, no checks',
    time(() => fedsynth.v1.Envelope.encode(wireMessage).finish(), minMs),
  );
  row(
    'reference: copy to new buffer',
    'allocUnsafe + set: the floor for any encoder',
    time(() => Buffer.allocUnsafe(f32.length).set(f32), minMs),
  );
  const sum = (a: Timing, b: Timing): Timing => ({ median: a.median + b.median, best: a.best + b.best });
  row('encode + decode float32', 'size / (t_encode + t_decode)', sum(enc, dec));
  row('encode + decode float16', 'size / (t_encode + t_decode)', sum(enc16, dec16));

  console.log(`\n## ${(payload / MiB).toFixed(1)} MB weight set (${weights.length} tensors, ${(payload / 4).toLocaleString('en')} floats)\n`);
  console.log('| operation                      | median MB/s | best MB/s | notes');
  console.log('|--------------------------------|------------:|----------:|----------------------------------');
  for (const [label, note, t] of rows) {
    console.log(`| ${label.padEnd(30)} | ${rate(payload, t.median).padStart(11)} | ${rate(payload, t.best).padStart(9)} | ${note}`);
  }
  const roundTrip = payload / MiB / (enc.median + dec.median);
  console.log(
    `\nencode + decode float32: ${roundTrip.toFixed(0)} MB/s median (target ≥ ${TARGET_MB_PER_S}: ${roundTrip >= TARGET_MB_PER_S ? 'met' : 'NOT met'}); ` +
      `encode ${(generated.median / enc.median).toFixed(1)}× as fast as protobufjs's generated encoder`,
  );
}

function benchFloat16(): void {
  console.log('\n## float16 compression: size and error (medGAN-like weights, 1,071 codes, seed 1)\n');
  const weights = medganLikeWeights(1071, 1);
  const f32 = encodeEnvelope(trainResult(weights)).length;
  const f16 = encodeEnvelope(trainResult(weights), { weightDtype: 'float16' }).length;
  console.log(`envelope bytes: float32 ${f32.toLocaleString('en')}, float16 ${f16.toLocaleString('en')} (${((f16 / f32) * 100).toFixed(1)}%)\n`);
  console.log('| tensor                                    | elements |  max |err| | mean |err| | max rel  | mean rel');
  console.log('|-------------------------------------------|---------:|-----------:|-----------:|---------:|---------:');
  const all = new Float32Array(weights.reduce((n, t) => n + t.data.length, 0));
  let at = 0;
  const fmt = (x: number) => x.toExponential(2).padStart(10);
  for (const tensor of weights) {
    all.set(tensor.data, at);
    at += tensor.data.length;
    const r = measureFloat16Error(tensor.data);
    console.log(
      `| ${tensor.name.padEnd(41)} | ${String(r.count).padStart(8)} | ${fmt(r.maxAbsError)} | ${fmt(r.meanAbsError)} | ${fmt(r.maxRelError).slice(2)} | ${fmt(r.meanRelError).slice(2)}`,
    );
  }
  const r = measureFloat16Error(all);
  console.log(
    `| ${'all weights'.padEnd(41)} | ${String(r.count).padStart(8)} | ${fmt(r.maxAbsError)} | ${fmt(r.meanAbsError)} | ${fmt(r.maxRelError).slice(2)} | ${fmt(r.meanRelError).slice(2)}`,
  );
  console.log(`\nrelative error bound of float16 rounding: 2^-11 = ${(2 ** -11).toExponential(2)}; values beyond ±65504: ${r.overflowCount}`);
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const cpus = cpus_();
  console.log(`# fedsynth protocol benchmark — node ${process.version}, ${process.arch}, ${cpus.length} × ${cpus[0]?.model ?? 'cpu'}`);
  console.log(`load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')} (other processes inflate the medians)`);
  // glibc returns large freed blocks to the kernel, so every large encode pays fresh page
  // faults; deployments set these two variables (see README), and the bench says which ran.
  const mallocTuning = ['MALLOC_MMAP_THRESHOLD_', 'MALLOC_TRIM_THRESHOLD_'].filter((k) => process.env[k] !== undefined);
  console.log(
    mallocTuning.length > 0
      ? `glibc malloc: tuned (${mallocTuning.map((k) => `${k}=${process.env[k]}`).join(' ')})`
      : 'glibc malloc: default settings (large buffers are returned to the kernel after each use)',
  );
  if (process.env['MALLOC_MMAP_THRESHOLD_']) console.log(`MALLOC_MMAP_THRESHOLD_=${process.env['MALLOC_MMAP_THRESHOLD_']}`);
  for (const size of args.sizesMiB) benchSize(size, args.minMs);
  benchFloat16();
}

main();
