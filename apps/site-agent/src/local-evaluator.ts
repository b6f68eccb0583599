import {
  createModel,
  isModelFamily,
  modelSampler,
  sampleRecords,
  setWeights,
  siteQualitySummary,
  type BinaryMatrix,
  type GanModel,
  type SiteSummaryOptions,
} from '@fedsynth/gan';
import type { EvalResult, EvalTask, Metrics } from '@fedsynth/protocol';
import { decodeModelSpec } from './model-spec-codec';

export interface LocalEvaluatorOptions {
  /**
   * Refuse to evaluate when the training or held-out split has fewer records than this
   * (siteQualitySummary's floor, default 20): aggregates over a handful of patients say too
   * much about each of them. Lower it only for demonstration data.
   */
  minRecords?: number;
  /** Cost/precision settings of the quality metrics (e.g. predictionCodes, baselines). Baselines are off by default. */
  quality?: Omit<SiteSummaryOptions, 'minRecords' | 'seed'>;
}

/** The site's records the global generator is scored against, on the run's vocabulary. */
export interface EvaluationData {
  readonly train: BinaryMatrix;
  readonly holdout: BinaryMatrix;
}

/**
 * Scores one EvalTask at the site: the global weights go into a model of the run's
 * architecture (kept apart from the training model, whose optimizer state must not be
 * touched), synthetic records are sampled (sampleCount, or as many as the held-out split),
 * and siteQualitySummary compares them with the site's own training and held-out records.
 * Only the summary's named numbers and the held-out record count go back: no record, no
 * per-record or per-code value.
 */
export class LocalEvaluator {
  private model: GanModel | undefined;
  private modelKey = '';

  constructor(private readonly options: LocalEvaluatorOptions = {}) {}

  run(task: EvalTask, data: EvaluationData): EvalResult {
    const { holdout, train } = data;
    const model = this.modelFor(task, holdout.cols);
    setWeights(model, task.weights.map((t) => ({ name: t.name, shape: t.shape, values: t.data })));
    const count = task.options.sampleCount > 0 ? task.options.sampleCount : holdout.rows;
    const synthetic = sampleRecords(modelSampler(model), { count, seed: task.options.seed });
    const summary = siteQualitySummary(
      { train, holdout, synthetic },
      { baselines: false, ...this.options.quality, seed: task.options.seed, minRecords: this.options.minRecords ?? 20 },
    );
    return { runId: task.runId, round: task.round, recordCount: holdout.rows, metrics: pickMetrics(summary.metrics, task.options.metrics) };
  }

  dispose(): void {
    this.model?.dispose();
    this.model = undefined;
    this.modelKey = '';
  }

  private modelFor(task: EvalTask, vocabularySize: number): GanModel {
    if (!isModelFamily(task.modelFamily)) throw new Error(`unknown model family ${JSON.stringify(task.modelFamily)}`);
    const spec = decodeModelSpec(task.options.extra);
    const key = JSON.stringify([task.modelFamily, spec, vocabularySize]);
    if (this.model && this.modelKey === key) return this.model;
    this.dispose();
    this.model = createModel(task.modelFamily, { ...spec, vocabularySize });
    this.modelKey = key;
    return this.model;
  }
}

/**
 * The summary's defined metrics (an undefined one is left out: the wire carries finite
 * numbers only), or just the requested names; a requested name the summary lacks is an
 * error naming it.
 */
export function pickMetrics(all: Readonly<Record<string, number | null>>, requested: readonly string[]): Metrics {
  const defined: Metrics = {};
  for (const [name, value] of Object.entries(all)) if (value !== null && Number.isFinite(value)) defined[name] = value;
  if (requested.length === 0) return defined;
  const unknown = requested.filter((name) => !(name in all));
  if (unknown.length > 0) {
    throw new Error(`unknown evaluation metric(s) ${unknown.join(', ')}; names are site-quality summary paths such as synthetic.fidelity.prevalence.pearson`);
  }
  const picked: Metrics = {};
  for (const name of requested) if (name in defined) picked[name] = defined[name];
  return picked;
}
