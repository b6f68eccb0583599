import type { BinaryMatrix } from './binary-matrix';
import type { Vocabulary } from './vocabulary';

/** Input layouts fedsynth reads. */
export type DataFormat = 'mimic' | 'long' | 'wide';
/** What one matrix row stands for. */
export type RecordUnit = 'patient' | 'admission';

export interface ReadOptions {
  format: DataFormat;
  /** A folder (mimic) or a CSV file, optionally gzip-compressed (long, wide). */
  input: string;
  /** mimic only: one row per patient (default) or per admission. */
  unit?: RecordUnit;
  /** Roll ICD-9 codes up to their 3-character category (E-codes: 4 characters). */
  rollup?: boolean;
  /** long only: column names of the record id and the code. */
  recordColumn?: string;
  codeColumn?: string;
  /** Columns are this vocabulary (codes outside it are dropped and counted); default: built from the data. */
  vocabulary?: Vocabulary;
  /** When building the vocabulary from the data: keep codes held by at least this many records (default 1). */
  minCount?: number;
}

/** Counts gathered while reading, for `data inspect` and for error context. */
export interface ReadStats {
  /** Data rows read (diagnosis rows, pairs, or wide rows). */
  rows: number;
  /** Rows skipped because the code was empty (MIMIC-III has a few NULL icd9_code rows). */
  emptyCodes: number;
  /** Code occurrences dropped because the code is not in the given vocabulary or below minCount. */
  droppedCodes: number;
  /** Files read, in order. */
  files: string[];
}

/** A binary record × code matrix with the ids of its rows and the codes of its columns. */
export interface Dataset {
  readonly recordIds: readonly string[];
  readonly vocabulary: Vocabulary;
  readonly matrix: BinaryMatrix;
  readonly stats: ReadStats;
  /** Per-record sex and age, when the source has them (MIMIC-III PATIENTS + ADMISSIONS). */
  readonly demographics?: Demographics;
}

export interface Demographics {
  /** 'F', 'M' or '' (unknown), one per record. */
  readonly sex: readonly string[];
  /** Age in whole years at the (first) admission, capped at 90 as MIMIC-III does; null if unknown. */
  readonly age: readonly (number | null)[];
}
