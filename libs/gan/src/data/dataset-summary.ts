import { columnCounts, rowCounts } from './binary-matrix';
import type { Dataset } from './dataset';

export interface CodeFrequency {
  code: string;
  /** Records holding the code. */
  records: number;
  /** records / total records. */
  share: number;
  description?: string;
}

/** Aggregate numbers only (no record ids, no rows): safe to print, log or send from a site. */
export interface DatasetSummary {
  records: number;
  codes: number;
  vocabularyHash: string;
  rows: number;
  emptyCodeRows: number;
  droppedCodes: number;
  emptyRecords: number;
  codesPerRecord: { mean: number; median: number; min: number; max: number };
  /** Share of non-zero cells in the matrix. */
  density: number;
  topCodes: CodeFrequency[];
  demographics?: { female: number; male: number; unknownSex: number; ageMedian: number | null; ageKnown: number };
}

function median(sorted: ArrayLike<number>): number {
  const n = sorted.length;
  if (n === 0) return 0;
  const mid = Math.floor(n / 2);
  return n % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function summarizeDataset(ds: Dataset, options: { top?: number; descriptions?: ReadonlyMap<string, string> } = {}): DatasetSummary {
  const { matrix } = ds;
  const perRecord = rowCounts(matrix).sort();
  const holders = columnCounts(matrix);
  const total = perRecord.reduce((s, v) => s + v, 0);
  const order = Array.from(holders.keys()).sort((a, b) => holders[b] - holders[a] || (ds.vocabulary.codes[a] < ds.vocabulary.codes[b] ? -1 : 1));
  const topCodes = order.slice(0, options.top ?? 20).map((c) => {
    const code = ds.vocabulary.codes[c];
    const description = options.descriptions?.get(code);
    return { code, records: holders[c], share: matrix.rows > 0 ? holders[c] / matrix.rows : 0, ...(description !== undefined ? { description } : {}) };
  });
  const summary: DatasetSummary = {
    records: matrix.rows,
    codes: matrix.cols,
    vocabularyHash: ds.vocabulary.hash,
    rows: ds.stats.rows,
    emptyCodeRows: ds.stats.emptyCodes,
    droppedCodes: ds.stats.droppedCodes,
    emptyRecords: perRecord.filter((v) => v === 0).length,
    codesPerRecord: {
      mean: matrix.rows > 0 ? total / matrix.rows : 0,
      median: median(perRecord),
      min: perRecord.length > 0 ? perRecord[0] : 0,
      max: perRecord.length > 0 ? perRecord[perRecord.length - 1] : 0,
    },
    density: matrix.rows * matrix.cols > 0 ? total / (matrix.rows * matrix.cols) : 0,
    topCodes,
  };
  if (ds.demographics) {
    const { sex, age } = ds.demographics;
    const ages = age.filter((a): a is number => a !== null).sort((a, b) => a - b);
    summary.demographics = {
      female: sex.filter((s) => s === 'F').length,
      male: sex.filter((s) => s === 'M').length,
      unknownSex: sex.filter((s) => s !== 'F' && s !== 'M').length,
      ageMedian: ages.length > 0 ? median(ages) : null,
      ageKnown: ages.length,
    };
  }
  return summary;
}
