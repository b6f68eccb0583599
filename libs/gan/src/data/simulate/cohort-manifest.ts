import type { CohortModel } from './cohort-model';
import type { FolderSummary } from './write-cohort';

/**
 * The JSON files beside the site folders. cohort.json says how the cohort was made and what
 * came out (enough to regenerate it byte for byte); model.json is the ground truth (disease
 * groups, case mixes) that experiments can score a GAN's learned structure against. Neither
 * holds a timestamp or the output path, so a seed always gives the same bytes.
 */

export interface SimulationParameters {
  readonly patients: number;
  readonly codes: number;
  readonly sites: number;
  readonly skew: number;
  readonly seed: number;
  readonly holdoutFraction: number;
  readonly codesPerPatient: number;
  readonly groups: number;
}

export interface DictionarySource {
  readonly source: 'file' | 'synthesized';
  /** As given by the caller (file source only). */
  readonly path?: string;
  readonly entries: number;
}

export const MANIFEST_FORMAT = 'fedsynth-simulated-cohort';
export const MANIFEST_VERSION = 1;

const round = (x: number, digits = 6): number => Number(x.toFixed(digits));

export function cohortManifest(
  parameters: SimulationParameters,
  dictionary: DictionarySource,
  model: CohortModel,
  folders: readonly FolderSummary[],
  distinct: { codes: number; categories: number },
) {
  const totals = folders.reduce(
    (t, f) => ({
      patients: t.patients + f.patients,
      admissions: t.admissions + f.admissions,
      diagnosisRows: t.diagnosisRows + f.diagnosisRows,
      codeOccurrences: t.codeOccurrences + f.meanCodesPerPatient * f.patients,
    }),
    { patients: 0, admissions: 0, diagnosisRows: 0, codeOccurrences: 0 },
  );
  return {
    format: MANIFEST_FORMAT,
    version: MANIFEST_VERSION,
    note: 'Simulated records: no patient data. Codes and titles come from the ICD-9-CM dictionary named below.',
    parameters,
    dictionary,
    vocabulary: { codes: model.vocabulary.length, categories: model.categories.length },
    folders: folders.map((f) => ({
      name: f.name,
      role: f.role,
      patients: f.patients,
      admissions: f.admissions,
      diagnosisRows: f.diagnosisRows,
      meanCodesPerPatient: round(f.meanCodesPerPatient, 4),
      distinctCodes: f.distinctCodes,
      distinctCategories: f.distinctCategories,
      ...(f.subjectIds ? { subjectIds: f.subjectIds } : {}),
      ...(f.originSites ? { originSites: f.originSites } : {}),
    })),
    totals: {
      patients: totals.patients,
      admissions: totals.admissions,
      diagnosisRows: totals.diagnosisRows,
      meanCodesPerPatient: totals.patients > 0 ? round(totals.codeOccurrences / totals.patients, 4) : 0,
      distinctCodes: distinct.codes,
      distinctCategories: distinct.categories,
    },
  };
}

export function modelManifest(model: CohortModel) {
  const code = (j: number) => model.vocabulary[j].code;
  return {
    format: `${MANIFEST_FORMAT}-model`,
    version: MANIFEST_VERSION,
    groups: model.groups.map((g, i) => ({
      id: i,
      chapters: g.chapters,
      codes: Array.from(g.codes, code),
      inclusion: Array.from(g.inclusion, (q) => round(q, 4)),
    })),
    sites: model.sites.map((s, k) => ({
      name: `site-${k + 1}`,
      share: round(s.share),
      codingIntensity: round(s.codingIntensity),
      groupWeights: Array.from(s.groupWeights, (w) => round(w)),
    })),
    topBaseCodes: Array.from(model.basePrevalence.keys())
      .sort((a, b) => model.basePrevalence[b] - model.basePrevalence[a] || a - b)
      .slice(0, 50)
      .map((j) => ({ code: code(j), weight: round(model.basePrevalence[j]) })),
  };
}
