import { FedsynthError } from '../errors/fedsynth-error';
import { type QualityInputs, type QualityOptions, evaluateQuality } from './quality-report';

/** The quality metrics a site reports to the federation: named numbers, nothing per record. */
export interface SiteQualitySummary {
  schema: 'fedsynth.site-quality/1';
  records: { train: number; holdout: number; synthetic: number };
  /**
   * Every scalar of the quality report by its path, e.g. `synthetic.privacy.membershipInference.advantage`
   * or `baselines.bernoulliMixture.fidelity.coOccurrence.distance`; null where a metric is undefined.
   */
  metrics: Record<string, number | null>;
}

export interface SiteSummaryOptions extends Omit<QualityOptions, 'codeLabels' | 'heatmapCodes'> {
  /**
   * Refuse to summarise fewer training or held-out records than this (default 20): aggregates
   * over a handful of patients (a copy rate of 1/3, a prevalence of 1/5) say too much about them.
   */
  minRecords?: number;
}

/** Scalars of a plain-JSON value by dotted path; arrays (per-code lists) and text are left out. */
function collectScalars(value: unknown, path: string, out: Record<string, number | null>): void {
  if (value === null) {
    out[path] = null;
  } else if (typeof value === 'number') {
    out[path] = Number.isFinite(value) ? value : null;
  } else if (typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) collectScalars(child, path ? `${path}.${key}` : key, out);
  }
}

/**
 * The site-side form of the quality report, for the federation's evaluation rounds: the same
 * metrics computed where the data lives (the site's own training and held-out records against the
 * synthetic records it was sent), returned as aggregates only. The plots, per-code lists, code
 * labels and verdict texts stay at the site.
 */
export function siteQualitySummary(inputs: QualityInputs, options: SiteSummaryOptions = {}): SiteQualitySummary {
  const minRecords = options.minRecords ?? 20;
  for (const name of ['train', 'holdout'] as const) {
    if (inputs[name].rows < minRecords) {
      throw new FedsynthError(
        `the site's ${name} set has ${inputs[name].rows} records; quality summaries need at least ${minRecords}`,
        'METRICS_TOO_FEW_RECORDS',
      );
    }
  }
  const { minRecords: _ignored, ...qualityOptions } = options;
  const report = evaluateQuality(inputs, qualityOptions);
  const metrics: Record<string, number | null> = {};
  collectScalars({ inputs: report.inputs, synthetic: report.synthetic, baselines: report.baselines }, '', metrics);
  return {
    schema: 'fedsynth.site-quality/1',
    records: { train: inputs.train.rows, holdout: inputs.holdout.rows, synthetic: inputs.synthetic.rows },
    metrics,
  };
}

/**
 * Several sites' summaries as one: record counts add up, and each metric becomes the mean over
 * the sites that report it, weighted by their held-out records. A weighted mean of AUCs or F1s is
 * not the pooled statistic, but it is what can be had without moving records, and it lets a large
 * site count for more than a small one.
 */
export function combineSiteSummaries(summaries: readonly SiteQualitySummary[]): SiteQualitySummary {
  const records = { train: 0, holdout: 0, synthetic: 0 };
  const sums = new Map<string, { weighted: number; weight: number }>();
  for (const s of summaries) {
    records.train += s.records.train;
    records.holdout += s.records.holdout;
    records.synthetic += s.records.synthetic;
    for (const [name, value] of Object.entries(s.metrics)) {
      const entry = sums.get(name) ?? { weighted: 0, weight: 0 };
      if (value !== null) {
        entry.weighted += value * s.records.holdout;
        entry.weight += s.records.holdout;
      }
      sums.set(name, entry);
    }
  }
  const metrics: Record<string, number | null> = {};
  for (const [name, { weighted, weight }] of sums) metrics[name] = weight > 0 ? weighted / weight : null;
  return { schema: 'fedsynth.site-quality/1', records, metrics };
}
