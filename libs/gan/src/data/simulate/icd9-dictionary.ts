import { readFile } from 'node:fs/promises';
import { DataError, FedsynthError } from '../../errors/fedsynth-error';
import { CsvLineParser } from '../csv/csv-line-parser';
import type { Icd9Entry } from './icd9';

const HEADER = ['row_id', 'icd9_code', 'short_title', 'long_title'];

/**
 * Parses a MIMIC-III D_ICD_DIAGNOSES.csv (RFC 4180: titles are quoted when they hold commas).
 * Only this four-column dictionary is parsed here; patient tables are the readers' job.
 * Empty and repeated codes are skipped so the simulator's vocabulary has no duplicates.
 */
export function parseIcd9Dictionary(text: string, file = 'D_ICD_DIAGNOSES.csv'): Icd9Entry[] {
  const records = splitCsv(text, file);
  if (records.length === 0) throw new DataError(file, 1, 'the file is empty; expected a header row', 'DATA_EMPTY');
  const header = records[0].fields.map((h) => h.trim().toLowerCase());
  const index = HEADER.map((name) => header.indexOf(name));
  const missing = HEADER.filter((_, i) => index[i] < 0);
  if (missing.length > 0) {
    throw new DataError(file, 1, `missing column(s) ${missing.join(', ')}; found ${header.join(', ')}`, 'DATA_MISSING_COLUMN');
  }
  const entries: Icd9Entry[] = [];
  const seen = new Set<string>();
  for (const { fields, line } of records.slice(1)) {
    if (fields.length === 1 && fields[0] === '') continue;
    if (fields.length !== header.length) {
      throw new DataError(file, line, `expected ${header.length} fields, found ${fields.length}`, 'DATA_BAD_ROW');
    }
    const code = fields[index[1]].trim().toUpperCase();
    if (code === '' || seen.has(code)) continue;
    seen.add(code);
    const rowId = Number(fields[index[0]]);
    entries.push({
      rowId: Number.isInteger(rowId) ? rowId : entries.length + 1,
      code,
      shortTitle: fields[index[2]],
      longTitle: fields[index[3]],
    });
  }
  return entries;
}

/** Reads and parses a dictionary file; a missing file is a user error, not a crash. */
export async function loadIcd9Dictionary(path: string): Promise<Icd9Entry[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new FedsynthError(`cannot read ICD-9 dictionary ${path}: ${code ?? (error as Error).message}`, 'DICTIONARY_UNREADABLE');
  }
  return parseIcd9Dictionary(text, path);
}

interface CsvRecord {
  fields: string[];
  /** 1-based line where the record starts. */
  line: number;
}

/** All records of a CSV text, through the readers' RFC 4180 parser. */
function splitCsv(text: string, file: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  const parser = new CsvLineParser(file, (fields, line) => records.push({ fields, line }));
  parser.push(text);
  parser.end();
  return records;
}
