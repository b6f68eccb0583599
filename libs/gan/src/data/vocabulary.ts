import { createHash } from 'node:crypto';

/**
 * The ordered list of codes that are the matrix columns. Sites must train on the same
 * vocabulary, so it has a canonical order (sorted by code) and a content hash they compare.
 */
export interface Vocabulary {
  readonly codes: readonly string[];
  /** sha256 of the codes joined by newlines, hex; equal hashes ⇔ equal vocabularies. */
  readonly hash: string;
}

/** Hash of an ordered code list. */
export function vocabularyHash(codes: readonly string[]): string {
  return createHash('sha256').update(codes.join('\n')).digest('hex');
}

function compareCodes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A vocabulary from codes in any order (sorted, de-duplicated; empty codes refused). */
export function createVocabulary(codes: Iterable<string>): Vocabulary {
  const unique = new Set<string>();
  for (const raw of codes) {
    const code = raw.trim();
    if (code.length === 0) throw new Error('a vocabulary cannot contain an empty code');
    unique.add(code);
  }
  const sorted = Array.from(unique).sort(compareCodes);
  return { codes: sorted, hash: vocabularyHash(sorted) };
}

/**
 * Codes held by at least `minCount` records. This is also the rule for a federation's
 * union vocabulary: a site never proposes a code fewer than k of its patients hold.
 */
export function vocabularyFromCounts(counts: ReadonlyMap<string, number>, minCount = 1): Vocabulary {
  const kept: string[] = [];
  for (const [code, count] of counts) if (count >= minCount) kept.push(code);
  return createVocabulary(kept);
}

/** The union of several vocabularies (e.g. each site's codes held by ≥ k records). */
export function unionVocabularies(vocabularies: readonly Vocabulary[]): Vocabulary {
  return createVocabulary(vocabularies.flatMap((v) => v.codes));
}

/** Code → column index. */
export function vocabularyIndex(vocabulary: Vocabulary): Map<string, number> {
  return new Map(vocabulary.codes.map((code, i) => [code, i]));
}
