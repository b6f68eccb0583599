import path from 'node:path';
import {
  DATA_FORMATS,
  FedsynthError,
  loadVocabulary,
  vocabularyFromDictionary,
  type DataFormat,
  type ReadOptions,
  type Vocabulary,
} from '@fedsynth/gan';
import type { OptionSpec, OptionValues } from '../command';

/** The input options every data-reading command shares, defined once. */
export const DATA_INPUT_OPTIONS: OptionSpec = {
  format: { type: 'string' },
  input: { type: 'string' },
  unit: { type: 'string' },
  rollup: { type: 'boolean' },
  'record-column': { type: 'string' },
  'code-column': { type: 'string' },
  'min-count': { type: 'string' },
  vocabulary: { type: 'string' },
};

export const DATA_INPUT_HELP = `Input:
  --format mimic|long|wide   layout of the input (default: mimic)
                               mimic: a folder with DIAGNOSES_ICD.csv (+ PATIENTS, ADMISSIONS,
                                      D_ICD_DIAGNOSES); .csv.gz accepted; any header case
                               long:  a CSV of (record, code) pairs, one row per code
                               wide:  a CSV with one 0/1 column per code (+ optional id column)
  --input PATH               the folder (mimic) or CSV file (long, wide); gzip accepted
  --unit patient|admission   one record per patient (default) or per admission (mimic only)
  --rollup                   roll ICD-9 codes up to 3-character categories (E-codes: 4)
  --record-column NAME       long/wide: the record id column (default: patient)
  --code-column NAME         long: the code column (default: code)
  --min-count K              keep codes held by at least K records (default: 1)
  --vocabulary FILE          use a fixed vocabulary: a vocabulary file (one code per line)
                             or a dictionary CSV with an icd9_code or code column`;

export function stringOption(values: OptionValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

/** A number option that must satisfy `valid` (described by `range`, e.g. '> 0'), or undefined when absent. */
export function numberOption(values: OptionValues, name: string, valid: (n: number) => boolean, range: string): number | undefined {
  const raw = stringOption(values, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || !valid(n)) throw new FedsynthError(`--${name} must be a number ${range}, got '${raw}'`, 'CLI_BAD_OPTION');
  return n;
}

export function integerOption(values: OptionValues, name: string, fallback: number, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  const raw = stringOption(values, name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new FedsynthError(`--${name} must be a whole number from ${min} to ${max}, got '${raw}'`, 'CLI_BAD_OPTION');
  }
  return n;
}

/** Turns the shared input options into reader options, loading a fixed vocabulary if given. */
export async function readOptionsFrom(values: OptionValues): Promise<ReadOptions> {
  const format = (stringOption(values, 'format') ?? 'mimic') as DataFormat;
  if (!DATA_FORMATS.includes(format)) {
    throw new FedsynthError(`--format must be one of ${DATA_FORMATS.join(', ')}, got '${format}'`, 'CLI_BAD_OPTION');
  }
  const input = stringOption(values, 'input');
  if (!input) throw new FedsynthError(`--input is required (a ${format === 'mimic' ? 'MIMIC-III folder' : 'CSV file'})`, 'CLI_MISSING_OPTION');
  const unit = stringOption(values, 'unit');
  if (unit !== undefined && unit !== 'patient' && unit !== 'admission') {
    throw new FedsynthError(`--unit must be patient or admission, got '${unit}'`, 'CLI_BAD_OPTION');
  }
  const rollup = values.rollup === true;
  const vocabularyFile = stringOption(values, 'vocabulary');
  let vocabulary: Vocabulary | undefined;
  if (vocabularyFile) {
    vocabulary = /\.csv(\.gz)?$/i.test(vocabularyFile)
      ? await vocabularyFromDictionary(vocabularyFile, { rollup })
      : await loadVocabulary(vocabularyFile);
  }
  if (vocabulary && values['min-count'] !== undefined) {
    throw new FedsynthError('--min-count applies only when the vocabulary is built from the data; drop it or --vocabulary', 'CLI_BAD_OPTION');
  }
  const options: ReadOptions = {
    format,
    input: path.resolve(input),
    rollup,
    minCount: integerOption(values, 'min-count', 1),
  };
  if (unit) options.unit = unit;
  const recordColumn = stringOption(values, 'record-column');
  const codeColumn = stringOption(values, 'code-column');
  if (recordColumn) options.recordColumn = recordColumn;
  if (codeColumn) options.codeColumn = codeColumn;
  if (vocabulary) options.vocabulary = vocabulary;
  return options;
}
