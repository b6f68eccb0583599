import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { createRng, FedsynthError, readCsvFile, resolveTable } from '@fedsynth/gan';

/** The MIMIC-III tables with one row per patient, admission or diagnosis, all keyed by subject_id. */
export const PATIENT_TABLES = ['DIAGNOSES_ICD', 'ADMISSIONS', 'PATIENTS'] as const;

export interface SubjectAssignment {
  /** Subject ids per site, in the order of the sites. */
  sites: string[][];
  /** Subject ids kept out of every site, for the quality report. */
  holdout: string[];
}

/**
 * A seeded split of patients: `holdoutFraction` of them held out, the rest dealt to the sites
 * in turn, so site sizes differ by at most one. Same ids and seed, same split.
 */
export function assignSubjects(ids: readonly string[], options: { sites: number; holdoutFraction: number; seed: number }): SubjectAssignment {
  const { sites, holdoutFraction, seed } = options;
  if (!(Number.isInteger(sites) && sites >= 1)) throw new FedsynthError(`sites must be a whole number ≥ 1, got ${sites}`, 'DEMO_BAD_SPLIT');
  if (!(holdoutFraction >= 0 && holdoutFraction < 1)) throw new FedsynthError(`holdout fraction must be in [0, 1), got ${holdoutFraction}`, 'DEMO_BAD_SPLIT');
  const holdoutSize = Math.round(ids.length * holdoutFraction);
  if (ids.length - holdoutSize < sites) {
    throw new FedsynthError(`${ids.length} patients cannot give ${sites} sites a patient each after holding out ${holdoutSize}`, 'DEMO_BAD_SPLIT');
  }
  const order = createRng(seed).shuffle([...ids].sort());
  const holdout = order.slice(0, holdoutSize);
  const result: SubjectAssignment = { sites: Array.from({ length: sites }, () => []), holdout };
  order.slice(holdoutSize).forEach((id, i) => result.sites[i % sites].push(id));
  return result;
}

/** The distinct subject ids of a MIMIC-III folder's DIAGNOSES_ICD table (the records fedsynth reads). */
export async function subjectIds(folder: string): Promise<string[]> {
  const file = await requiredTable(folder, 'DIAGNOSES_ICD');
  const ids = new Set<string>();
  let column = -1;
  await readCsvFile(file, {
    header: (fields) => {
      column = subjectColumn(file, fields);
    },
    row: (fields) => {
      ids.add(fields[column].trim());
    },
  });
  return [...ids].sort();
}

/**
 * Writes MIMIC-III folders holding only some patients of `source`: for each target folder,
 * the rows of every patient table whose subject_id is in its set. Rows are copied field for
 * field (re-quoted as RFC 4180 needs); tables absent from `source`, other than DIAGNOSES_ICD,
 * are skipped. Each source table is read once, streaming, whatever the number of targets.
 */
export async function writeSubsets(source: string, targets: ReadonlyMap<string, ReadonlySet<string>>): Promise<void> {
  await requiredTable(source, 'DIAGNOSES_ICD');
  for (const dir of targets.keys()) mkdirSync(dir, { recursive: true });
  for (const table of PATIENT_TABLES) {
    const file = await resolveTable(source, table);
    if (!file) continue;
    const writers = new Map([...targets.keys()].map((dir) => [dir, new LineWriter(path.join(dir, `${table}.csv`))]));
    try {
      let column = -1;
      await readCsvFile(file, {
        header: (fields) => {
          column = subjectColumn(file, fields);
          for (const writer of writers.values()) writer.line(fields);
        },
        row: (fields) => {
          const id = fields[column].trim();
          for (const [dir, subjects] of targets) if (subjects.has(id)) writers.get(dir)!.line(fields);
        },
      });
    } finally {
      for (const writer of writers.values()) writer.close();
    }
  }
}

/**
 * One MIMIC-III folder holding the patients of several (e.g. all sites, for the quality
 * report's training set). The folders must not share subject ids, as `fedsynth simulate` and
 * `writeSubsets` guarantee; each table must have the same columns in every folder.
 */
export async function poolFolders(sources: readonly string[], target: string): Promise<void> {
  if (sources.length === 0) throw new FedsynthError('no folders to pool', 'DEMO_BAD_SPLIT');
  mkdirSync(target, { recursive: true });
  for (const table of PATIENT_TABLES) {
    const files = await Promise.all(sources.map((dir) => resolveTable(dir, table)));
    if (table !== 'DIAGNOSES_ICD' && files.some((f) => f === undefined)) continue;
    const writer = new LineWriter(path.join(target, `${table}.csv`));
    try {
      let header: string[] | undefined;
      for (const [i, file] of files.entries()) {
        if (!file) throw new FedsynthError(`${sources[i]}: no ${table}.csv (or .csv.gz) in this folder`, 'DATA_MISSING_FILE');
        await readCsvFile(file, {
          header: (fields) => {
            const names = fields.map((f) => f.toLowerCase());
            if (!header) {
              header = names;
              writer.line(fields);
            } else if (names.join(',') !== header.join(',')) {
              throw new FedsynthError(`${file}: columns ${names.join(', ')} differ from ${files[0]}'s (${header.join(', ')})`, 'DATA_BAD_HEADER');
            }
          },
          row: (fields) => writer.line(fields),
        });
      }
    } finally {
      writer.close();
    }
  }
}

/** The subject_id column, found case-insensitively as the readers do. */
function subjectColumn(file: string, header: readonly string[]): number {
  const index = header.findIndex((name) => name.toLowerCase() === 'subject_id');
  if (index < 0) throw new FedsynthError(`${file}:1: missing column 'subject_id' (columns are: ${header.join(', ')})`, 'DATA_BAD_HEADER');
  return index;
}

async function requiredTable(folder: string, table: string): Promise<string> {
  const file = await resolveTable(folder, table);
  if (!file) throw new FedsynthError(`${folder}: no ${table}.csv (or .csv.gz): not a MIMIC-III folder`, 'DATA_MISSING_FILE');
  return file;
}

/** One CSV field as RFC 4180 wants it: quoted only when it holds a comma, quote or line break. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * Buffered synchronous CSV writer: the CSV reader's row callback is synchronous, and flushing
 * every megabyte keeps memory flat however large the table.
 */
class LineWriter {
  private readonly fd: number;
  private buffer = '';

  constructor(file: string) {
    this.fd = openSync(file, 'w');
  }

  line(fields: readonly string[]): void {
    this.buffer += `${fields.map(csvField).join(',')}\n`;
    if (this.buffer.length >= 1 << 20) this.flush();
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  private flush(): void {
    if (this.buffer !== '') writeSync(this.fd, this.buffer);
    this.buffer = '';
  }
}
