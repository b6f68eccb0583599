import { promises as fs } from 'node:fs';
import { DataError } from '../errors/fedsynth-error';
import { findColumn, readCsvFile } from './csv/read-csv-file';
import { icd9Category } from './icd9-rollup';
import { createVocabulary, type Vocabulary } from './vocabulary';

/**
 * Vocabulary files are plain text, one code per line, so a data engineer can read, diff
 * and edit them. Lines starting with `#` are comments (the header records the hash).
 */
export async function saveVocabulary(file: string, vocabulary: Vocabulary): Promise<void> {
  const header = `# fedsynth vocabulary: ${vocabulary.codes.length} codes, sha256 ${vocabulary.hash}\n`;
  const tmp = `${file}.tmp-${process.pid}`;
  await fs.writeFile(tmp, header + vocabulary.codes.join('\n') + '\n', 'utf8');
  await fs.rename(tmp, file); // atomic: a crash never leaves half a vocabulary
}

/** Loads a vocabulary text file; a stated hash that does not match the codes is an error. */
export async function loadVocabulary(file: string): Promise<Vocabulary> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch {
    throw new DataError(file, undefined, 'vocabulary file not found', 'DATA_MISSING_FILE');
  }
  const codes: string[] = [];
  let statedHash: string | undefined;
  const seen = new Map<string, number>();
  text.replace(/^\uFEFF/, '').split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line.length === 0) return;
    if (line.startsWith('#')) {
      const match = /sha256 ([0-9a-f]{64})/.exec(line);
      if (match) statedHash = match[1];
      return;
    }
    if (line.includes(',')) {
      throw new DataError(file, i + 1, `'${line}' is not a single code; a vocabulary file has one code per line (use a dictionary CSV with --dictionary)`, 'DATA_MALFORMED_ROW');
    }
    const previous = seen.get(line);
    if (previous !== undefined) {
      throw new DataError(file, i + 1, `code '${line}' repeats line ${previous}`, 'DATA_MALFORMED_ROW');
    }
    seen.set(line, i + 1);
    codes.push(line);
  });
  if (codes.length === 0) throw new DataError(file, undefined, 'vocabulary file holds no codes', 'DATA_EMPTY');
  const vocabulary = createVocabulary(codes);
  if (statedHash && statedHash !== vocabulary.hash) {
    throw new DataError(file, undefined, `its header states hash ${statedHash} but its codes hash to ${vocabulary.hash}; the file was edited or is corrupt`, 'DATA_HASH_MISMATCH');
  }
  return vocabulary;
}

/**
 * A fixed vocabulary from a code dictionary CSV (MIMIC-III's D_ICD_DIAGNOSES: `icd9_code`,
 * or any CSV with a `code` column), optionally rolled up to categories.
 */
export async function vocabularyFromDictionary(file: string, options: { rollup?: boolean; codeColumn?: string } = {}): Promise<Vocabulary> {
  const codes = new Set<string>();
  let column = -1;
  await readCsvFile(file, {
    header(fields) {
      const candidates = options.codeColumn ? [options.codeColumn] : ['icd9_code', 'code'];
      for (const name of candidates) {
        column = findColumn(fields, name);
        if (column >= 0) break;
      }
      if (column < 0) {
        throw new DataError(file, 1, `missing code column (looked for ${candidates.join(' or ')}; columns are: ${fields.join(', ')})`, 'DATA_MISSING_COLUMN');
      }
    },
    row(fields) {
      const code = (fields[column] ?? '').trim();
      if (code.length > 0) codes.add(options.rollup ? icd9Category(code) : code);
    },
  });
  return createVocabulary(codes);
}

/** Code → description from a D_ICD_DIAGNOSES-style dictionary (short titles), for reports. */
export async function readCodeDescriptions(file: string, options: { rollup?: boolean } = {}): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let codeCol = -1;
  let titleCol = -1;
  let longCol = -1;
  await readCsvFile(file, {
    header(fields) {
      codeCol = findColumn(fields, 'icd9_code');
      if (codeCol < 0) codeCol = findColumn(fields, 'code');
      titleCol = findColumn(fields, 'short_title');
      if (titleCol < 0) titleCol = findColumn(fields, 'description');
      longCol = findColumn(fields, 'long_title');
      if (codeCol < 0 || (titleCol < 0 && longCol < 0)) {
        throw new DataError(file, 1, `a dictionary needs a code column (icd9_code) and a title column (short_title or long_title); columns are: ${fields.join(', ')}`, 'DATA_MISSING_COLUMN');
      }
    },
    row(fields) {
      const code = (fields[codeCol] ?? '').trim();
      const title = (fields[titleCol >= 0 ? titleCol : longCol] ?? '').trim();
      if (code.length === 0) return;
      out.set(code, title);
      // A category without its own entry borrows its first member's title, marked as such.
      if (options.rollup) {
        const category = icd9Category(code);
        if (!out.has(category)) out.set(category, `${title} (and related)`);
      }
    },
  });
  return out;
}
