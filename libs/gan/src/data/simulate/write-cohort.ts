import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BlockWriter } from './block-writer';
import { samplePatientCodes, type CohortModel, type SiteModel } from './cohort-model';
import type { CohortSplit } from './cohort-plan';
import { ADMISSIONS_HEADER, DIAGNOSES_HEADER, PATIENTS_HEADER, formatDictionary, formatPatientRows, type RowIds } from './mimic-rows';
import { samplePatientTimeline } from './patient-timeline';
import { createAliasTable } from './alias-table';
import { createRng, deriveSeed, type Rng } from './prng';

/**
 * Streams a simulated cohort to disk: DIR/site-1 … DIR/site-K and DIR/holdout, each a MIMIC-III
 * folder (DIAGNOSES_ICD, ADMISSIONS, PATIENTS, D_ICD_DIAGNOSES). Patients are generated one at
 * a time and written in blocks, so memory stays flat however large the cohort.
 *
 * Each folder draws from its own seeded stream (site k: deriveSeed(seed, k); holdout:
 * deriveSeed(seed, HOLDOUT_STREAM)), so a site's patients do not depend on other folders.
 * subject_id and hadm_id continue across folders, unique in the whole cohort.
 */

export const FIRST_SUBJECT_ID = 10001;
export const FIRST_HADM_ID = 100001;
const HOLDOUT_STREAM = 0xffff;
/** Progress is reported at most this often (in patients), plus once per finished folder. */
const PROGRESS_EVERY = 2000;

export const COHORT_FILES = {
  diagnoses: 'DIAGNOSES_ICD.csv',
  admissions: 'ADMISSIONS.csv',
  patients: 'PATIENTS.csv',
  dictionary: 'D_ICD_DIAGNOSES.csv',
} as const;

export interface FolderSummary {
  readonly name: string;
  readonly role: 'site' | 'holdout';
  readonly dir: string;
  readonly patients: number;
  readonly admissions: number;
  readonly diagnosisRows: number;
  /** Mean distinct codes per patient over all admissions. */
  readonly meanCodesPerPatient: number;
  readonly distinctCodes: number;
  readonly distinctCategories: number;
  /** First and last subject_id (inclusive); empty folders have none. */
  readonly subjectIds?: readonly [number, number];
  /** Holdout only: how many of its patients were drawn from each site's distribution. */
  readonly originSites?: readonly number[];
}

export interface SimulationProgress {
  readonly folder: string;
  readonly done: number;
  readonly total: number;
  readonly overallDone: number;
  readonly overallTotal: number;
}

export interface WriteCohortOptions {
  readonly outDir: string;
  readonly model: CohortModel;
  readonly split: CohortSplit;
  readonly seed: number;
  readonly onProgress?: (progress: SimulationProgress) => void;
}

export interface CohortWriteResult {
  readonly folders: readonly FolderSummary[];
  /** Distinct codes and categories over all folders. */
  readonly distinctCodes: number;
  readonly distinctCategories: number;
}

export async function writeCohort(options: WriteCohortOptions): Promise<CohortWriteResult> {
  const { outDir, model, split, seed, onProgress } = options;
  const dictionary = formatDictionary(model.vocabulary);
  const overallTotal = split.sitePatients.reduce((s, n) => s + n, 0) + split.holdoutPatients;
  let overallDone = 0;
  let ids: RowIds = { subjectId: FIRST_SUBJECT_ID, hadmId: FIRST_HADM_ID, diagnosisRowId: 1, admissionRowId: 1, patientRowId: 1 };
  const summaries: FolderSummary[] = [];
  const codeSeen = new Uint8Array(model.vocabulary.length);
  const categorySeen = new Uint8Array(model.categories.length);

  const folders: { name: string; role: 'site' | 'holdout'; patients: number; rng: Rng; pickSite: (rng: Rng) => number }[] =
    split.sitePatients.map((patients, k) => ({
      name: `site-${k + 1}`,
      role: 'site' as const,
      patients,
      rng: createRng(deriveSeed(seed, k + 1)),
      pickSite: () => k,
    }));
  if (split.holdoutPatients > 0) {
    // The holdout pools the sites: each patient comes from a site chosen by its share.
    const sitePicker = createAliasTable(model.sites.map((s) => s.share));
    folders.push({
      name: 'holdout',
      role: 'holdout',
      patients: split.holdoutPatients,
      rng: createRng(deriveSeed(seed, HOLDOUT_STREAM)),
      pickSite: (rng) => sitePicker.sample(rng),
    });
  }

  for (const folder of folders) {
    const dir = join(outDir, folder.name);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, COHORT_FILES.dictionary), dictionary);
    const result = await writeFolder(dir, folder.patients, model, folder.rng, folder.pickSite, ids, { codeSeen, categorySeen }, (done) => {
      onProgress?.({ folder: folder.name, done, total: folder.patients, overallDone: overallDone + done, overallTotal });
    });
    overallDone += folder.patients;
    ids = result.next;
    summaries.push({
      name: folder.name,
      role: folder.role,
      dir,
      ...result.stats,
      ...(folder.role === 'holdout' ? { originSites: result.origins } : {}),
    });
  }
  return { folders: summaries, distinctCodes: countSeen(codeSeen), distinctCategories: countSeen(categorySeen) };
}

function countSeen(seen: Uint8Array): number {
  return seen.reduce((s, x) => s + x, 0);
}

interface FolderResult {
  stats: Omit<FolderSummary, 'name' | 'role' | 'dir' | 'originSites'>;
  origins: number[];
  next: RowIds;
}

async function writeFolder(
  dir: string,
  patients: number,
  model: CohortModel,
  rng: Rng,
  pickSite: (rng: Rng) => number,
  start: RowIds,
  /** Cohort-wide code and category marks, updated alongside this folder's own. */
  overall: { codeSeen: Uint8Array; categorySeen: Uint8Array },
  progress: (done: number) => void,
): Promise<FolderResult> {
  const writers = await Promise.all(
    [COHORT_FILES.diagnoses, COHORT_FILES.admissions, COHORT_FILES.patients].map((f) => BlockWriter.create(join(dir, f))),
  );
  const [diagnoses, admissions, patientsOut] = writers;
  const codeSeen = new Uint8Array(model.vocabulary.length);
  const categorySeen = new Uint8Array(model.categories.length);
  const origins = new Array<number>(model.sites.length).fill(0);
  let ids = start;
  let codeTotal = 0;
  let diagnosisRows = 0;
  try {
    diagnoses.write(DIAGNOSES_HEADER);
    admissions.write(ADMISSIONS_HEADER);
    patientsOut.write(PATIENTS_HEADER);
    for (let p = 0; p < patients; p++) {
      const k = pickSite(rng);
      origins[k]++;
      const site: SiteModel = model.sites[k];
      const codes = samplePatientCodes(model, site, rng);
      const timeline = samplePatientTimeline(codes.admissions.length, codes.codes.length / model.codesPerPatient, rng);
      const rows = formatPatientRows(codes, timeline, model.vocabulary, ids);
      diagnoses.write(rows.diagnoses);
      admissions.write(rows.admissions);
      patientsOut.write(rows.patient);
      ids = rows.next;
      diagnosisRows += rows.diagnosisRows;
      codeTotal += codes.codes.length;
      for (const c of codes.codes) {
        codeSeen[c] = 1;
        categorySeen[model.categoryOf[c]] = 1;
        overall.codeSeen[c] = 1;
        overall.categorySeen[model.categoryOf[c]] = 1;
      }
      // Awaiting only when a block is full keeps the hot loop synchronous.
      if (diagnoses.full || admissions.full || patientsOut.full) {
        await Promise.all(writers.map((w) => w.flushIfFull()));
      }
      if ((p + 1) % PROGRESS_EVERY === 0 && p + 1 < patients) progress(p + 1);
    }
  } finally {
    await Promise.all(writers.map((w) => w.close()));
  }
  progress(patients);
  return {
    stats: {
      patients,
      admissions: ids.hadmId - start.hadmId,
      diagnosisRows,
      meanCodesPerPatient: patients > 0 ? codeTotal / patients : 0,
      distinctCodes: countSeen(codeSeen),
      distinctCategories: countSeen(categorySeen),
      ...(patients > 0 ? { subjectIds: [start.subjectId, ids.subjectId - 1] as const } : {}),
    },
    origins,
    next: ids,
  };
}
