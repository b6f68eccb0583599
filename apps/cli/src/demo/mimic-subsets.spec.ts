import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readDataset } from '@fedsynth/gan';
import { assignSubjects, csvField, poolFolders, subjectIds, writeSubsets } from './mimic-subsets';

const DEMO_DIR = path.join(__dirname, '../../../../data/mimic-iii-demo');
let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'fedsynth-demo-subsets-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const rowsWithQuotes = (text: string) => text.split('\n').filter((line) => /"[^"]*,[^"]*"/.test(line)).length;
const dataRows = async (file: string) => (await readFile(file, 'utf8')).trim().split('\n').length - 1;

describe('assignSubjects', () => {
  const ids = Array.from({ length: 10 }, (_, i) => String(100 + i));

  it('holds out a share and deals the rest to the sites in turn, disjoint and complete', () => {
    const split = assignSubjects(ids, { sites: 3, holdoutFraction: 0.2, seed: 1 });
    expect(split.holdout).toHaveLength(2);
    expect(split.sites.map((s) => s.length)).toEqual([3, 3, 2]);
    expect([...split.holdout, ...split.sites.flat()].sort()).toEqual(ids);
  });

  it('depends only on the seed and the set of ids, not their order', () => {
    const a = assignSubjects(ids, { sites: 2, holdoutFraction: 0.3, seed: 7 });
    expect(assignSubjects([...ids].reverse(), { sites: 2, holdoutFraction: 0.3, seed: 7 })).toEqual(a);
    expect(assignSubjects(ids, { sites: 2, holdoutFraction: 0.3, seed: 8 })).not.toEqual(a);
    expect(assignSubjects(ids, { sites: 2, holdoutFraction: 0, seed: 7 }).holdout).toEqual([]);
  });

  it('refuses a split that leaves a site without patients, and bad parameters', () => {
    expect(() => assignSubjects(ids.slice(0, 4), { sites: 4, holdoutFraction: 0.25, seed: 1 })).toThrow('4 patients cannot give 4 sites a patient each after holding out 1');
    expect(() => assignSubjects(ids, { sites: 0, holdoutFraction: 0.2, seed: 1 })).toThrow('sites must be a whole number ≥ 1, got 0');
    expect(() => assignSubjects(ids, { sites: 2, holdoutFraction: 1, seed: 1 })).toThrow('holdout fraction must be in [0, 1), got 1');
  });
});

describe('writeSubsets and poolFolders on the bundled MIMIC-III demo', () => {
  it('splits the 100 patients into site folders and a holdout that read back to the same records', async () => {
    const ids = await subjectIds(DEMO_DIR);
    expect(ids).toHaveLength(100);
    const split = assignSubjects(ids, { sites: 3, holdoutFraction: 0.2, seed: 1 });
    const dirs = ['site-1', 'site-2', 'site-3', 'holdout'].map((name) => path.join(root, 'demo', name));
    const groups = [...split.sites, split.holdout];
    await writeSubsets(DEMO_DIR, new Map(dirs.map((dir, i) => [dir, new Set(groups[i])])));

    let diagnosisRows = 0;
    for (const [i, dir] of dirs.entries()) {
      const dataset = await readDataset({ format: 'mimic', input: dir });
      expect([...dataset.recordIds].sort()).toEqual([...groups[i]].sort());
      expect(dataset.demographics?.sex.every((s) => s === 'F' || s === 'M')).toBe(true);
      expect(await dataRows(path.join(dir, 'PATIENTS.csv'))).toBe(groups[i].length);
      diagnosisRows += await dataRows(path.join(dir, 'DIAGNOSES_ICD.csv'));
    }
    expect(diagnosisRows).toBe(1761);
    // Every source line lands byte for byte in the folders, once (quoted free text with commas
    // included: ADMISSIONS has "PULMONARY EDEMA, MI"), and each output keeps the header.
    for (const table of ['DIAGNOSES_ICD', 'ADMISSIONS', 'PATIENTS']) {
      const [header, ...rows] = (await readFile(path.join(DEMO_DIR, `${table}.csv`), 'utf8')).trim().split('\n');
      const outputs = await Promise.all(dirs.map(async (d) => (await readFile(path.join(d, `${table}.csv`), 'utf8')).trim().split('\n')));
      for (const lines of outputs) expect(lines[0]).toBe(header);
      expect(outputs.flatMap((lines) => lines.slice(1)).sort()).toEqual(rows.sort());
    }
    expect(rowsWithQuotes(await readFile(path.join(DEMO_DIR, 'ADMISSIONS.csv'), 'utf8'))).toBeGreaterThan(0);

    const pooled = path.join(root, 'demo', 'train');
    await poolFolders(dirs.slice(0, 3), pooled);
    const train = await readDataset({ format: 'mimic', input: pooled });
    expect([...train.recordIds].sort()).toEqual(split.sites.flat().sort());
    expect(await dataRows(path.join(pooled, 'ADMISSIONS.csv'))).toBe(
      (await Promise.all(dirs.slice(0, 3).map((d) => dataRows(path.join(d, 'ADMISSIONS.csv'))))).reduce((a, b) => a + b),
    );
  });

  it('refuses folders without DIAGNOSES_ICD, and tables whose columns differ', async () => {
    const empty = path.join(root, 'empty');
    await mkdir(empty, { recursive: true });
    await expect(subjectIds(empty)).rejects.toThrow(`${empty}: no DIAGNOSES_ICD.csv (or .csv.gz): not a MIMIC-III folder`);
    const a = path.join(root, 'a');
    const b = path.join(root, 'b');
    await mkdir(a, { recursive: true });
    await mkdir(b, { recursive: true });
    await writeFile(path.join(a, 'DIAGNOSES_ICD.csv'), 'subject_id,hadm_id,icd9_code\n1,10,4019\n');
    await writeFile(path.join(b, 'DIAGNOSES_ICD.csv'), 'subject_id,icd9_code\n2,4019\n');
    await expect(poolFolders([a, b], path.join(root, 'ab'))).rejects.toThrow('columns subject_id, icd9_code differ from');
    await writeFile(path.join(b, 'DIAGNOSES_ICD.csv'), 'patient,icd9_code\n2,4019\n');
    await expect(writeSubsets(b, new Map([[path.join(root, 'x'), new Set(['2'])]]))).rejects.toThrow("missing column 'subject_id' (columns are: patient, icd9_code)");
  });
});

describe('csvField', () => {
  it('quotes only fields that need it, doubling inner quotes', () => {
    expect(csvField('4019')).toBe('4019');
    expect(csvField('CHEST PAIN, R/O MI')).toBe('"CHEST PAIN, R/O MI"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
  });
});
