import { createVocabulary, matrixFromRows, rowColumns, simulateCohort, type BinaryMatrix, type CohortSummary, type Vocabulary } from '@fedsynth/gan';
import type { CodeLevel } from '@fedsynth/protocol';
import { dataSummaryOf, loadSiteData, matrixOnVocabulary, type SiteData, type SiteDataOptions } from '@fedsynth/site-agent';

export interface SimulatedSitesOptions {
  dir: string;
  patients: number;
  codes: number;
  sites: number;
  skew: number;
  seed: number;
}

/**
 * A simulated multi-hospital cohort (libs/gan's simulateCohort, as `fedsynth simulate`) with
 * no pooled holdout of its own: each site holds out part of its records, as a site agent
 * does, and the experiment pools those holdouts.
 */
export async function simulateSites(options: SimulatedSitesOptions): Promise<{ siteDirs: string[]; summary: CohortSummary }> {
  const summary = await simulateCohort({
    outDir: options.dir,
    patients: options.patients,
    codes: options.codes,
    sites: options.sites,
    skew: options.skew,
    seed: options.seed,
    holdoutFraction: 0,
    overwrite: true,
  });
  const siteDirs = summary.folders.filter((f) => f.role === 'site').map((f) => f.dir);
  return { siteDirs, summary };
}

/** The data options a site agent is started with; the experiment reads each site with the very same. */
export function siteDataOptions(dir: string, options: { codeLevel: CodeLevel; holdoutFraction: number; splitSeed: number; minCodeCount: number }): SiteDataOptions {
  return {
    read: { format: 'mimic', input: dir, rollup: options.codeLevel === 'category' },
    holdoutFraction: options.holdoutFraction,
    splitSeed: options.splitSeed,
    minCodeCount: options.minCodeCount,
  };
}

/** Records of several matrices with the same columns, one after the other. */
export function stackRows(matrices: readonly BinaryMatrix[]): BinaryMatrix {
  if (matrices.length === 0) throw new RangeError('stackRows needs at least one matrix');
  const cols = matrices[0].cols;
  const mismatch = matrices.findIndex((m) => m.cols !== cols);
  if (mismatch >= 0) throw new RangeError(`matrix ${mismatch} has ${matrices[mismatch].cols} columns, matrix 0 has ${cols}`);
  const rows: Uint32Array[] = [];
  for (const m of matrices) for (let r = 0; r < m.rows; r++) rows.push(rowColumns(m, r));
  return matrixFromRows(rows.map((r) => Array.from(r)), cols);
}

export interface ExperimentCohort {
  /** The union of the codes each site holds in ≥ k training records: the coordinator's rule. */
  vocabulary: Vocabulary;
  /** Each site's training records on that vocabulary. */
  siteTrain: BinaryMatrix[];
  /** Each site's held-out records on that vocabulary. */
  siteHoldout: BinaryMatrix[];
  pooledTrain: BinaryMatrix;
  pooledHoldout: BinaryMatrix;
}

/**
 * Reads every site as its agent does (same reader, same seeded holdout split, same k) and
 * puts all of them on the union vocabulary the coordinator will agree: the site-alone and
 * centralised arms then train on exactly the records the federated sites train on.
 */
export async function loadExperimentCohort(options: readonly SiteDataOptions[]): Promise<ExperimentCohort> {
  const sites: SiteData[] = [];
  for (const o of options) sites.push(await loadSiteData(o));
  const vocabulary = createVocabulary(sites.flatMap((s) => dataSummaryOf(s).codes));
  const siteTrain = sites.map((s) => matrixOnVocabulary(s.train.matrix, s.train.vocabulary, vocabulary));
  const siteHoldout = sites.map((s) => matrixOnVocabulary(s.holdout.matrix, s.holdout.vocabulary, vocabulary));
  return { vocabulary, siteTrain, siteHoldout, pooledTrain: stackRows(siteTrain), pooledHoldout: stackRows(siteHoldout) };
}
