import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { rowColumns, type BinaryMatrix } from '../data/binary-matrix';
import { csvField } from '../data/simulate/csv-field';
import type { Vocabulary } from '../data/vocabulary';
import { FedsynthError } from '../errors/fedsynth-error';

export const SYNTHETIC_LAYOUTS = ['long', 'wide'] as const;
export type SyntheticLayout = (typeof SYNTHETIC_LAYOUTS)[number];

export interface WriteSyntheticOptions {
  /** long: `patient,code`, one row per code; wide: `patient,<code>,…` with 0/1 cells. */
  layout: SyntheticLayout;
  /** Prefix of the synthetic patient ids, numbered from 1 and zero-padded. Default `synthetic-`. */
  idPrefix?: string;
}

export interface WriteSyntheticResult {
  records: number;
  /** Data rows written (long: one per code; wide: one per record). */
  rows: number;
  /** Records holding no code: in the long layout they have no row at all. */
  emptyRecords: number;
}

/** Patient ids `synthetic-000001` …, padded to the width of the count so they sort as numbers. */
export function syntheticIds(count: number, prefix = 'synthetic-'): (index: number) => string {
  const width = Math.max(6, String(count).length);
  return (index) => `${prefix}${String(index + 1).padStart(width, '0')}`;
}

/**
 * Writes synthetic records as CSV that fedsynth's own readers read back (`--format long` or
 * `--format wide`). Streams in chunks with back-pressure, so a wide file of 46,520 × 1,071
 * cells never sits in memory as one string.
 */
export async function writeSyntheticCsv(file: string, matrix: BinaryMatrix, vocabulary: Vocabulary, options: WriteSyntheticOptions): Promise<WriteSyntheticResult> {
  if (vocabulary.codes.length !== matrix.cols) {
    throw new FedsynthError(`the vocabulary has ${vocabulary.codes.length} codes but the records have ${matrix.cols} columns`, 'SAMPLE_VOCABULARY_MISMATCH');
  }
  const id = syntheticIds(matrix.rows, options.idPrefix);
  const codes = vocabulary.codes.map(csvField);
  const out = createWriteStream(file, { encoding: 'utf8' });
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  failed.catch(() => undefined);
  let chunk = '';
  const flush = async () => {
    if (chunk.length === 0) return;
    const text = chunk;
    chunk = '';
    if (!out.write(text)) await Promise.race([once(out, 'drain'), failed]);
  };
  let rows = 0;
  let emptyRecords = 0;
  if (options.layout === 'long') {
    chunk += 'patient,code\n';
  } else {
    chunk += `patient,${codes.join(',')}\n`;
  }
  const cells = new Array<string>(matrix.cols).fill('0');
  for (let r = 0; r < matrix.rows; r++) {
    const columns = rowColumns(matrix, r);
    if (columns.length === 0) emptyRecords++;
    const patient = csvField(id(r));
    if (options.layout === 'long') {
      for (const c of columns) chunk += `${patient},${codes[c]}\n`;
      rows += columns.length;
    } else {
      for (const c of columns) cells[c] = '1';
      chunk += `${patient},${cells.join(',')}\n`;
      for (const c of columns) cells[c] = '0';
      rows++;
    }
    if (chunk.length >= 1 << 16) await flush();
  }
  await flush();
  out.end();
  await Promise.race([once(out, 'finish'), failed]);
  return { records: matrix.rows, rows, emptyRecords };
}
