import { DataError } from '../../errors/fedsynth-error';
import { checkFieldCount, readCsvFile, requireColumn } from '../csv/read-csv-file';
import type { Dataset, ReadOptions } from '../dataset';
import { icd9Category } from '../icd9-rollup';
import { RecordAccumulator } from './record-accumulator';

export const DEFAULT_RECORD_COLUMN = 'patient';
export const DEFAULT_CODE_COLUMN = 'code';

/**
 * Reads a long CSV of (record id, code) pairs, one row per code, e.g. Synthea's
 * conditions.csv with --record-column PATIENT --code-column CODE. Codes are opaque strings
 * (SNOMED, ICD-10, …); --rollup applies ICD-9 categories and is only meaningful for ICD-9.
 */
export async function readLong(options: ReadOptions): Promise<Dataset> {
  const file = options.input;
  const recordName = options.recordColumn ?? DEFAULT_RECORD_COLUMN;
  const codeName = options.codeColumn ?? DEFAULT_CODE_COLUMN;
  const acc = new RecordAccumulator(options.vocabulary);
  acc.stats.files.push(file);
  let recordCol = -1;
  let codeCol = -1;
  let width = 0;
  const { rows } = await readCsvFile(file, {
    header(fields) {
      width = fields.length;
      recordCol = requireColumn(file, fields, recordName, 'name it with --record-column');
      codeCol = requireColumn(file, fields, codeName, 'name it with --code-column');
    },
    row(fields, line) {
      checkFieldCount(file, line, fields, width);
      const id = fields[recordCol].trim();
      if (id.length === 0) throw new DataError(file, line, `empty record id in column '${recordName}'`, 'DATA_MALFORMED_ROW');
      const code = fields[codeCol].trim();
      acc.add(id, options.rollup && code.length > 0 ? icd9Category(code) : code);
    },
  });
  acc.stats.rows = rows;
  return acc.finish(options.minCount ?? 1);
}
