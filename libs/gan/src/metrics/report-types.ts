import type { FidelityMetrics } from './fidelity';
import type { PrivacyMetrics } from './privacy';
import type { UtilityMetrics } from './utility';

/** Every metric for one set of records scored as if synthetic. */
export interface ScoredSet {
  fidelity: FidelityMetrics;
  utility: UtilityMetrics;
  privacy: PrivacyMetrics;
}

/** Size of one input. */
export interface MatrixShape {
  records: number;
  /** Vocabulary size (shared by all inputs). */
  codes: number;
  /** Codes held by at least one record. */
  codesInUse: number;
  meanCodesPerRecord: number;
}

export type VerdictLevel = 'good' | 'fair' | 'poor';

export interface Verdict {
  level: VerdictLevel;
  /** One line: the level, the deciding numbers and what they are compared with. */
  text: string;
}

export interface Verdicts {
  fidelity: Verdict;
  utility: Verdict;
  privacy: Verdict;
}

/** What the HTML report draws; aggregates only (per code or per bin, never per record). */
export interface QualityPlots {
  /** Code label per column (the column number when no labels were given). */
  labels: string[];
  /** Per-code prevalence in the training and synthetic records. */
  prevalence: { train: number[]; synthetic: number[] };
  /** Records holding 0, 1, 2, … codes. */
  codesPerRecord: { train: number[]; synthetic: number[] };
  /** Code correlations among the training set's most common codes, row-major k × k. */
  heatmap: { codes: number[]; train: number[]; synthetic: number[] };
}

/** The settings every number in a report was computed with. */
export interface QualitySettings {
  seed: number;
  minPrevalence: number;
  predictionCodes: number;
  detectionFolds: number;
  detectionPairCodes: number;
  membershipThreshold: number;
  membershipSample: number;
  attributeKnownCodes: number;
  attributeNeighbours: number;
  attributeSample: number;
  mixtureComponents: number | null;
}

export interface QualityReport {
  schema: 'fedsynth.quality-report/1';
  settings: QualitySettings;
  inputs: { train: MatrixShape; holdout: MatrixShape; synthetic: MatrixShape };
  synthetic: ScoredSet;
  baselines: {
    /** Each code drawn at its training rate: perfect prevalence, no correlation. */
    independentMarginals: ScoredSet | null;
    /** Mixture of independent Bernoullis fitted by EM: the simple model to beat. */
    bernoulliMixture: ScoredSet | null;
    /** Held-out real records scored as if synthetic, where that is meaningful: the sampling-noise floor. */
    holdout: { fidelity: FidelityMetrics; exactCopyRate: number };
  };
  verdicts: Verdicts;
  plots: QualityPlots;
}
