import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { icd9Category } from './icd9-rollup';
import { DEMO_DIR, tempDir } from './readers/test-paths';
import { createVocabulary, unionVocabularies, vocabularyFromCounts, vocabularyHash, vocabularyIndex } from './vocabulary';
import { loadVocabulary, readCodeDescriptions, saveVocabulary, vocabularyFromDictionary } from './vocabulary-file';

describe('icd9Category', () => {
  it.each([
    ['4019', '401'],
    ['V4581', 'V45'],
    ['E8798', 'E879'],
    ['E879', 'E879'],
    ['042', '042'],
    ['27', '27'],
  ])('%s → %s', (code, category) => {
    expect(icd9Category(code)).toBe(category);
  });
});

describe('vocabulary', () => {
  it('sorts and de-duplicates, so order of arrival does not matter', () => {
    const a = createVocabulary(['428', '250', '401', '250']);
    const b = createVocabulary(['401', '428', '250']);
    expect(a.codes).toEqual(['250', '401', '428']);
    expect(a.hash).toBe(b.hash);
    expect(a.hash).toBe(vocabularyHash(['250', '401', '428']));
    expect(vocabularyIndex(a).get('428')).toBe(2);
  });

  it('has a hash that changes with any code', () => {
    expect(createVocabulary(['1', '2']).hash).not.toBe(createVocabulary(['1', '3']).hash);
    expect(createVocabulary(['12']).hash).not.toBe(createVocabulary(['1', '2']).hash);
  });

  it('keeps codes held by at least k records', () => {
    const counts = new Map([
      ['a', 5],
      ['b', 4],
      ['c', 9],
    ]);
    expect(vocabularyFromCounts(counts, 5).codes).toEqual(['a', 'c']);
    expect(vocabularyFromCounts(counts).codes).toEqual(['a', 'b', 'c']);
  });

  it('unites site vocabularies', () => {
    const u = unionVocabularies([createVocabulary(['b', 'a']), createVocabulary(['c', 'a'])]);
    expect(u.codes).toEqual(['a', 'b', 'c']);
  });

  it('refuses an empty code', () => {
    expect(() => createVocabulary(['a', ' '])).toThrow(/empty code/);
  });
});

describe('vocabulary files', () => {
  const t = tempDir();
  afterAll(t.cleanup);

  it('saves and loads a vocabulary with its hash', async () => {
    const v = createVocabulary(['4019', 'V4581', '250']);
    const file = path.join(t.dir, 'vocab.txt');
    await saveVocabulary(file, v);
    const loaded = await loadVocabulary(file);
    expect(loaded).toEqual(v);
  });

  it('refuses a file whose codes do not match its stated hash', async () => {
    const v = createVocabulary(['1', '2']);
    const file = path.join(t.dir, 'edited.txt');
    await saveVocabulary(file, v);
    writeFileSync(file, readFileSync(file, 'utf8') + '3\n');
    await expect(loadVocabulary(file)).rejects.toThrow(/edited\.txt: its header states hash .* but its codes hash to/);
  });

  it('refuses a repeated code and a CSV line, naming the line', async () => {
    const file = path.join(t.dir, 'dups.txt');
    writeFileSync(file, '1\n2\n1\n');
    await expect(loadVocabulary(file)).rejects.toThrow(/dups\.txt:3: code '1' repeats line 1/);
    writeFileSync(file, 'code,title\n');
    await expect(loadVocabulary(file)).rejects.toThrow(/dups\.txt:1: 'code,title' is not a single code/);
  });

  it('builds a fixed vocabulary from the ICD-9 dictionary, whole or rolled up', async () => {
    const whole = await vocabularyFromDictionary(path.join(DEMO_DIR, 'D_ICD_DIAGNOSES.csv'));
    expect(whole.codes.length).toBe(14567);
    const rolled = await vocabularyFromDictionary(path.join(DEMO_DIR, 'D_ICD_DIAGNOSES.csv'), { rollup: true });
    expect(rolled.codes.length).toBeLessThan(1500);
    expect(rolled.codes).toContain('401');
  });

  it('reads code descriptions, with titles for rolled-up categories', async () => {
    const whole = await readCodeDescriptions(path.join(DEMO_DIR, 'D_ICD_DIAGNOSES.csv'));
    expect(whole.get('4019')).toBe('Hypertension NOS');
    const rolled = await readCodeDescriptions(path.join(DEMO_DIR, 'D_ICD_DIAGNOSES.csv'), { rollup: true });
    expect(rolled.get('401')).toMatch(/hypertension/i);
  });
});
