/**
 * A binary records × codes matrix in compressed sparse row form. Diagnosis matrices are
 * ~1% dense (11 codes of 1,071 per MIMIC-III patient), so the compact form is ~25× smaller
 * than dense float32 and dense rows are materialised only one batch at a time.
 */
export interface BinaryMatrix {
  /** Number of records (rows). */
  readonly rows: number;
  /** Vocabulary size (columns). */
  readonly cols: number;
  /** Row i holds columns `indices[offsets[i] .. offsets[i+1])`, ascending, no repeats. Length rows + 1. */
  readonly offsets: Uint32Array;
  readonly indices: Uint32Array;
}

/** Builds a matrix from per-record column lists (unsorted, repeats allowed). */
export function matrixFromRows(rowColumns: readonly (readonly number[])[], cols: number): BinaryMatrix {
  const offsets = new Uint32Array(rowColumns.length + 1);
  const flat: number[] = [];
  rowColumns.forEach((columns, i) => {
    const unique = Array.from(new Set(columns)).sort((a, b) => a - b);
    for (const c of unique) {
      if (!Number.isInteger(c) || c < 0 || c >= cols) {
        throw new RangeError(`row ${i}: column ${c} is outside 0..${cols - 1}`);
      }
      flat.push(c);
    }
    offsets[i + 1] = flat.length;
  });
  return { rows: rowColumns.length, cols, offsets, indices: Uint32Array.from(flat) };
}

/** Builds a matrix from a dense row-major array; any non-zero value counts as 1. */
export function matrixFromDense(dense: ArrayLike<number>, rows: number, cols: number): BinaryMatrix {
  if (dense.length !== rows * cols) {
    throw new RangeError(`dense array has ${dense.length} values, expected ${rows} × ${cols} = ${rows * cols}`);
  }
  const offsets = new Uint32Array(rows + 1);
  const flat: number[] = [];
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) if (dense[base + c] !== 0) flat.push(c);
    offsets[r + 1] = flat.length;
  }
  return { rows, cols, offsets, indices: Uint32Array.from(flat) };
}

/** The column indices of row r (a view, not a copy). */
export function rowColumns(m: BinaryMatrix, r: number): Uint32Array {
  return m.indices.subarray(m.offsets[r], m.offsets[r + 1]);
}

/** Dense float32 rows [start, end) — the form a training batch takes. */
export function denseRows(m: BinaryMatrix, start = 0, end = m.rows): Float32Array {
  if (start < 0 || end > m.rows || start > end) {
    throw new RangeError(`rows [${start}, ${end}) outside a matrix of ${m.rows} rows`);
  }
  const out = new Float32Array((end - start) * m.cols);
  for (let r = start; r < end; r++) {
    const base = (r - start) * m.cols;
    for (let k = m.offsets[r]; k < m.offsets[r + 1]; k++) out[base + m.indices[k]] = 1;
  }
  return out;
}

/** Dense float32 rows picked by index (for shuffled batches). */
export function denseRowsAt(m: BinaryMatrix, rowIndices: ArrayLike<number>): Float32Array {
  const out = new Float32Array(rowIndices.length * m.cols);
  for (let i = 0; i < rowIndices.length; i++) {
    const r = rowIndices[i];
    const base = i * m.cols;
    for (let k = m.offsets[r]; k < m.offsets[r + 1]; k++) out[base + m.indices[k]] = 1;
  }
  return out;
}

/** A new matrix holding the given rows, in the given order. */
export function selectRows(m: BinaryMatrix, rowIndices: ArrayLike<number>): BinaryMatrix {
  const offsets = new Uint32Array(rowIndices.length + 1);
  let nnz = 0;
  for (let i = 0; i < rowIndices.length; i++) {
    const r = rowIndices[i];
    if (r < 0 || r >= m.rows) throw new RangeError(`row ${r} outside a matrix of ${m.rows} rows`);
    nnz += m.offsets[r + 1] - m.offsets[r];
    offsets[i + 1] = nnz;
  }
  const indices = new Uint32Array(nnz);
  for (let i = 0; i < rowIndices.length; i++) {
    const r = rowIndices[i];
    indices.set(m.indices.subarray(m.offsets[r], m.offsets[r + 1]), offsets[i]);
  }
  return { rows: rowIndices.length, cols: m.cols, offsets, indices };
}

/** Number of records holding each code. */
export function columnCounts(m: BinaryMatrix): Uint32Array {
  const counts = new Uint32Array(m.cols);
  for (let k = 0; k < m.indices.length; k++) counts[m.indices[k]]++;
  return counts;
}

/** Number of codes in each record. */
export function rowCounts(m: BinaryMatrix): Uint32Array {
  const counts = new Uint32Array(m.rows);
  for (let r = 0; r < m.rows; r++) counts[r] = m.offsets[r + 1] - m.offsets[r];
  return counts;
}

/** Keeps only the given columns, renumbered in the order given (e.g. to restrict to a vocabulary). */
export function selectColumns(m: BinaryMatrix, keep: readonly number[]): BinaryMatrix {
  const map = new Int32Array(m.cols).fill(-1);
  keep.forEach((c, i) => {
    map[c] = i;
  });
  const rows: number[][] = [];
  for (let r = 0; r < m.rows; r++) {
    const out: number[] = [];
    for (let k = m.offsets[r]; k < m.offsets[r + 1]; k++) if (map[m.indices[k]] >= 0) out.push(map[m.indices[k]]);
    rows.push(out);
  }
  return matrixFromRows(rows, keep.length);
}
