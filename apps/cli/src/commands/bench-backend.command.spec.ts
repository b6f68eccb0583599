import type { CommandEntry, Io } from '../command';
import { runCli } from '../run-cli';
import { benchBackendCommand } from './bench-backend.command';

const COMMANDS: CommandEntry[] = [
  { path: benchBackendCommand.path, summary: benchBackendCommand.summary, load: async () => benchBackendCommand },
];

function bufferIo(): Io & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return {
    out: (text) => void (out += text),
    err: (text) => void (err += text),
    interactive: false,
    stdout: () => out,
    stderr: () => err,
  };
}

describe('fedsynth bench backend', () => {
  it('prints a table with one row per measured backend', async () => {
    const io = bufferIo();
    const code = await runCli(['bench', 'backend', '--size', '32', '--repeats', '1', '--cpu-repeats', '1'], io, COMMANDS);
    expect(code).toBe(0);
    const out = io.stdout();
    expect(out).toMatch(/^matMul 32×32 · 32×32, GFLOP\/s/);
    expect(out).toMatch(/backend\s+details\s+runs\s+plain\s+transposeA\s+transposeB/);
    expect(out).toMatch(/^wasm \(fixed\)\s+SIMD, 1 thread\s+1\s+[\d.]+\s+[\d.]+\s+[\d.]+$/m);
    expect(out).toMatch(/^wasm \(stock\)\s+SIMD, 1 thread\s+1\s+[\d.]+\s+[\d.]+\s+[\d.]+$/m);
    expect(out).toMatch(/^cpu\s+1\s+[\d.]+\s+[\d.]+\s+[\d.]+$/m);
    expect(io.stderr()).toContain('measuring wasm (stock)');
  });

  it('prints JSON with --json', async () => {
    const io = bufferIo();
    const code = await runCli(['bench', 'backend', '--size', '16', '--repeats', '2', '--cpu-repeats', '1', '--json'], io, COMMANDS);
    expect(code).toBe(0);
    const report = JSON.parse(io.stdout());
    expect(report).toMatchObject({ size: 16, flopsPerMatMul: 2 * 16 ** 3, unit: 'GFLOP/s' });
    const labels = report.rows.map((row: { label: string }) => row.label);
    expect(labels).toEqual(expect.arrayContaining(['wasm (fixed)', 'wasm (stock)', 'cpu']));
    const fixed = report.rows.find((row: { label: string }) => row.label === 'wasm (fixed)');
    expect(fixed).toMatchObject({ backend: 'wasm', matMulFix: true, repeats: 2 });
    expect(Object.keys(fixed.gflops)).toEqual(['plain', 'transposeA', 'transposeB']);
    for (const skip of report.skipped) expect(skip).toEqual({ label: expect.any(String), why: expect.any(String) });
  });

  it.each([
    [['--size', '0'], "--size must be a positive integer, got '0'"],
    [['--repeats', 'many'], "--repeats must be a positive integer, got 'many'"],
    [['extra'], "unexpected argument 'extra'"],
  ])('rejects bad input %j with exit code 2', async (args, message) => {
    const io = bufferIo();
    const code = await runCli(['bench', 'backend', ...args], io, COMMANDS);
    expect(code).toBe(2);
    expect(io.stderr()).toContain(message);
    expect(io.stdout()).toBe('');
  });

  it('has help text naming every option', async () => {
    const io = bufferIo();
    expect(await runCli(['bench', 'backend', '--help'], io, COMMANDS)).toBe(0);
    for (const option of ['--size', '--repeats', '--cpu-repeats', '--json']) expect(io.stdout()).toContain(option);
  });
});
