import type { BinaryMatrix } from '../../data/binary-matrix';

/**
 * A matrix from (row, column) entries listed in ascending column order (rows in any order
 * within a column), as the per-code samplers produce them. A stable counting sort by row keeps
 * each row's columns ascending, with no per-row sorting. Entries must not repeat.
 */
export function matrixFromColumnMajorPairs(rows: number, cols: number, pairRows: readonly number[], pairCols: readonly number[]): BinaryMatrix {
  const offsets = new Uint32Array(rows + 1);
  for (const r of pairRows) offsets[r + 1]++;
  for (let r = 0; r < rows; r++) offsets[r + 1] += offsets[r];
  const fill = offsets.slice(0, rows);
  const indices = new Uint32Array(pairRows.length);
  for (let i = 0; i < pairRows.length; i++) indices[fill[pairRows[i]]++] = pairCols[i];
  return { rows, cols, offsets, indices };
}
