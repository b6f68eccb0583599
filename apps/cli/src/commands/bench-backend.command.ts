import { benchBackends, FedsynthError, MATMUL_VARIANTS, type BackendBenchReport, type BackendBenchRow } from '@fedsynth/gan';
import type { Command, OptionValues } from '../command';

const DEFAULT_SIZE = 1024;
const DEFAULT_REPEATS = 5;
const DEFAULT_CPU_REPEATS = 2;

const HELP = `Usage: fedsynth bench backend [--size N] [--repeats N] [--cpu-repeats N] [--json]

Measures the GFLOP/s of an N×N · N×N matMul (plain, transposeA, transposeB) on every
TensorFlow.js backend that starts here: tensorflow (when @tensorflow/tfjs-node loads),
wasm with fedsynth's transposed-matMul fix, stock wasm, and cpu. Each figure is the
median of several timed runs after one warm-up; FLOPs = 2·N³. Backward passes use
transposed matMuls, so the transposed columns are what training speed depends on.

Options:
  --size N          matrix side (default ${DEFAULT_SIZE})
  --repeats N       timed runs per figure on tensorflow and wasm (default ${DEFAULT_REPEATS})
  --cpu-repeats N   timed runs per figure on cpu, which is ~40× slower (default ${DEFAULT_CPU_REPEATS})
  --json            print the results as JSON instead of a table

Examples:
  fedsynth bench backend
  fedsynth bench backend --size 512 --repeats 10 --json
`;

function positiveInteger(values: OptionValues, name: string, fallback: number): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const text = String(raw).trim();
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < 1) {
    throw new FedsynthError(`--${name} must be a positive integer, got '${String(raw)}'`, 'USAGE');
  }
  return value;
}

function details(row: BackendBenchRow): string {
  const parts: string[] = [];
  if (row.simd !== undefined) parts.push(row.simd ? 'SIMD' : 'no SIMD');
  if (row.threads !== undefined) parts.push(`${row.threads} thread${row.threads === 1 ? '' : 's'}`);
  return parts.join(', ');
}

function renderTable(report: BackendBenchReport): string {
  const n = report.size;
  const header = ['backend', 'details', 'runs', ...MATMUL_VARIANTS];
  const body = report.rows.map((row) => [
    row.label,
    details(row),
    String(row.repeats),
    ...MATMUL_VARIANTS.map((variant) => row.timings[variant].gflops.toFixed(2)),
  ]);
  const widths = header.map((title, col) => Math.max(title.length, ...body.map((cells) => cells[col].length)));
  // Names and details read left-aligned; numbers right-aligned so decimals line up.
  const line = (cells: string[]) =>
    cells
      .map((cell, col) => (col < 2 ? cell.padEnd(widths[col]) : cell.padStart(widths[col])))
      .join('  ')
      .trimEnd();
  const lines = [
    `matMul ${n}×${n} · ${n}×${n}, GFLOP/s (median after one warm-up; FLOPs = 2·n³)`,
    '',
    line(header),
    ...body.map(line),
  ];
  if (report.skipped.length > 0) {
    lines.push('', 'Not measured:', ...report.skipped.map((skip) => `  ${skip.label}: ${skip.why}`));
  }
  return `${lines.join('\n')}\n`;
}

function renderJson(report: BackendBenchReport): string {
  const json = {
    size: report.size,
    flopsPerMatMul: 2 * report.size ** 3,
    unit: 'GFLOP/s',
    rows: report.rows.map((row) => ({
      label: row.label,
      backend: row.backend,
      ...(row.matMulFix !== undefined && { matMulFix: row.matMulFix }),
      ...(row.simd !== undefined && { simd: row.simd }),
      ...(row.threads !== undefined && { threads: row.threads }),
      repeats: row.repeats,
      gflops: Object.fromEntries(MATMUL_VARIANTS.map((v) => [v, Number(row.timings[v].gflops.toFixed(3))])),
      medianMs: Object.fromEntries(MATMUL_VARIANTS.map((v) => [v, Number(row.timings[v].medianMs.toFixed(3))])),
    })),
    skipped: report.skipped,
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}

export const benchBackendCommand: Command = {
  path: ['bench', 'backend'],
  summary: 'Measure matMul GFLOP/s on each available TensorFlow.js backend',
  help: HELP,
  options: {
    size: { type: 'string' },
    repeats: { type: 'string' },
    'cpu-repeats': { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(values, positionals, io) {
    if (positionals.length > 0) {
      throw new FedsynthError(`unexpected argument '${positionals[0]}'`, 'USAGE');
    }
    const size = positiveInteger(values, 'size', DEFAULT_SIZE);
    const repeats = positiveInteger(values, 'repeats', DEFAULT_REPEATS);
    const cpuRepeats = positiveInteger(values, 'cpu-repeats', DEFAULT_CPU_REPEATS);
    const report = await benchBackends({
      size,
      repeats,
      cpuRepeats,
      onProgress: (line) => io.err(`fedsynth bench backend: ${line}…\n`),
    });
    io.out(values['json'] === true ? renderJson(report) : renderTable(report));
    return 0;
  },
};
