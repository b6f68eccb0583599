import { createVocabulary, icd9Category } from '@fedsynth/gan';
import { DEFAULT_LIMITS, type CodeLevel } from '@fedsynth/protocol';

/**
 * Most codes a run's fixed vocabulary may hold. Every ICD-9-CM diagnosis code (about 14,600)
 * fits. The limit bounds what one create request makes every site build: the model's first
 * and last layers grow with the vocabulary, and each site holds a records × vocabulary matrix.
 */
export const MAX_FIXED_VOCABULARY_CODES = 20_000;

/** As the protocol's check of codes on the wire: printable ASCII, no spaces. */
const CODE_PATTERN = /^[\x21-\x7e]+$/;

/** Bad codes named one by one; past this many the rest are only counted. */
const MAX_CODES_LISTED = 5;

/** A code as shown in a message (a string quoted, anything else as JSON), a huge value cut short. */
function quoteCode(code: unknown): string {
  const text = typeof code === 'string' ? JSON.stringify(code) : (JSON.stringify(code) ?? String(code));
  return text.length > 42 ? `${text.slice(0, 42)}…` : text;
}

/**
 * Why `code` cannot be a column of a vocabulary at `codeLevel`, or undefined when it can.
 * Sites read codes trimmed and, at the category level, rolled up with icd9Category (the
 * readers' normalisation); a code that normalisation would change matches no site's data.
 * Full-level codes are opaque (ICD-9, SNOMED from Synthea, ...): only their form is checked.
 */
export function fixedCodeProblem(code: unknown, codeLevel: CodeLevel): string | undefined {
  if (typeof code !== 'string') return 'is not a string';
  if (code.length === 0) return 'is empty';
  if (code.length > DEFAULT_LIMITS.maxCodeLength) return `is longer than ${DEFAULT_LIMITS.maxCodeLength} characters`;
  if (!CODE_PATTERN.test(code)) return 'holds spaces or characters other than printable ASCII';
  if (codeLevel === 'category' && icd9Category(code) !== code) {
    return `is not a category code (categories have 3 characters, E-codes 4: a site rolling codes up holds '${icd9Category(code)}'; whole codes need code level full)`;
  }
  return undefined;
}

/**
 * Checks a fixed code list from an untrusted request: a non-empty list of at most
 * MAX_FIXED_VOCABULARY_CODES well-formed codes, none twice. Returns the codes in canonical
 * order (sorted, as every fedsynth vocabulary: the same codes always give the same columns
 * and hash), or the problems, each naming the field and the code's index.
 */
export function checkFixedVocabulary(input: unknown, codeLevel: CodeLevel, field = 'vocabulary.fixed'): { codes: string[]; problems: string[] } {
  if (!Array.isArray(input)) return { codes: [], problems: [`${field} must be a list of codes`] };
  if (input.length === 0) return { codes: [], problems: [`${field} must hold at least one code`] };
  if (input.length > MAX_FIXED_VOCABULARY_CODES) {
    return { codes: [], problems: [`${field} holds ${input.length} codes; a fixed vocabulary may hold at most ${MAX_FIXED_VOCABULARY_CODES}`] };
  }
  const problems: string[] = [];
  const firstIndex = new Map<string, number>();
  input.forEach((code: unknown, i) => {
    let problem = fixedCodeProblem(code, codeLevel);
    if (problem === undefined && firstIndex.has(code as string)) problem = `repeats ${field}[${firstIndex.get(code as string)}]`;
    if (problem !== undefined) problems.push(`${field}[${i}] ${quoteCode(code)} ${problem}`);
    else firstIndex.set(code as string, i);
  });
  if (problems.length > MAX_CODES_LISTED) {
    const more = problems.length - MAX_CODES_LISTED;
    problems.splice(MAX_CODES_LISTED, more, `${field}: ${more} more bad code${more === 1 ? '' : 's'} not listed`);
  }
  if (problems.length > 0) return { codes: [], problems };
  return { codes: [...createVocabulary(input as string[]).codes], problems };
}
