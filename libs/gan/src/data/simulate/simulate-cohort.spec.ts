import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FedsynthError } from '../../errors/fedsynth-error';
import { parseIcd9Dictionary } from './icd9-dictionary';
import { resolveSimulationParameters, simulateCohort, type SimulateCohortOptions } from './simulate-cohort';

const DEMO_DICTIONARY = join(__dirname, '../../../../../data/mimic-iii-demo/D_ICD_DIAGNOSES.csv');
const FILES = ['ADMISSIONS.csv', 'DIAGNOSES_ICD.csv', 'D_ICD_DIAGNOSES.csv', 'PATIENTS.csv'];
const small: Omit<SimulateCohortOptions, 'outDir'> = { patients: 600, codes: 150, sites: 3, skew: 0.5, seed: 7, dictionaryPath: DEMO_DICTIONARY };

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'fedsynth-simulate-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

let counter = 0;
const freshDir = () => join(root, `cohort-${++counter}`);

/** Data lines of a CSV we wrote (no quoted fields in these tables' id columns). */
async function rows(path: string): Promise<string[][]> {
  const lines = (await readFile(path, 'utf8')).split('\n');
  expect(lines.pop()).toBe('');
  return lines.slice(1).map((l) => l.split(','));
}

async function header(path: string): Promise<string> {
  return (await readFile(path, 'utf8')).split('\n')[0];
}

describe('simulateCohort', () => {
  let out: string;
  let summary: Awaited<ReturnType<typeof simulateCohort>>;
  beforeAll(async () => {
    out = freshDir();
    summary = await simulateCohort({ ...small, outDir: out });
  });

  it('writes a MIMIC-III folder per site, a holdout and the manifests', async () => {
    expect((await readdir(out)).sort()).toEqual(['cohort.json', 'holdout', 'model.json', 'site-1', 'site-2', 'site-3']);
    for (const folder of ['site-1', 'site-2', 'site-3', 'holdout']) {
      expect((await readdir(join(out, folder))).sort()).toEqual(FILES);
      expect(await header(join(out, folder, 'DIAGNOSES_ICD.csv'))).toBe('row_id,subject_id,hadm_id,seq_num,icd9_code');
      expect(await header(join(out, folder, 'PATIENTS.csv'))).toBe('row_id,subject_id,gender,dob,dod,dod_hosp,dod_ssn,expire_flag');
      expect(await header(join(out, folder, 'D_ICD_DIAGNOSES.csv'))).toBe('row_id,icd9_code,short_title,long_title');
      expect(await header(join(out, folder, 'ADMISSIONS.csv'))).toBe(
        'row_id,subject_id,hadm_id,admittime,dischtime,deathtime,admission_type,admission_location,discharge_location,' +
          'insurance,language,religion,marital_status,ethnicity,edregtime,edouttime,diagnosis,hospital_expire_flag,has_chartevents_data',
      );
    }
  });

  it('splits the patients: 10% pooled holdout, the rest over the sites', () => {
    expect(summary.folders.map((f) => f.name)).toEqual(['site-1', 'site-2', 'site-3', 'holdout']);
    expect(summary.folders[3].patients).toBe(60);
    expect(summary.folders.reduce((s, f) => s + f.patients, 0)).toBe(600);
    expect(summary.folders[3].originSites?.reduce((s, n) => s + n, 0)).toBe(60);
    expect(summary.totals.meanCodesPerPatient).toBeGreaterThan(11 * 0.85);
    expect(summary.totals.meanCodesPerPatient).toBeLessThan(11 * 1.15);
  });

  it('keeps subject_id and hadm_id unique across all folders, and the tables consistent', async () => {
    const subjects = new Set<string>();
    const admissionsSeen = new Set<string>();
    for (const f of summary.folders) {
      const patients = await rows(join(f.dir, 'PATIENTS.csv'));
      const admissions = await rows(join(f.dir, 'ADMISSIONS.csv'));
      const diagnoses = await rows(join(f.dir, 'DIAGNOSES_ICD.csv'));
      expect(patients).toHaveLength(f.patients);
      expect(admissions).toHaveLength(f.admissions);
      expect(diagnoses).toHaveLength(f.diagnosisRows);
      for (const p of patients) {
        expect(subjects.has(p[1])).toBe(false);
        subjects.add(p[1]);
      }
      const hadmOwner = new Map(admissions.map((a) => [a[2], a[1]]));
      for (const a of admissions) {
        expect(admissionsSeen.has(a[2])).toBe(false);
        admissionsSeen.add(a[2]);
      }
      // Every diagnosis belongs to a known admission of the same patient; no repeated (hadm, code).
      expect(diagnoses.every((d) => hadmOwner.get(d[2]) === d[1])).toBe(true);
      expect(new Set(diagnoses.map((d) => `${d[2]}/${d[4]}`)).size).toBe(diagnoses.length);
      expect(new Set(diagnoses.map((d) => d[1])).size).toBe(f.patients);
    }
    expect(subjects.size).toBe(600);
  });

  it('writes the vocabulary with real titles, RFC 4180-quoted', async () => {
    const text = await readFile(join(out, 'site-1', 'D_ICD_DIAGNOSES.csv'), 'utf8');
    const vocabulary = parseIcd9Dictionary(text);
    expect(vocabulary).toHaveLength(150);
    const used = new Set((await rows(join(out, 'site-1', 'DIAGNOSES_ICD.csv'))).map((d) => d[4]));
    const known = new Set(vocabulary.map((e) => e.code));
    expect([...used].every((c) => known.has(c))).toBe(true);
    for (const folder of ['site-2', 'holdout']) {
      expect(await readFile(join(out, folder, 'D_ICD_DIAGNOSES.csv'), 'utf8')).toBe(text);
    }
  });

  it('records parameters and counts in cohort.json', async () => {
    const manifest = JSON.parse(await readFile(join(out, 'cohort.json'), 'utf8'));
    expect(manifest.parameters).toEqual({ patients: 600, codes: 150, sites: 3, skew: 0.5, seed: 7, holdoutFraction: 0.1, codesPerPatient: 11, groups: 6 });
    expect(manifest.dictionary).toEqual({ source: 'file', path: DEMO_DICTIONARY, entries: 14567 });
    expect(manifest.folders.map((f: { patients: number }) => f.patients)).toEqual(summary.folders.map((f) => f.patients));
    expect(manifest.totals.diagnosisRows).toBe(summary.folders.reduce((s, f) => s + f.diagnosisRows, 0));
    const model = JSON.parse(await readFile(join(out, 'model.json'), 'utf8'));
    expect(model.groups).toHaveLength(6);
    expect(model.sites).toHaveLength(3);
  });

  it('is byte-identical for the same options and differs for another seed', async () => {
    const again = freshDir();
    const other = freshDir();
    await simulateCohort({ ...small, outDir: again });
    await simulateCohort({ ...small, seed: 8, outDir: other });
    for (const file of ['cohort.json', 'model.json', ...['site-1', 'site-3', 'holdout'].flatMap((d) => FILES.map((f) => join(d, f)))]) {
      expect((await readFile(join(again, file))).equals(await readFile(join(out, file)))).toBe(true);
    }
    expect(await readFile(join(other, 'site-1', 'DIAGNOSES_ICD.csv'), 'utf8')).not.toBe(
      await readFile(join(out, 'site-1', 'DIAGNOSES_ICD.csv'), 'utf8'),
    );
  });
});

describe('simulateCohort output folder', () => {
  it('refuses a non-empty folder unless told to overwrite, then replaces only simulation entries', async () => {
    const dir = freshDir();
    await mkdir(join(dir, 'site-5'), { recursive: true });
    await writeFile(join(dir, 'notes.txt'), 'keep me');
    const options = { patients: 40, codes: 40, sites: 2, seed: 1, outDir: dir };
    await expect(simulateCohort(options)).rejects.toThrow(`output folder ${dir} is not empty (notes.txt, site-5)`);
    await simulateCohort({ ...options, overwrite: true });
    expect((await readdir(dir)).sort()).toEqual(['cohort.json', 'holdout', 'model.json', 'notes.txt', 'site-1', 'site-2']);
    expect(await readFile(join(dir, 'notes.txt'), 'utf8')).toBe('keep me');
  });

  it('refuses a file as the output folder', async () => {
    const file = join(root, 'a-file');
    await writeFile(file, '');
    await expect(simulateCohort({ patients: 10, codes: 40, outDir: file })).rejects.toThrow('exists and is not a folder');
  });

  it('writes no holdout at fraction 0 and synthesizes codes without a dictionary', async () => {
    const dir = freshDir();
    const summary = await simulateCohort({ patients: 50, codes: 40, sites: 2, holdoutFraction: 0, codesPerPatient: 5, outDir: dir });
    expect((await readdir(dir)).sort()).toEqual(['cohort.json', 'model.json', 'site-1', 'site-2']);
    expect(summary.dictionary).toEqual({ source: 'synthesized', entries: 12900 });
    const text = await readFile(join(dir, 'site-1', 'D_ICD_DIAGNOSES.csv'), 'utf8');
    expect(text).toMatch(/\n\d+,\d{4},Simulated dx \d{3}\.\d,Simulated diagnosis/);
  });

  it('validates before touching the folder', async () => {
    const dir = freshDir();
    await expect(simulateCohort({ patients: 10, codes: 40, skew: 2, outDir: dir })).rejects.toThrow(FedsynthError);
    await expect(readdir(dir)).rejects.toThrow('ENOENT');
    await expect(simulateCohort({ codes: 20000, dictionaryPath: DEMO_DICTIONARY, outDir: dir })).rejects.toThrow(
      "codes must be at most the dictionary's 14567 codes",
    );
    await expect(simulateCohort({ dictionaryPath: join(root, 'missing.csv'), outDir: dir })).rejects.toThrow('cannot read ICD-9 dictionary');
  });
});

describe('resolveSimulationParameters', () => {
  it('fills MIMIC-III-scale defaults', () => {
    expect(resolveSimulationParameters({})).toEqual({
      patients: 46520, codes: 1071, sites: 3, skew: 0.3, seed: 1, holdoutFraction: 0.1, codesPerPatient: 11, groups: 40,
    });
  });

  it.each([
    [{ patients: 0 }, 'patients must be an integer from 1 to 10000000, got 0'],
    [{ patients: 2.5 }, 'patients must be an integer from 1 to 10000000, got 2.5'],
    [{ codes: 1 }, 'codes must be an integer from 2 to 100000, got 1'],
    [{ sites: 0 }, 'sites must be an integer from 1 to 1000, got 0'],
    [{ skew: -0.1 }, 'skew must be a number from 0 to 1, got -0.1'],
    [{ skew: NaN }, 'skew must be a number from 0 to 1, got NaN'],
    [{ seed: -1 }, 'seed must be an integer from 0 to 4294967295, got -1'],
    [{ holdoutFraction: 0.95 }, 'holdoutFraction must be a number from 0 to 0.9, got 0.95'],
    [{ codes: 20, codesPerPatient: 11 }, 'codesPerPatient must be a number from 1 to 10, got 11'],
    [{ groups: 0 }, 'groups must be an integer from 1 to 1000, got 0'],
    [{ patients: 3, sites: 3 }, 'patients (3) must leave at least one per site (3) after the holdout of 1'],
  ])('rejects %p', (options, message) => {
    expect(() => resolveSimulationParameters(options)).toThrow(FedsynthError);
    expect(() => resolveSimulationParameters(options)).toThrow(message);
  });
});
