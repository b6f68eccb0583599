import * as tf from '@tensorflow/tfjs';
import { FedsynthError } from '../errors/fedsynth-error';
import { loadTfjsNode } from './load-tfjs-node';
import { currentBackendName, initBackend } from './select-backend';
import { isWasmMatMulFixInstalled } from './wasm-matmul-fix';

// tfjs-node is optional and often present but broken (its install downloads libtensorflow).
const nativeLoads = loadTfjsNode().loaded;

describe('initBackend', () => {
  const saved = process.env['FEDSYNTH_BACKEND'];
  let lines: string[];
  const log = (line: string) => lines.push(line);

  beforeEach(() => {
    lines = [];
    delete process.env['FEDSYNTH_BACKEND'];
  });
  afterAll(() => {
    if (saved === undefined) delete process.env['FEDSYNTH_BACKEND'];
    else process.env['FEDSYNTH_BACKEND'] = saved;
  });

  it('rejects an invalid FEDSYNTH_BACKEND, naming the value and the allowed ones', async () => {
    process.env['FEDSYNTH_BACKEND'] = 'gpu';
    const attempt = initBackend({ log });
    await expect(attempt).rejects.toBeInstanceOf(FedsynthError);
    await expect(attempt).rejects.toThrow(/FEDSYNTH_BACKEND='gpu'.*tensorflow, wasm, cpu/);
    expect(lines).toEqual([]);
  });

  it('uses cpu when FEDSYNTH_BACKEND=cpu, and logs one line saying so', async () => {
    process.env['FEDSYNTH_BACKEND'] = 'cpu';
    const info = await initBackend({ log });
    expect(info).toMatchObject({ name: 'cpu', forced: true });
    expect(tf.getBackend()).toBe('cpu');
    expect(currentBackendName()).toBe('cpu');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/backend cpu .*FEDSYNTH_BACKEND=cpu/);
  });

  it('picks the fastest available backend when nothing is forced', async () => {
    const info = await initBackend({ log });
    const expected = nativeLoads ? 'tensorflow' : 'wasm';
    expect(info).toMatchObject({ name: expected, forced: false });
    expect(tf.getBackend()).toBe(expected);
    expect(lines).toHaveLength(1);
    if (info.name === 'wasm') {
      // Every Node ≥ 16 runtime has WebAssembly SIMD; losing it would be a silent 3× slowdown.
      expect(info).toMatchObject({ simd: true, threads: 1, matMulFix: true });
      expect(isWasmMatMulFixInstalled()).toBe(true);
      expect(lines[0]).toMatch(/backend wasm \(SIMD, 1 thread, transposed-matMul fix\) — fastest available: @tensorflow\/tfjs-node /);
    }
  });

  it('is idempotent: a second call returns the first result without reloading or logging', async () => {
    const first = await initBackend({ log });
    const kernel = tf.getKernel('BatchMatMul', 'wasm');
    const second = await initBackend({ log });
    expect(second).toBe(first);
    expect(tf.getKernel('BatchMatMul', 'wasm')).toBe(kernel);
    expect(lines).toHaveLength(0);
  });

  it('lets the force option override FEDSYNTH_BACKEND', async () => {
    process.env['FEDSYNTH_BACKEND'] = 'cpu';
    const info = await initBackend({ force: 'wasm', log });
    expect(info).toMatchObject({ name: 'wasm', forced: true });
    expect(info.reason).toBe("forced by the caller (force: 'wasm')");
    expect(lines).toHaveLength(1);
  });

  it('writes its line to stderr by default', async () => {
    const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await initBackend({ force: 'cpu' });
      expect(write).toHaveBeenCalledTimes(1);
      expect(String(write.mock.calls[0][0])).toMatch(/^fedsynth: TensorFlow\.js backend cpu .*\n$/);
    } finally {
      write.mockRestore();
    }
  });

  // Which branch runs depends on the machine (tfjs-node present and loading, or not); each
  // checks the forced request is honoured exactly: used, or refused without a fallback.
  it(`uses a forced tensorflow backend when tfjs-node loads, and otherwise fails rather than falling back (here: ${nativeLoads ? 'loads' : 'does not load'})`, async () => {
    process.env['FEDSYNTH_BACKEND'] = 'tensorflow';
    if (nativeLoads) {
      await expect(initBackend({ log })).resolves.toMatchObject({ name: 'tensorflow', forced: true });
      expect(tf.getBackend()).toBe('tensorflow');
      expect(lines).toHaveLength(1);
      return;
    }
    const before = tf.getBackend();
    await expect(initBackend({ log })).rejects.toThrow(
      /backend 'tensorflow' was requested by FEDSYNTH_BACKEND=tensorflow but cannot be used: @tensorflow\/tfjs-node (is not installed|is installed but failed to load)/,
    );
    expect(tf.getBackend()).toBe(before);
    expect(lines).toEqual([]);
  });
});
