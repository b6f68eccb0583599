import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { columnCounts, rowCounts } from '../binary-matrix';
import { readDataset } from './read-dataset';
import { DEMO_DIR, tempDir } from './test-paths';

describe('readDataset --format mimic on the bundled MIMIC-III demo', () => {
  it('gives 100 patient records × 581 codes', async () => {
    const ds = await readDataset({ format: 'mimic', input: DEMO_DIR });
    expect(ds.matrix.rows).toBe(100);
    expect(ds.matrix.cols).toBe(581);
    expect(ds.vocabulary.codes).toHaveLength(581);
    expect(ds.stats.rows).toBe(1761);
    expect(ds.recordIds).toHaveLength(100);
    // every record has at least one code and no code is billed twice in the matrix
    expect(Math.min(...rowCounts(ds.matrix))).toBeGreaterThan(0);
    expect(Math.min(...columnCounts(ds.matrix))).toBeGreaterThan(0);
  });

  it('gives 129 admission records with --unit admission', async () => {
    const ds = await readDataset({ format: 'mimic', input: DEMO_DIR, unit: 'admission' });
    expect(ds.matrix.rows).toBe(129);
    expect(ds.matrix.cols).toBe(581);
  });

  it('rolls codes up to 275 3-character categories (E-codes 4)', async () => {
    const ds = await readDataset({ format: 'mimic', input: DEMO_DIR, rollup: true });
    expect(ds.matrix.cols).toBe(275);
    expect(ds.vocabulary.codes).toContain('401');
    expect(ds.vocabulary.codes.filter((c) => c.startsWith('E')).every((c) => c.length === 4)).toBe(true);
  });

  it('keeps only codes held by at least k records with minCount', async () => {
    const all = await readDataset({ format: 'mimic', input: DEMO_DIR });
    const counts = columnCounts(all.matrix);
    const k = 5;
    const expected = Array.from(counts).filter((c) => c >= k).length;
    const ds = await readDataset({ format: 'mimic', input: DEMO_DIR, minCount: k });
    expect(ds.matrix.cols).toBe(expected);
    expect(Math.min(...columnCounts(ds.matrix))).toBeGreaterThanOrEqual(k);
    expect(ds.stats.droppedCodes).toBeGreaterThan(0);
  });

  it('reads sex and age from PATIENTS and ADMISSIONS', async () => {
    const ds = await readDataset({ format: 'mimic', input: DEMO_DIR });
    expect(ds.demographics?.sex).toHaveLength(100);
    expect(new Set(ds.demographics?.sex)).toEqual(new Set(['F', 'M']));
    const ages = ds.demographics!.age.filter((a): a is number => a !== null);
    expect(ages.length).toBe(100);
    expect(Math.max(...ages)).toBeLessThanOrEqual(90);
    expect(Math.min(...ages)).toBeGreaterThanOrEqual(0);
  });

  it('is deterministic: the same input gives the same vocabulary hash and matrix', async () => {
    const a = await readDataset({ format: 'mimic', input: DEMO_DIR });
    const b = await readDataset({ format: 'mimic', input: DEMO_DIR });
    expect(a.vocabulary.hash).toBe(b.vocabulary.hash);
    expect(Array.from(a.matrix.indices)).toEqual(Array.from(b.matrix.indices));
  });
});

describe('readDataset --format mimic, other layouts and bad input', () => {
  const t = tempDir();
  afterAll(t.cleanup);

  it('accepts lower-case file names, upper-case headers, gzip and CRLF', async () => {
    const dir = path.join(t.dir, 'variant');
    mkdirSync(dir);
    const text = readFileSync(path.join(DEMO_DIR, 'DIAGNOSES_ICD.csv'), 'utf8');
    const [header, ...rest] = text.split('\n');
    const crlf = [header.toUpperCase(), ...rest].join('\r\n');
    writeFileSync(path.join(dir, 'diagnoses_icd.csv.gz'), gzipSync(Buffer.from('\uFEFF' + crlf)));
    const ds = await readDataset({ format: 'mimic', input: dir });
    expect(ds.matrix.rows).toBe(100);
    expect(ds.matrix.cols).toBe(581);
    expect(ds.demographics).toBeUndefined();
  });

  it('names the folder when DIAGNOSES_ICD is missing', async () => {
    await expect(readDataset({ format: 'mimic', input: path.join(t.dir, 'nowhere') })).rejects.toThrow(
      /nowhere: no DIAGNOSES_ICD\.csv/,
    );
  });

  it('names the file and the missing column', async () => {
    const dir = path.join(t.dir, 'nocode');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'DIAGNOSES_ICD.csv'), 'row_id,subject_id,hadm_id,seq_num,code\n1,2,3,1,4019\n');
    await expect(readDataset({ format: 'mimic', input: dir })).rejects.toThrow(
      /DIAGNOSES_ICD\.csv:1: missing column 'icd9_code' \(columns are: row_id, subject_id, hadm_id, seq_num, code\)/,
    );
  });

  it('names the file and line of a row with the wrong number of fields', async () => {
    const dir = path.join(t.dir, 'short');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'DIAGNOSES_ICD.csv'), 'row_id,subject_id,hadm_id,seq_num,icd9_code\n1,2,3,1,4019\n2,2,3\n');
    await expect(readDataset({ format: 'mimic', input: dir })).rejects.toThrow(
      /DIAGNOSES_ICD\.csv:3: expected 5 fields as in the header, found 3/,
    );
  });

  it('refuses an empty file and a header-only file', async () => {
    const dir = path.join(t.dir, 'empty');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'DIAGNOSES_ICD.csv'), '');
    await expect(readDataset({ format: 'mimic', input: dir })).rejects.toThrow(/DIAGNOSES_ICD\.csv: file is empty/);
    writeFileSync(path.join(dir, 'DIAGNOSES_ICD.csv'), 'row_id,subject_id,hadm_id,seq_num,icd9_code\n');
    await expect(readDataset({ format: 'mimic', input: dir })).rejects.toThrow(/has a header but no data rows/);
  });

  it('counts empty codes (MIMIC has NULL icd9_code rows) instead of failing', async () => {
    const dir = path.join(t.dir, 'nulls');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'DIAGNOSES_ICD.csv'), 'row_id,subject_id,hadm_id,seq_num,icd9_code\n1,7,70,1,4019\n2,7,70,2,\n3,8,80,1,\n');
    const ds = await readDataset({ format: 'mimic', input: dir });
    expect(ds.stats.emptyCodes).toBe(2);
    expect(ds.matrix.rows).toBe(2); // patient 8 stays, as an empty record
    expect(ds.matrix.cols).toBe(1);
  });

  it('refuses a corrupt gzip file with a clear message', async () => {
    const dir = path.join(t.dir, 'badgz');
    mkdirSync(dir);
    const gz = gzipSync(Buffer.from('row_id,subject_id,hadm_id,seq_num,icd9_code\n1,7,70,1,4019\n'.repeat(50)));
    writeFileSync(path.join(dir, 'DIAGNOSES_ICD.csv.gz'), gz.subarray(0, gz.length - 12));
    await expect(readDataset({ format: 'mimic', input: dir })).rejects.toThrow(/DIAGNOSES_ICD\.csv\.gz: cannot decompress gzip data/);
  });

  it('refuses an unknown format and a bad unit', async () => {
    await expect(readDataset({ format: 'xml' as never, input: DEMO_DIR })).rejects.toThrow(/unknown data format 'xml' \(use one of: mimic, long, wide\)/);
    await expect(readDataset({ format: 'mimic', input: DEMO_DIR, unit: 'visit' as never })).rejects.toThrow(/unknown record unit 'visit'/);
    await expect(readDataset({ format: 'long', input: DEMO_DIR, unit: 'admission' })).rejects.toThrow(/--unit admission needs --format mimic/);
  });

  it('copes with the demo copied as-is into another folder (uppercase names)', async () => {
    const dir = path.join(t.dir, 'copy');
    mkdirSync(dir);
    for (const f of ['DIAGNOSES_ICD.csv', 'PATIENTS.csv']) copyFileSync(path.join(DEMO_DIR, f), path.join(dir, f));
    const ds = await readDataset({ format: 'mimic', input: dir });
    expect(ds.demographics?.age.every((a) => a === null)).toBe(true); // no ADMISSIONS: age unknown
    expect(ds.demographics?.sex.filter((s) => s !== '').length).toBe(100);
  });
});
