import { DataError } from '../../errors/fedsynth-error';
import { checkFieldCount, readCsvFile, requireColumn } from '../csv/read-csv-file';
import type { Dataset, ReadOptions } from '../dataset';
import { icd9Category } from '../icd9-rollup';
import { RecordAccumulator } from './record-accumulator';
import { resolveTable } from './resolve-table';
import { readDemographics } from './read-mimic-demographics';

/**
 * Reads a MIMIC-III style folder: DIAGNOSES_ICD (required; subject_id, hadm_id, icd9_code)
 * and, when present, PATIENTS + ADMISSIONS for each record's sex and age.
 */
export async function readMimic(options: ReadOptions): Promise<Dataset> {
  const folder = options.input;
  const file = await resolveTable(folder, 'DIAGNOSES_ICD');
  if (!file) {
    throw new DataError(folder, undefined, 'no DIAGNOSES_ICD.csv (or .csv.gz) in this folder; --format mimic expects a MIMIC-III table folder', 'DATA_MISSING_FILE');
  }
  const unit = options.unit ?? 'patient';
  const rollup = options.rollup ?? false;
  const acc = new RecordAccumulator(options.vocabulary);
  acc.stats.files.push(file);
  let subjectCol = -1;
  let hadmCol = -1;
  let codeCol = -1;
  let width = 0;
  const { rows } = await readCsvFile(file, {
    header(fields) {
      width = fields.length;
      subjectCol = requireColumn(file, fields, 'subject_id');
      hadmCol = requireColumn(file, fields, 'hadm_id', unit === 'admission' ? 'needed for --unit admission' : undefined);
      codeCol = requireColumn(file, fields, 'icd9_code');
    },
    row(fields, line) {
      checkFieldCount(file, line, fields, width);
      const subject = fields[subjectCol].trim();
      const hadm = fields[hadmCol].trim();
      if (subject.length === 0) throw new DataError(file, line, 'empty subject_id', 'DATA_MALFORMED_ROW');
      if (unit === 'admission' && hadm.length === 0) throw new DataError(file, line, 'empty hadm_id with --unit admission', 'DATA_MALFORMED_ROW');
      const code = fields[codeCol].trim();
      acc.add(unit === 'patient' ? subject : hadm, rollup && code.length > 0 ? icd9Category(code) : code);
    },
  });
  acc.stats.rows = rows;
  const dataset = acc.finish(options.minCount ?? 1);
  const demographics = await readDemographics(folder, unit, dataset.recordIds);
  if (!demographics) return dataset;
  acc.stats.files.push(...demographics.files);
  return { ...dataset, demographics: demographics.values };
}
