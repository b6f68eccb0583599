import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FedsynthError } from '../../errors/fedsynth-error';
import { cohortManifest, modelManifest, type DictionarySource, type SimulationParameters } from './cohort-manifest';
import { buildCohortModel, defaultGroupCount } from './cohort-model';
import { splitPatients } from './cohort-plan';
import { synthesizeIcd9Dictionary, type Icd9Entry } from './icd9';
import { loadIcd9Dictionary } from './icd9-dictionary';
import { prepareOutputDir } from './output-dir';
import { createRng, deriveSeed } from './prng';
import { writeCohort, type FolderSummary, type SimulationProgress } from './write-cohort';

/** MIMIC-III's scale, the defaults: 46,520 patients, 1,071 codes, ~11 codes per patient. */
export const SIMULATION_DEFAULTS = {
  patients: 46520,
  codes: 1071,
  sites: 3,
  skew: 0.3,
  seed: 1,
  holdoutFraction: 0.1,
  codesPerPatient: 11,
} as const;

export const SIMULATION_LIMITS = {
  maxPatients: 10_000_000,
  maxCodes: 100_000,
  maxSites: 1000,
  maxGroups: 1000,
  maxHoldoutFraction: 0.9,
  maxSeed: 0xffffffff,
} as const;

export interface SimulateCohortOptions {
  /** Folder to write; created if missing, refused if non-empty unless `overwrite`. */
  outDir: string;
  patients?: number;
  /** Vocabulary size: distinct full ICD-9 codes (they roll up into fewer 3-character categories). */
  codes?: number;
  sites?: number;
  /** 0 = identical sites … 1 = very different case mixes. */
  skew?: number;
  seed?: number;
  /** Fraction of patients in the pooled holdout folder; 0 writes no holdout. */
  holdoutFraction?: number;
  /** Target mean distinct codes per patient. */
  codesPerPatient?: number;
  /** Latent comorbidity groups; default min(40, max(2, codes / 25)). */
  groups?: number;
  /** A D_ICD_DIAGNOSES.csv to draw codes and titles from; ICD-9-shaped codes are synthesized when absent. */
  dictionaryPath?: string;
  /** Replace an earlier simulation in a non-empty outDir. */
  overwrite?: boolean;
  onProgress?: (progress: SimulationProgress) => void;
}

export interface CohortSummary {
  readonly outDir: string;
  readonly parameters: SimulationParameters;
  readonly dictionary: DictionarySource;
  /** Vocabulary size and its roll-up category count. */
  readonly vocabulary: { readonly codes: number; readonly categories: number };
  readonly folders: readonly FolderSummary[];
  readonly totals: {
    readonly patients: number;
    readonly admissions: number;
    readonly diagnosisRows: number;
    readonly meanCodesPerPatient: number;
    readonly distinctCodes: number;
    readonly distinctCategories: number;
  };
  readonly files: { readonly cohort: string; readonly model: string };
}

function bad(name: string, value: unknown, rule: string): FedsynthError {
  return new FedsynthError(`${name} must be ${rule}, got ${String(value)}`, 'SIMULATE_BAD_OPTION');
}

function checkInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) throw bad(name, value, `an integer from ${min} to ${max}`);
}

function checkRange(name: string, value: number, min: number, max: number): void {
  if (!Number.isFinite(value) || value < min || value > max) throw bad(name, value, `a number from ${min} to ${max}`);
}

/** Fills defaults and checks every parameter, naming the offending one. */
export function resolveSimulationParameters(options: Omit<SimulateCohortOptions, 'outDir'>): SimulationParameters {
  const p = { ...SIMULATION_DEFAULTS, ...stripUndefined(options) };
  const L = SIMULATION_LIMITS;
  checkInteger('patients', p.patients, 1, L.maxPatients);
  checkInteger('codes', p.codes, 2, L.maxCodes);
  checkInteger('sites', p.sites, 1, L.maxSites);
  checkRange('skew', p.skew, 0, 1);
  checkInteger('seed', p.seed, 0, L.maxSeed);
  checkRange('holdoutFraction', p.holdoutFraction, 0, L.maxHoldoutFraction);
  checkRange('codesPerPatient', p.codesPerPatient, 1, p.codes / 2);
  const groups = options.groups ?? defaultGroupCount(p.codes);
  checkInteger('groups', groups, 1, L.maxGroups);
  const holdout = p.holdoutFraction > 0 ? Math.max(1, Math.round(p.patients * p.holdoutFraction)) : 0;
  if (p.patients - holdout < p.sites) {
    throw new FedsynthError(
      `patients (${p.patients}) must leave at least one per site (${p.sites}) after the holdout of ${holdout}`,
      'SIMULATE_BAD_OPTION',
    );
  }
  return {
    patients: p.patients,
    codes: p.codes,
    sites: p.sites,
    skew: p.skew,
    seed: p.seed,
    holdoutFraction: p.holdoutFraction,
    codesPerPatient: p.codesPerPatient,
    groups,
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Simulates a multi-hospital cohort and writes it to `outDir` (see write-cohort.ts for the
 * layout). Deterministic: the same options give byte-identical files.
 */
export async function simulateCohort(options: SimulateCohortOptions): Promise<CohortSummary> {
  const parameters = resolveSimulationParameters(options);
  let entries: Icd9Entry[];
  let dictionary: DictionarySource;
  if (options.dictionaryPath !== undefined) {
    entries = await loadIcd9Dictionary(options.dictionaryPath);
    dictionary = { source: 'file', path: options.dictionaryPath, entries: entries.length };
    if (entries.length < parameters.codes) {
      throw new FedsynthError(
        `codes must be at most the dictionary's ${entries.length} codes (${options.dictionaryPath}), got ${parameters.codes}`,
        'SIMULATE_BAD_OPTION',
      );
    }
  } else {
    entries = synthesizeIcd9Dictionary(parameters.codes);
    dictionary = { source: 'synthesized', entries: entries.length };
  }

  // Validate everything before touching the output folder.
  await prepareOutputDir(options.outDir, options.overwrite ?? false);
  const model = buildCohortModel(
    { codes: parameters.codes, sites: parameters.sites, skew: parameters.skew, codesPerPatient: parameters.codesPerPatient, groups: parameters.groups, dictionary: entries },
    createRng(deriveSeed(parameters.seed, 0)),
  );
  const split = splitPatients(parameters.patients, parameters.holdoutFraction, model.sites.map((s) => s.share));
  const written = await writeCohort({ outDir: options.outDir, model, split, seed: parameters.seed, onProgress: options.onProgress });

  const distinct = { codes: written.distinctCodes, categories: written.distinctCategories };
  const manifest = cohortManifest(parameters, dictionary, model, written.folders, distinct);
  const files = { cohort: join(options.outDir, 'cohort.json'), model: join(options.outDir, 'model.json') };
  await writeFile(files.cohort, `${JSON.stringify(manifest, null, 2)}\n`);
  await writeFile(files.model, `${JSON.stringify(modelManifest(model), null, 2)}\n`);
  return {
    outDir: options.outDir,
    parameters,
    dictionary,
    vocabulary: { codes: model.vocabulary.length, categories: model.categories.length },
    folders: written.folders,
    totals: manifest.totals,
    files,
  };
}
