import { createVocabulary, matrixFromRows, rowColumns } from '@fedsynth/gan';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { coveredRecords, dataSummaryOf, droppedByVocabulary, loadSiteData, matrixOnVocabulary } from './site-data';

describe('site data', () => {
  let dir: string;
  let input: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'fedsynth-site-'));
    input = join(dir, 'records.csv');
    // 10 patients: 4019 held by all, 25000 by 3, 5849 by one only.
    const rows = ['patient,code'];
    for (let p = 1; p <= 10; p++) rows.push(`p${p},4019`);
    for (let p = 1; p <= 3; p++) rows.push(`p${p},25000`);
    rows.push('p4,5849');
    writeFileSync(input, rows.join('\n') + '\n');
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('announces counts and only the codes held by at least k training records, never an id', async () => {
    const data = await loadSiteData({ read: { format: 'long', input, rollup: true }, holdoutFraction: 0.1, splitSeed: 1, minCodeCount: 2 });

    const summary = dataSummaryOf(data);

    expect(summary.recordCount).toBe(9);
    expect(summary.codeLevel).toBe('category');
    expect(summary.codes).toContain('401');
    expect(summary.codes).not.toContain('584');
    expect(JSON.stringify(summary)).not.toMatch(/p\d/);
  });

  it('rebuilds the matrix on the agreed vocabulary, keeping every record', async () => {
    const data = await loadSiteData({ read: { format: 'long', input, rollup: true }, holdoutFraction: 0.1, minCodeCount: 1 });
    const agreed = createVocabulary(['250', '401', '999']);

    const matrix = matrixOnVocabulary(data.train.matrix, data.train.vocabulary, agreed);

    expect(matrix.rows).toBe(data.train.matrix.rows);
    expect(matrix.cols).toBe(3);
    expect(coveredRecords(matrix)).toBe(matrix.rows);
    for (let r = 0; r < matrix.rows; r++) expect(Array.from(rowColumns(matrix, r))).not.toContain(2);
  });

  it('counts what a vocabulary drops: distinct codes outside it, and records losing at least one', () => {
    const from = createVocabulary(['250', '401', '584']); // columns 0, 1, 2
    const matrix = matrixFromRows([[1], [0, 1], [1, 2], [2], [], [2]], 3);
    const to = createVocabulary(['401', '999']);

    expect(droppedByVocabulary(matrix, from, to)).toEqual({ codes: 2, records: 4 });
    expect(droppedByVocabulary(matrix, from, from)).toEqual({ codes: 0, records: 0 });
    // The records losing codes still count as covered when they keep one (rows 1 and 2).
    expect(coveredRecords(matrixOnVocabulary(matrix, from, to))).toBe(3);
  });
});
