import { DataError } from '../../errors/fedsynth-error';
import { checkFieldCount, readCsvFile } from '../csv/read-csv-file';
import type { Dataset, ReadOptions } from '../dataset';
import { icd9Category } from '../icd9-rollup';
import { RecordAccumulator } from './record-accumulator';

/** Header names taken as the record-id column of a wide file when --record-column is not given. */
const ID_COLUMN_NAMES = new Set(['patient', 'record', 'record_id', 'id', 'subject_id', 'hadm_id']);

/**
 * Reads a wide binary CSV: one column per code holding 0 or 1, and optionally a first column
 * of record ids (named by --record-column, or one of patient/record/record_id/id/subject_id/hadm_id).
 * Without an id column, records are numbered from 1 by row.
 */
export async function readWide(options: ReadOptions): Promise<Dataset> {
  const file = options.input;
  const acc = new RecordAccumulator(options.vocabulary);
  acc.stats.files.push(file);
  let idCol = -1;
  let codes: string[] = [];
  let width = 0;
  let rowNumber = 0;
  const { rows } = await readCsvFile(file, {
    header(fields) {
      width = fields.length;
      if (options.recordColumn) {
        idCol = fields.findIndex((f) => f.toLowerCase() === options.recordColumn!.toLowerCase());
        if (idCol < 0) throw new DataError(file, 1, `missing column '${options.recordColumn}' (columns are: ${fields.slice(0, 8).join(', ')}${fields.length > 8 ? ', …' : ''})`, 'DATA_MISSING_COLUMN');
      } else if (ID_COLUMN_NAMES.has(fields[0].toLowerCase())) {
        idCol = 0;
      }
      codes = fields.map((f, i) => (i === idCol ? '' : options.rollup ? icd9Category(f) : f));
      const seen = new Map<string, number>();
      fields.forEach((f, i) => {
        if (i === idCol) return;
        if (f.length === 0) throw new DataError(file, 1, `column ${i + 1} has an empty code name`, 'DATA_MISSING_COLUMN');
        if (seen.has(f) ) throw new DataError(file, 1, `code column '${f}' appears twice (columns ${seen.get(f)! + 1} and ${i + 1})`, 'DATA_MALFORMED_ROW');
        seen.set(f, i);
      });
      if (seen.size === 0) throw new DataError(file, 1, 'no code columns', 'DATA_MISSING_COLUMN');
    },
    row(fields, line) {
      checkFieldCount(file, line, fields, width);
      rowNumber++;
      const id = idCol >= 0 ? fields[idCol].trim() : String(rowNumber);
      if (id.length === 0) throw new DataError(file, line, 'empty record id', 'DATA_MALFORMED_ROW');
      acc.record(id);
      for (let i = 0; i < fields.length; i++) {
        if (i === idCol) continue;
        const v = fields[i].trim();
        if (v === '0' || v === '') continue;
        if (v === '1') {
          acc.add(id, codes[i]);
          continue;
        }
        throw new DataError(file, line, `column '${codes[i]}' holds '${v}'; a wide file holds only 0 or 1`, 'DATA_MALFORMED_ROW');
      }
    },
  });
  acc.stats.rows = rows;
  return acc.finish(options.minCount ?? 1);
}
