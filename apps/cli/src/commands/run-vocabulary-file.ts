import { promises as fs } from 'node:fs';
import { fixedCodeProblem, MAX_FIXED_VOCABULARY_CODES, type FederatedRunOptions } from '@fedsynth/coordinator';
import { DataError, icd9Category, loadVocabulary, readCsvFile, vocabularyFromDictionary, type Vocabulary } from '@fedsynth/gan';

type CodeLevel = FederatedRunOptions['vocabulary']['codeLevel'];

/** A dictionary CSV is told from a vocabulary file by its name, as the data commands' --vocabulary does. */
export function isDictionaryCsv(file: string): boolean {
  return /\.csv(\.gz)?$/i.test(file);
}

/**
 * The 1-based line of `code` in the file, to point at a bad one (only called on error). A
 * vocabulary file holds the code alone on its line; a dictionary holds it in its icd9_code or
 * code column, rolled up at the category level.
 */
async function lineOf(file: string, code: string, codeLevel: CodeLevel): Promise<number | undefined> {
  if (!isDictionaryCsv(file)) {
    const index = (await fs.readFile(file, 'utf8')).replace(/^\uFEFF/, '').split(/\r?\n/).findIndex((line) => line.trim() === code);
    return index < 0 ? undefined : index + 1;
  }
  let column = -1;
  let found: number | undefined;
  await readCsvFile(file, {
    header(fields) {
      const names = fields.map((f) => f.trim().toLowerCase());
      column = names.indexOf('icd9_code');
      if (column < 0) column = names.indexOf('code');
    },
    row(fields, line) {
      const raw = (fields[column] ?? '').trim();
      if (found === undefined && (codeLevel === 'category' ? icd9Category(raw) : raw) === code) found = line;
    },
  });
  return found;
}

/**
 * A run's fixed vocabulary read from a file in the formats the data commands' --vocabulary
 * reads: a vocabulary file (one code per line, `#` comments, as `fedsynth data inspect
 * --save-vocabulary` writes it, its stated hash checked) or a dictionary CSV (an icd9_code or
 * code column; rolled up to categories at the category level, as sites with --rollup read
 * codes). Every code is checked as the coordinator will check it, so a bad file fails here,
 * naming the file and the line, before anything is sent.
 */
export async function readRunVocabulary(file: string, codeLevel: CodeLevel): Promise<string[]> {
  const vocabulary: Vocabulary = isDictionaryCsv(file)
    ? await vocabularyFromDictionary(file, { rollup: codeLevel === 'category' })
    : await loadVocabulary(file);
  if (vocabulary.codes.length === 0) throw new DataError(file, undefined, 'holds no codes', 'DATA_EMPTY');
  if (vocabulary.codes.length > MAX_FIXED_VOCABULARY_CODES) {
    throw new DataError(file, undefined, `holds ${vocabulary.codes.length} codes; a run's fixed vocabulary may hold at most ${MAX_FIXED_VOCABULARY_CODES}`, 'DATA_TOO_LARGE');
  }
  for (const code of vocabulary.codes) {
    const problem = fixedCodeProblem(code, codeLevel);
    if (problem !== undefined) throw new DataError(file, await lineOf(file, code, codeLevel), `code '${code}' ${problem}`, 'DATA_BAD_CODE');
  }
  return [...vocabulary.codes];
}
