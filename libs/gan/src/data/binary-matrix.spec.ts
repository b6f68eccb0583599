import {
  columnCounts,
  denseRows,
  denseRowsAt,
  matrixFromDense,
  matrixFromRows,
  rowColumns,
  rowCounts,
  selectColumns,
  selectRows,
} from './binary-matrix';

describe('BinaryMatrix', () => {
  const m = matrixFromRows([[2, 0, 2], [], [1]], 3);

  it('stores sorted unique columns per row', () => {
    expect(Array.from(m.offsets)).toEqual([0, 2, 2, 3]);
    expect(Array.from(m.indices)).toEqual([0, 2, 1]);
    expect(Array.from(rowColumns(m, 0))).toEqual([0, 2]);
  });

  it('converts to and from dense float32', () => {
    const dense = denseRows(m);
    expect(Array.from(dense)).toEqual([1, 0, 1, 0, 0, 0, 0, 1, 0]);
    expect(matrixFromDense(dense, 3, 3)).toEqual(m);
    expect(Array.from(denseRows(m, 2, 3))).toEqual([0, 1, 0]);
    expect(Array.from(denseRowsAt(m, [2, 0]))).toEqual([0, 1, 0, 1, 0, 1]);
  });

  it('counts codes per column and per row', () => {
    expect(Array.from(columnCounts(m))).toEqual([1, 1, 1]);
    expect(Array.from(rowCounts(m))).toEqual([2, 0, 1]);
  });

  it('selects rows and columns', () => {
    expect(Array.from(denseRows(selectRows(m, [2, 2, 0])))).toEqual([0, 1, 0, 0, 1, 0, 1, 0, 1]);
    const cols = selectColumns(m, [2, 1]);
    expect(cols.cols).toBe(2);
    expect(Array.from(denseRows(cols))).toEqual([1, 0, 0, 0, 0, 1]);
  });

  it('refuses out-of-range columns and rows with messages naming them', () => {
    expect(() => matrixFromRows([[3]], 3)).toThrow('row 0: column 3 is outside 0..2');
    expect(() => selectRows(m, [5])).toThrow('row 5 outside a matrix of 3 rows');
    expect(() => matrixFromDense([1, 0], 2, 2)).toThrow('dense array has 2 values, expected 2 × 2 = 4');
  });
});
