import { createHash } from 'node:crypto';
import { digestsEqual, vocabularyDigest } from './vocabulary-digest';

describe('vocabularyDigest', () => {
  it('is the sha256 of the codes joined by newlines (libs/gan vocabularyHash, as bytes)', () => {
    const hex = createHash('sha256').update('250\n401\n428').digest('hex');
    expect(Buffer.from(vocabularyDigest(['250', '401', '428'])).toString('hex')).toBe(hex);
  });

  it('depends on order and boundaries', () => {
    expect(digestsEqual(vocabularyDigest(['1', '2']), vocabularyDigest(['2', '1']))).toBe(false);
    expect(digestsEqual(vocabularyDigest(['12']), vocabularyDigest(['1', '2']))).toBe(false);
    expect(digestsEqual(vocabularyDigest(['1', '2']), vocabularyDigest(['1', '2']))).toBe(true);
  });

  it('compares lengths too', () => {
    expect(digestsEqual(new Uint8Array([1]), new Uint8Array([1, 0]))).toBe(false);
  });
});
