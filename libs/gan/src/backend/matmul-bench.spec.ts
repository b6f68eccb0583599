import * as tf from '@tensorflow/tfjs';
import { benchBackends, timeMatMuls } from './matmul-bench';
import { activateWasmBackend } from './load-wasm-backend';
import { installWasmMatMulFix, isWasmMatMulFixInstalled, uninstallWasmMatMulFix } from './wasm-matmul-fix';

describe('timeMatMuls', () => {
  it('reports a finite median and GFLOP/s for each variant and frees its tensors', async () => {
    await tf.setBackend('cpu');
    const before = tf.memory().numTensors;
    const timings = timeMatMuls(8, 3);
    expect(Object.keys(timings)).toEqual(['plain', 'transposeA', 'transposeB']);
    for (const { medianMs, gflops } of Object.values(timings)) {
      expect(Number.isFinite(medianMs)).toBe(true);
      expect(gflops).toBeGreaterThan(0);
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('benchBackends', () => {
  it.each([true, false])('measures wasm fixed and stock plus cpu, then restores the fix (installed before: %s)', async (installed) => {
    await activateWasmBackend();
    if (installed) installWasmMatMulFix();
    else uninstallWasmMatMulFix();
    const progress: string[] = [];
    const report = await benchBackends({ size: 8, repeats: 1, cpuRepeats: 1, onProgress: (line) => progress.push(line) });
    expect(report.rows.map((r) => r.label)).toEqual(expect.arrayContaining(['wasm (fixed)', 'wasm (stock)', 'cpu']));
    expect(report.rows.find((r) => r.label === 'wasm (fixed)')).toMatchObject({ backend: 'wasm', matMulFix: true });
    expect(report.rows.find((r) => r.label === 'wasm (stock)')).toMatchObject({ backend: 'wasm', matMulFix: false });
    expect(progress).toContain('measuring cpu');
    expect(isWasmMatMulFixInstalled()).toBe(installed);
    expect(tf.getBackend()).toBe('wasm');
  });
});
