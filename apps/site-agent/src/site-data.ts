import {
  columnCounts,
  matrixFromRows,
  readDataset,
  rowColumns,
  splitTrainHoldout,
  vocabularyIndex,
  type BinaryMatrix,
  type Dataset,
  type ReadOptions,
  type Vocabulary,
} from '@fedsynth/gan';
import type { DataSummary } from '@fedsynth/protocol';

export interface SiteDataOptions {
  /** How to read the site's records (readDataset's options). */
  read: ReadOptions;
  /** Share of records kept out of training for evaluation at the site. Default 0.2. */
  holdoutFraction?: number;
  /** Seeds the holdout split, so the same records are held out on every start. Default 1. */
  splitSeed?: number;
  /** k: a code is only announced when at least k training records hold it. Default 5. */
  minCodeCount?: number;
}

/** A site's records, read once and kept in memory; nothing here ever leaves the process. */
export interface SiteData {
  readonly train: Dataset;
  readonly holdout: Dataset;
  readonly minCodeCount: number;
  readonly read: ReadOptions;
}

export async function loadSiteData(options: SiteDataOptions): Promise<SiteData> {
  const dataset = await readDataset(options.read);
  const { train, holdout } = splitTrainHoldout(dataset, { holdoutFraction: options.holdoutFraction ?? 0.2, seed: options.splitSeed ?? 1 });
  return { train, holdout, minCodeCount: options.minCodeCount ?? 5, read: options.read };
}

/**
 * What the site tells the coordinator about its data: counts, and the codes held by at least
 * k training records. No record id, no row, no code held by fewer than k records.
 */
export function dataSummaryOf(data: SiteData): DataSummary {
  const counts = columnCounts(data.train.matrix);
  const codes = data.train.vocabulary.codes.filter((_, column) => counts[column] >= data.minCodeCount);
  return {
    recordCount: data.train.matrix.rows,
    recordUnit: data.read.unit ?? 'patient',
    codeLevel: data.read.rollup ? 'category' : 'full',
    minCodeCount: data.minCodeCount,
    codes,
  };
}

/**
 * The training matrix with the agreed vocabulary as its columns. Codes outside it are
 * dropped; every record stays (a record left with no code is still a real patient).
 */
export function matrixOnVocabulary(matrix: BinaryMatrix, from: Vocabulary, to: Vocabulary): BinaryMatrix {
  const target = vocabularyIndex(to);
  const remap = from.codes.map((code) => target.get(code) ?? -1);
  const rows: number[][] = [];
  for (let r = 0; r < matrix.rows; r++) {
    const columns: number[] = [];
    for (const c of rowColumns(matrix, r)) if (remap[c] >= 0) columns.push(remap[c]);
    rows.push(columns.sort((a, b) => a - b));
  }
  return matrixFromRows(rows, to.codes.length);
}

/**
 * What mapping the records onto a vocabulary drops, as two counts: the distinct codes the
 * records hold that are not columns of `to`, and the records that lose at least one code.
 * Counts only, for the site's own log: which code a record held stays in the matrix.
 */
export function droppedByVocabulary(matrix: BinaryMatrix, from: Vocabulary, to: Vocabulary): { codes: number; records: number } {
  const target = vocabularyIndex(to);
  const outside = from.codes.map((code) => !target.has(code));
  const held = new Uint8Array(from.codes.length);
  let records = 0;
  for (let r = 0; r < matrix.rows; r++) {
    let lost = false;
    for (const c of rowColumns(matrix, r)) {
      if (outside[c]) {
        held[c] = 1;
        lost = true;
      }
    }
    if (lost) records++;
  }
  return { codes: held.reduce((n, h) => n + h, 0), records };
}

/** Records holding at least one code of the matrix: what VocabularyAgreement reports. */
export function coveredRecords(matrix: BinaryMatrix): number {
  let covered = 0;
  for (let r = 0; r < matrix.rows; r++) if (rowColumns(matrix, r).length > 0) covered++;
  return covered;
}
