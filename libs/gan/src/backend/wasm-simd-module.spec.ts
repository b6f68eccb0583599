import { simdKernelsFor, simdModuleBytes } from './wasm-simd-module';

// The project's TypeScript libs do not declare the WebAssembly JS API.
declare const WebAssembly: {
  validate(bytes: Uint8Array): boolean;
  Memory: new (descriptor: { initial: number }) => { buffer: ArrayBuffer };
};

/** A fresh one-page memory with float32 views at byte offsets. */
function memory() {
  const mem = new WebAssembly.Memory({ initial: 1 });
  const at = (byteOffset: number, length: number) => new Float32Array(mem.buffer, byteOffset, length);
  return { mem, at };
}

describe('the hand-assembled SIMD module', () => {
  it('is valid WebAssembly (this Node has SIMD) and exports its four loops', () => {
    expect(WebAssembly.validate(simdModuleBytes())).toBe(true);
    const { mem } = memory();
    expect(Object.keys(simdKernelsFor(mem) ?? {}).sort()).toEqual(['adam', 'axpyRows', 'sumRows', 'transpose4']);
    // Compiled once per memory.
    expect(simdKernelsFor(mem)).toBe(simdKernelsFor(mem));
  });

  it('sumRows adds rows into the output row', () => {
    const { mem, at } = memory();
    const x = at(0, 12); // 3 rows × 4
    x.set([1, 2, 3, 4, 10, 20, 30, 40, 100, 200, 300, 400]);
    const out = at(64, 4);
    simdKernelsFor(mem)!.sumRows(0, 64, 3, 16, 16);
    expect(Array.from(out)).toEqual([111, 222, 333, 444]);
  });

  it('transpose4 transposes whole 4 × 4 blocks', () => {
    const { mem, at } = memory();
    const x = at(0, 32); // 4 rows × 8
    x.set(Array.from({ length: 32 }, (_, i) => i));
    const out = at(256, 32); // 8 rows × 4
    simdKernelsFor(mem)!.transpose4(0, 256, 4, 8, 32, 16);
    for (let i = 0; i < 4; i++) for (let j = 0; j < 8; j++) expect(out[j * 4 + i]).toBe(x[i * 8 + j]);
  });

  it('axpyRows multiplies a [2, 3] by a [3, 4] matrix', () => {
    const { mem, at } = memory();
    at(0, 6).set([1, 2, 3, 4, 5, 6]);
    at(64, 12).set([1, 0, 0, 1, 0, 1, 0, 1, 0, 0, 1, 1]);
    const out = at(128, 8); // zeros
    simdKernelsFor(mem)!.axpyRows(0, 64, 128, 2, 3, 16, 16, 16);
    // Row 1: 1·[1 0 0 1] + 2·[0 1 0 1] + 3·[0 0 1 1] = [1 2 3 6]; row 2: [4 5 6 15].
    expect(Array.from(out)).toEqual([1, 2, 3, 6, 4, 5, 6, 15]);
  });

  it('adam makes one Adam step per value', () => {
    const { mem, at } = memory();
    const [w, g, m, v] = [0, 16, 32, 48].map((offset) => at(offset, 4));
    w.set([1, 1, 1, 1]);
    g.set([2, -2, 0, 0]);
    // λ = 0, β₁ = 0.9, β₂ = 0.999, first step (c₁ = 0.1, c₂ = 0.001), ε = 1e-7, lr = 0.1.
    simdKernelsFor(mem)!.adam(0, 16, 32, 48, 64, 80, 96, 16, 0, 0.9, 0.1, 0.999, 0.001, 0.1, 0.001, 1e-7, -0.1);
    const [newW, newM, newV] = [64, 80, 96].map((offset) => at(offset, 4));
    expect(newM[0]).toBeCloseTo(0.2, 6);
    expect(newV[1]).toBeCloseTo(0.004, 6);
    // The first step moves a weight by ≈ lr against its gradient's sign, and not at all without one.
    expect(Array.from(newW).map((x) => Math.round(x * 1e4) / 1e4)).toEqual([0.9, 1.1, 1, 1]);
  });
});
