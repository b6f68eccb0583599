/**
 * The cohort simulator: MIMIC-III-layout diagnosis tables for K simulated hospitals and a
 * pooled holdout, with heavy-tailed code prevalence, comorbidity structure and tunable
 * between-site skew. `simulateCohort` writes a cohort; the model and PRNG are exported for
 * in-memory use (tests, seeded splits).
 */
export { simulateCohort, resolveSimulationParameters, SIMULATION_DEFAULTS, SIMULATION_LIMITS } from './simulate-cohort';
export type { SimulateCohortOptions, CohortSummary } from './simulate-cohort';
export type { SimulationParameters, DictionarySource } from './cohort-manifest';
export { COHORT_FILES, FIRST_SUBJECT_ID, FIRST_HADM_ID } from './write-cohort';
export type { FolderSummary, SimulationProgress } from './write-cohort';
export { buildCohortModel, samplePatientCodes, defaultGroupCount } from './cohort-model';
export type { CohortModel, CohortModelOptions, DiseaseGroup, SiteModel, PatientCodes } from './cohort-model';
export { createRng, deriveSeed } from './prng';
export type { Rng } from './prng';
export { createAliasTable } from './alias-table';
export type { AliasTable } from './alias-table';
export { icd9Chapter, synthesizeIcd9Dictionary } from './icd9';
export type { Icd9Entry } from './icd9';
export { loadIcd9Dictionary, parseIcd9Dictionary } from './icd9-dictionary';
