import { createHash } from 'node:crypto';

/**
 * sha256 of the ordered codes joined by "\n": the same bytes as libs/gan's
 * `vocabularyHash` (which prints them as hex), so a site can compare either form.
 */
export function vocabularyDigest(codes: readonly string[]): Uint8Array {
  return new Uint8Array(createHash('sha256').update(codes.join('\n')).digest());
}

/** Whether two digests are equal (lengths included). */
export function digestsEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
