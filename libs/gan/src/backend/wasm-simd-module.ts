/**
 * A tiny WebAssembly module, assembled here byte by byte, with four SIMD loops that run
 * directly on the wasm backend's heap (the module imports the backend's memory), each doing
 * in one pass what TensorFlow.js's wasm kernels do in several, through a transpose, or after
 * packing. adam, sumRows and transpose4 perform the same float32 operations in the same
 * order as the stock kernels, so their results are equal to the bit; axpyRows adds a
 * product's terms in another order than XNNPACK (equal up to float32 rounding).
 *
 * adam(w, g, m, v, newW, newM, newV, bytes, λ, β₁, 1−β₁, β₂, 1−β₂, c₁, c₂, ε, −lr): the first
 * seven arguments are byte offsets of float32 arrays, `bytes` the length to process (a
 * multiple of 16); per element, as tf.train.adam computes it,
 *   g' = g + w·λ;  m' = m·β₁ + g'·(1−β₁);  v' = v·β₂ + (g'·g')·(1−β₂)
 *   w' = ((m'/c₁) / (√(v'/c₂) + ε))·(−lr) + w
 * (A scalar JS loop over a 1071 × 256 kernel is no faster than tf.train.adam's dozen SIMD
 * kernels; this is one pass at SIMD speed.)
 *
 * sumRows(x, out, rows, strideBytes, bytes): out[j] += x[k·stride + j] for k = 0 … rows−1 in
 * order, over the first `bytes` (a multiple of 16) of each row: column sums of a row-major
 * matrix without transposing it.
 *
 * axpyRows(a, b, out, m, k, bytes, bStrideBytes, outStrideBytes): out[i, :] += a[i, p]·b[p, :]
 * for i < m, p = 0 … k−1 in order, over the first `bytes` (a multiple of 16) of each row: a
 * matrix product that streams b row by row, for products with only a few rows, where XNNPACK
 * spends its time packing b.
 *
 * transpose4(x, out, rows4, cols4, rowStrideBytes, outStrideBytes): out[j][i] = x[i][j] for
 * i < rows4, j < cols4 (multiples of 4), moving 4 × 4 blocks through SIMD shuffles. 32-bit
 * values are moved, never computed on. (The stock wasm transpose runs ~10 ns per value.)
 */

/** The few WebAssembly JS API members used here (the project's TypeScript libs do not declare them). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
declare const WebAssembly: {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
};

/** Unsigned LEB128, as the binary format encodes sizes and indices. */
function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function section(id: number, body: number[]): number[] {
  return [id, ...leb(body.length), ...body];
}

function name(text: string): number[] {
  const bytes = [...Buffer.from(text, 'utf8')];
  return [...leb(bytes.length), ...bytes];
}

const I32 = 0x7f;
const F32 = 0x7d;
const V128 = 0x7b;

// Instructions used below.
const get = (i: number) => [0x20, i];
const set = (i: number) => [0x21, i];
const i32Add = [0x6a];
const i32GeU = [0x4f];
const i32Mul = [0x6c];
const i32Shl = [0x74];
/** i8x16.shuffle picking 32-bit lanes: 0-3 from the first operand, 4-7 from the second. */
const shuffle32 = (lanes: number[]) => [0xfd, 0x0d, ...lanes.flatMap((l) => [4 * l, 4 * l + 1, 4 * l + 2, 4 * l + 3])];
/** i32.const takes a signed LEB128: a non-negative value whose last byte has bit 6 set needs one more byte. */
const i32Const = (n: number) => {
  const bytes = leb(n);
  if (bytes[bytes.length - 1] & 0x40) {
    bytes[bytes.length - 1] |= 0x80;
    bytes.push(0x00);
  }
  return [0x41, ...bytes];
};
const load = [0xfd, 0x00, 0x00, 0x00]; // v128.load align=1 offset=0 (unaligned is allowed)
const store = [0xfd, 0x0b, 0x00, 0x00]; // v128.store
const splat = [0xfd, 0x13]; // f32x4.splat
const sqrt = [0xfd, 0xe3, 0x01];
const add = [0xfd, 0xe4, 0x01];
const mul = [0xfd, 0xe6, 0x01];
const div = [0xfd, 0xe7, 0x01];

// Parameters: 8 i32 offsets/length, then 9 f32 coefficients.
const [W, G, M, V, NEW_W, NEW_M, NEW_V, BYTES] = [0, 1, 2, 3, 4, 5, 6, 7];
const COEFFICIENTS = 9; // λ, β₁, 1−β₁, β₂, 1−β₂, c₁, c₂, ε, −lr: parameters 8..16
// Locals: the byte index, the splatted coefficients (17 + 1 + k), and four vectors.
const I = 17;
const [L2, B1, ONE_MINUS_B1, B2, ONE_MINUS_B2, C1, C2, EPS, NEG_LR] = Array.from({ length: COEFFICIENTS }, (_, k) => 18 + k);
const [WV, GV, MV, VV] = [27, 28, 29, 30];

const at = (base: number) => [...get(base), ...get(I), ...i32Add];

function adamBody(): number[] {
  const code = [
    // Splat each coefficient once.
    ...Array.from({ length: COEFFICIENTS }, (_, k) => [...get(8 + k), ...splat, ...set(18 + k)]).flat(),
    0x02, 0x40, // block
    0x03, 0x40, // loop
    ...get(I), ...get(BYTES), ...i32GeU, 0x0d, 0x01, // br_if 1 (leave the block) once i ≥ bytes
    ...at(W), ...load, ...set(WV),
    ...at(G), ...load, ...get(WV), ...get(L2), ...mul, ...add, ...set(GV),
    ...at(M), ...load, ...get(B1), ...mul, ...get(GV), ...get(ONE_MINUS_B1), ...mul, ...add, ...set(MV),
    ...at(NEW_M), ...get(MV), ...store,
    ...at(V), ...load, ...get(B2), ...mul, ...get(GV), ...get(GV), ...mul, ...get(ONE_MINUS_B2), ...mul, ...add, ...set(VV),
    ...at(NEW_V), ...get(VV), ...store,
    ...at(NEW_W),
    ...get(MV), ...get(C1), ...div,
    ...get(VV), ...get(C2), ...div, ...sqrt, ...get(EPS), ...add,
    ...div, ...get(NEG_LR), ...mul, ...get(WV), ...add,
    ...store,
    ...get(I), ...i32Const(16), ...i32Add, ...set(I),
    0x0c, 0x00, // br 0 (next iteration)
    0x0b, // end loop
    0x0b, // end block
    0x0b, // end function
  ];
  const locals = [...leb(2), ...leb(1), I32, ...leb(COEFFICIENTS + 4), V128];
  const fn = [...locals, ...code];
  return [...leb(fn.length), ...fn];
}

// sumRows: parameters x, out, rows, strideBytes, bytes; locals k, j, row address.
const [X, OUT, ROWS, STRIDE, ROW_BYTES, K, J, ROW] = [0, 1, 2, 3, 4, 5, 6, 7];

function sumRowsBody(): number[] {
  const code = [
    0x02, 0x40, // block (rows)
    0x03, 0x40, // loop
    ...get(K), ...get(ROWS), ...i32GeU, 0x0d, 0x01,
    ...get(X), ...get(K), ...get(STRIDE), ...i32Mul, ...i32Add, ...set(ROW),
    ...i32Const(0), ...set(J),
    0x02, 0x40, // block (columns)
    0x03, 0x40, // loop
    ...get(J), ...get(ROW_BYTES), ...i32GeU, 0x0d, 0x01,
    ...get(OUT), ...get(J), ...i32Add, // store address
    ...get(OUT), ...get(J), ...i32Add, ...load,
    ...get(ROW), ...get(J), ...i32Add, ...load,
    ...add,
    ...store,
    ...get(J), ...i32Const(16), ...i32Add, ...set(J),
    0x0c, 0x00,
    0x0b, 0x0b, // end loop, end block (columns)
    ...get(K), ...i32Const(1), ...i32Add, ...set(K),
    0x0c, 0x00,
    0x0b, 0x0b, // end loop, end block (rows)
    0x0b, // end function
  ];
  const fn = [...leb(1), ...leb(3), I32, ...code];
  return [...leb(fn.length), ...fn];
}

// transpose4: parameters x, out, rows4, cols4, rowStride, outStride; locals i, j, src, dst
// (i32) and r0-r3, t0-t3 (v128).
const [TX, TOUT, ROWS4, COLS4, RS, OS, TI, TJ, SRC, DST] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
const [R0, R1, R2, R3, T0, T1, T2, T3] = [10, 11, 12, 13, 14, 15, 16, 17];

function transpose4Body(): number[] {
  const times = (k: number) => (k === 1 ? [] : k === 2 ? [...i32Const(1), ...i32Shl] : [...i32Const(k), ...i32Mul]);
  const rowOf = (base: number, stride: number, k: number) => (k === 0 ? get(base) : [...get(base), ...get(stride), ...times(k), ...i32Add]);
  const code = [
    // Column blocks outside, row blocks inside: the output is written row after row, and the
    // input's columns are read at a stride that is rarely a power of two (the output's often is,
    // and sweeping it would evict each cache line before its next 16 bytes arrive).
    0x02, 0x40, 0x03, 0x40, // block, loop (column blocks)
    ...get(TJ), ...get(COLS4), ...i32GeU, 0x0d, 0x01,
    ...i32Const(0), ...set(TI),
    0x02, 0x40, 0x03, 0x40, // block, loop (row blocks)
    ...get(TI), ...get(ROWS4), ...i32GeU, 0x0d, 0x01,
    // src = x + i·rowStride + 4j; dst = out + j·outStride + 4i
    ...get(TX), ...get(TI), ...get(RS), ...i32Mul, ...i32Add, ...get(TJ), ...i32Const(2), ...i32Shl, ...i32Add, ...set(SRC),
    ...get(TOUT), ...get(TJ), ...get(OS), ...i32Mul, ...i32Add, ...get(TI), ...i32Const(2), ...i32Shl, ...i32Add, ...set(DST),
    ...[R0, R1, R2, R3].flatMap((r, k) => [...rowOf(SRC, RS, k), ...load, ...set(r)]),
    ...get(R0), ...get(R1), ...shuffle32([0, 4, 1, 5]), ...set(T0), // a0 b0 a1 b1
    ...get(R0), ...get(R1), ...shuffle32([2, 6, 3, 7]), ...set(T1), // a2 b2 a3 b3
    ...get(R2), ...get(R3), ...shuffle32([0, 4, 1, 5]), ...set(T2), // c0 d0 c1 d1
    ...get(R2), ...get(R3), ...shuffle32([2, 6, 3, 7]), ...set(T3), // c2 d2 c3 d3
    ...rowOf(DST, OS, 0), ...get(T0), ...get(T2), ...shuffle32([0, 1, 4, 5]), ...store, // a0 b0 c0 d0
    ...rowOf(DST, OS, 1), ...get(T0), ...get(T2), ...shuffle32([2, 3, 6, 7]), ...store, // a1 b1 c1 d1
    ...rowOf(DST, OS, 2), ...get(T1), ...get(T3), ...shuffle32([0, 1, 4, 5]), ...store, // a2 b2 c2 d2
    ...rowOf(DST, OS, 3), ...get(T1), ...get(T3), ...shuffle32([2, 3, 6, 7]), ...store, // a3 b3 c3 d3
    ...get(TI), ...i32Const(4), ...i32Add, ...set(TI),
    0x0c, 0x00, 0x0b, 0x0b, // br (next row block), end loop, end block
    ...get(TJ), ...i32Const(4), ...i32Add, ...set(TJ),
    0x0c, 0x00, 0x0b, 0x0b, // br (next column block), end loop, end block
    0x0b,
  ];
  const fn = [...leb(2), ...leb(4), I32, ...leb(8), V128, ...code];
  return [...leb(fn.length), ...fn];
}

// axpyRows: parameters a, b, out, m, k, bytes, bStride, outStride; locals i, p, j, scale, bRow, outRow.
const [AA, AB, AOUT, AM, AK, ABYTES, ABS, AOS, AI, AP, AJ, ASCALE, AB_ROW, AOUT_ROW] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13];

function axpyRowsBody(): number[] {
  const f32Load = [0x2a, 0x02, 0x00]; // f32.load align=4 offset=0
  const code = [
    0x02, 0x40, 0x03, 0x40, // block, loop (rows of a)
    ...get(AI), ...get(AM), ...i32GeU, 0x0d, 0x01,
    ...get(AOUT), ...get(AI), ...get(AOS), ...i32Mul, ...i32Add, ...set(AOUT_ROW),
    ...i32Const(0), ...set(AP),
    0x02, 0x40, 0x03, 0x40, // block, loop (inner dimension)
    ...get(AP), ...get(AK), ...i32GeU, 0x0d, 0x01,
    // scale = splat(a[i·k + p]); bRow = b + p·bStride
    ...get(AA), ...get(AI), ...get(AK), ...i32Mul, ...get(AP), ...i32Add, ...i32Const(2), ...i32Shl, ...i32Add, ...f32Load, ...splat, ...set(ASCALE),
    ...get(AB), ...get(AP), ...get(ABS), ...i32Mul, ...i32Add, ...set(AB_ROW),
    ...i32Const(0), ...set(AJ),
    0x02, 0x40, 0x03, 0x40, // block, loop (columns)
    ...get(AJ), ...get(ABYTES), ...i32GeU, 0x0d, 0x01,
    ...get(AOUT_ROW), ...get(AJ), ...i32Add, // store address
    ...get(AOUT_ROW), ...get(AJ), ...i32Add, ...load,
    ...get(ASCALE), ...get(AB_ROW), ...get(AJ), ...i32Add, ...load, ...mul,
    ...add,
    ...store,
    ...get(AJ), ...i32Const(16), ...i32Add, ...set(AJ),
    0x0c, 0x00, 0x0b, 0x0b,
    ...get(AP), ...i32Const(1), ...i32Add, ...set(AP),
    0x0c, 0x00, 0x0b, 0x0b,
    ...get(AI), ...i32Const(1), ...i32Add, ...set(AI),
    0x0c, 0x00, 0x0b, 0x0b,
    0x0b,
  ];
  // Locals: i, p, j (i32), scale (v128), bRow, outRow (i32) — in that index order.
  const fn = [...leb(3), ...leb(3), I32, ...leb(1), V128, ...leb(2), I32, ...code];
  return [...leb(fn.length), ...fn];
}

export function simdModuleBytes(): Uint8Array {
  const adamParams = [...Array<number>(8).fill(I32), ...Array<number>(COEFFICIENTS).fill(F32)];
  const sumRowsParams = Array<number>(5).fill(I32);
  const transposeParams = Array<number>(6).fill(I32);
  const axpyParams = Array<number>(8).fill(I32);
  const functionType = (params: number[]) => [0x60, ...leb(params.length), ...params, ...leb(0)];
  const bytes = [
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [...leb(4), ...functionType(adamParams), ...functionType(sumRowsParams), ...functionType(transposeParams), ...functionType(axpyParams)]),
    ...section(2, [...leb(1), ...name('env'), ...name('memory'), 0x02, 0x00, ...leb(1)]),
    ...section(3, [...leb(4), ...leb(0), ...leb(1), ...leb(2), ...leb(3)]),
    ...section(7, [...leb(4), ...name('adam'), 0x00, ...leb(0), ...name('sumRows'), 0x00, ...leb(1), ...name('transpose4'), 0x00, ...leb(2), ...name('axpyRows'), 0x00, ...leb(3)]),
    ...section(10, [...leb(4), ...adamBody(), ...sumRowsBody(), ...transpose4Body(), ...axpyRowsBody()]),
  ];
  return Uint8Array.from(bytes);
}

export type SimdAdam = (
  w: number,
  g: number,
  m: number,
  v: number,
  newW: number,
  newM: number,
  newV: number,
  bytes: number,
  l2: number,
  beta1: number,
  oneMinusBeta1: number,
  beta2: number,
  oneMinusBeta2: number,
  biasCorrection1: number,
  biasCorrection2: number,
  epsilon: number,
  negativeLearningRate: number,
) => void;

export type SimdSumRows = (x: number, out: number, rows: number, strideBytes: number, bytes: number) => void;
export type SimdAxpyRows = (a: number, b: number, out: number, m: number, k: number, bytes: number, bStrideBytes: number, outStrideBytes: number) => void;
export type SimdTranspose4 = (x: number, out: number, rows4: number, cols4: number, rowStrideBytes: number, outStrideBytes: number) => void;

export interface SimdKernels {
  readonly adam: SimdAdam;
  readonly sumRows: SimdSumRows;
  readonly transpose4: SimdTranspose4;
  readonly axpyRows: SimdAxpyRows;
}

const instances = new WeakMap<WasmMemory, SimdKernels | null>();

/**
 * The module's functions bound to `memory`, or null when this runtime lacks WebAssembly
 * SIMD. Compiled once per memory (synchronously: the module is a few hundred bytes).
 */
export function simdKernelsFor(memory: WasmMemory): SimdKernels | null {
  let kernels = instances.get(memory);
  if (kernels === undefined) {
    const bytes = simdModuleBytes();
    if (WebAssembly.validate(bytes)) {
      const exports = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports;
      kernels = { adam: exports['adam'] as SimdAdam, sumRows: exports['sumRows'] as SimdSumRows, transpose4: exports['transpose4'] as SimdTranspose4, axpyRows: exports['axpyRows'] as SimdAxpyRows };
    } else {
      kernels = null;
    }
    instances.set(memory, kernels);
  }
  return kernels;
}

/** The wasm backend's memory, from its Emscripten module; undefined for another backend. */
export function wasmBackendMemory(backend: unknown): WasmMemory | undefined {
  return (backend as { wasm?: { asm?: { memory?: WasmMemory } } }).wasm?.asm?.memory;
}

/** The SIMD kernels for the wasm backend `backend`, or null (no SIMD, or not wasm). */
export function simdKernelsOf(backend: unknown): SimdKernels | null {
  const memory = wasmBackendMemory(backend);
  return memory ? simdKernelsFor(memory) : null;
}
