import type { BinaryMatrix } from '../data/binary-matrix';
import { rowCounts } from '../data/binary-matrix';
import { deriveSeed } from '../data/simulate/prng';
import { bernoulliMixtureBaseline, type MixtureOptions } from './baselines/bernoulli-mixture';
import { independentMarginalsBaseline } from './baselines/independent-marginals';
import { canonicalRowOrder } from './canonical-order';
import { codeCorrelations } from './co-occurrence';
import { codesPerRecordHistogram } from './codes-per-record';
import { exactCopyRate } from './exact-copies';
import { fidelityMetrics } from './fidelity';
import type { LogisticOptions } from './logistic-regression';
import { assertMinRows, assertSameColumns } from './matrix-checks';
import { mostCommonCodes, prevalence } from './prevalence';
import { createPrivacyEvaluator } from './privacy';
import type { MatrixShape, QualityPlots, QualityReport, ScoredSet } from './report-types';
import { mean } from './summary-stats';
import { createUtilityEvaluator } from './utility';
import { qualityVerdicts } from './verdicts';

/** X = real training records, H = real held-out records, S = synthetic records; one vocabulary. */
export interface QualityInputs {
  train: BinaryMatrix;
  holdout: BinaryMatrix;
  synthetic: BinaryMatrix;
}

export interface QualityOptions {
  /** Every subsample, shuffle and baseline draw derives from this (default 1). */
  seed?: number;
  /** Co-occurrence over codes at least this common in X (default 0.01). */
  minPrevalence?: number;
  /** Dimension-wise prediction of this many of the most common codes (default 30). */
  predictionCodes?: number;
  detectionFolds?: number;
  detectionPairCodes?: number;
  logistic?: Omit<LogisticOptions, 'seed' | 'excludeColumn'>;
  membershipThreshold?: number;
  membershipSample?: number;
  attributeKnownCodes?: number;
  attributeNeighbours?: number;
  attributeSample?: number;
  /** Compute the independent-marginals and Bernoulli-mixture baselines (default true). */
  baselines?: boolean;
  /** The mixture baseline (default 40 components, capped at one per 20 training records). */
  mixture?: Omit<MixtureOptions, 'seed'>;
  /** Codes in the side-by-side correlation heatmaps (default 30). */
  heatmapCodes?: number;
  /** The code of each column, for the plots. */
  codeLabels?: readonly string[];
}

export interface QualityHooks {
  /** Called after each stage with its wall time, e.g. ('utility', 'bernoulliMixture', 812). */
  onStage?(stage: string, set: string, milliseconds: number): void;
}

function shape(m: BinaryMatrix): MatrixShape {
  const inUse = prevalence(m).reduce((n, p) => n + (p > 0 ? 1 : 0), 0);
  return { records: m.rows, codes: m.cols, codesInUse: inUse, meanCodesPerRecord: m.rows === 0 ? 0 : mean(rowCounts(m)) };
}

/** Rounds for the plot payload: the drawings need 4 significant digits, not 17. */
function rounded(values: ArrayLike<number>): number[] {
  return Array.from(values, (v) => Number(v.toPrecision(4)));
}

function plotData(train: BinaryMatrix, synthetic: BinaryMatrix, heatmapCodes: number, labels?: readonly string[]): QualityPlots {
  const trainPrevalence = prevalence(train);
  const codes = mostCommonCodes(trainPrevalence, heatmapCodes);
  return {
    labels: Array.from({ length: train.cols }, (_, c) => labels?.[c] ?? String(c)),
    prevalence: { train: rounded(trainPrevalence), synthetic: rounded(prevalence(synthetic)) },
    codesPerRecord: { train: codesPerRecordHistogram(train), synthetic: codesPerRecordHistogram(synthetic) },
    heatmap: { codes, train: rounded(codeCorrelations(train, codes)), synthetic: rounded(codeCorrelations(synthetic, codes)) },
  };
}

/**
 * The full synthetic-data quality report: fidelity, utility and privacy of S, each beside the
 * same metrics for the baselines (independent marginals, a Bernoulli mixture, and H itself
 * where a metric allows it), one-line verdicts, and the aggregates the HTML report plots.
 * Deterministic for a seed, and independent of the order of records within each input.
 */
export function evaluateQuality(inputs: QualityInputs, options: QualityOptions = {}, hooks: QualityHooks = {}): QualityReport {
  const { train, holdout, synthetic } = inputs;
  assertSameColumns({ train, holdout, synthetic });
  assertMinRows({ train, holdout, synthetic }, 2);
  const seed = options.seed ?? 1;
  const minPrevalence = options.minPrevalence ?? 0.01;
  const timed = <T>(stage: string, set: string, work: () => T): T => {
    const start = performance.now();
    const result = work();
    hooks.onStage?.(stage, set, performance.now() - start);
    return result;
  };

  const utility = timed('prepare', 'utility', () =>
    createUtilityEvaluator(train, holdout, {
      seed: deriveSeed(seed, 1),
      predictionCodes: options.predictionCodes,
      detectionFolds: options.detectionFolds,
      detectionPairCodes: options.detectionPairCodes,
      logistic: options.logistic,
    }),
  );
  const privacyOptions = {
    seed: deriveSeed(seed, 2),
    membershipThreshold: options.membershipThreshold,
    membershipSample: options.membershipSample,
    attributeKnownCodes: options.attributeKnownCodes,
    attributeNeighbours: options.attributeNeighbours,
    attributeSample: options.attributeSample,
  };
  const privacy = timed('prepare', 'privacy', () => createPrivacyEvaluator(train, holdout, privacyOptions));
  const score = (name: string, m: BinaryMatrix): ScoredSet => ({
    fidelity: timed('fidelity', name, () => fidelityMetrics(train, m, { minPrevalence })),
    utility: timed('utility', name, () => utility.evaluate(m)),
    privacy: timed('privacy', name, () => privacy.evaluate(m)),
  });

  const withBaselines = options.baselines ?? true;
  // The mixture's seeding picks records by position; canonical order keeps it order-independent.
  const canonicalTrain = withBaselines ? canonicalRowOrder(train) : train;
  // At most one component per 20 training records: on a small set 40 components would each hold
  // two or three patients, a memoriser rather than the simple model the baseline stands for.
  const mixtureComponents = Math.max(1, Math.min(options.mixture?.components ?? 40, Math.floor(train.rows / 20)));
  // Baselines are as large as S, so sample-size effects hit them equally.
  const independent = withBaselines
    ? timed('baseline', 'independentMarginals', () => independentMarginalsBaseline(train, synthetic.rows, deriveSeed(seed, 3)))
    : null;
  const mixture = withBaselines
    ? timed('baseline', 'bernoulliMixture', () =>
        bernoulliMixtureBaseline(canonicalTrain, synthetic.rows, { ...options.mixture, components: mixtureComponents, seed: deriveSeed(seed, 4) }),
      )
    : null;

  const scoredSynthetic = score('synthetic', synthetic);
  const report: Omit<QualityReport, 'verdicts'> = {
    schema: 'fedsynth.quality-report/1',
    settings: {
      seed,
      minPrevalence,
      predictionCodes: scoredSynthetic.utility.prediction.codes.length,
      detectionFolds: options.detectionFolds ?? 5,
      detectionPairCodes: options.detectionPairCodes ?? 30,
      membershipThreshold: scoredSynthetic.privacy.membershipInference.threshold,
      membershipSample: scoredSynthetic.privacy.membershipInference.sampleSize,
      attributeKnownCodes: scoredSynthetic.privacy.attributeInference.knownCodes,
      attributeNeighbours: scoredSynthetic.privacy.attributeInference.neighbours,
      attributeSample: scoredSynthetic.privacy.attributeInference.sampleSize,
      mixtureComponents: withBaselines ? mixtureComponents : null,
    },
    inputs: { train: shape(train), holdout: shape(holdout), synthetic: shape(synthetic) },
    synthetic: scoredSynthetic,
    baselines: {
      independentMarginals: independent && score('independentMarginals', independent),
      bernoulliMixture: mixture && score('bernoulliMixture', mixture),
      holdout: timed('fidelity', 'holdout', () => ({
        fidelity: fidelityMetrics(train, holdout, { minPrevalence }),
        exactCopyRate: exactCopyRate(holdout, train),
      })),
    },
    plots: plotData(train, synthetic, options.heatmapCodes ?? 30, options.codeLabels),
  };
  // Verdicts ahead of the bulky plot data: they are what a reader of report.json looks for first.
  const { plots, ...numbers } = report;
  return { ...numbers, verdicts: qualityVerdicts(report), plots };
}
