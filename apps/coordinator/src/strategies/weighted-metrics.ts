import type { Metrics } from '@fedsynth/protocol';
import { CoordinatorError } from '../errors/coordinator-error';
import type { AggregationSummary, SiteFailure } from './strategy';

export interface MetricsSource {
  siteId: string;
  recordCount: number;
  metrics: Metrics;
}

/**
 * Per metric name, the mean over the sites that reported it, weighted by record count:
 * Σ n_k m_k / Σ n_k. A metric only some sites report is averaged over those sites, not
 * diluted by zeros for the others. Sources are visited in site-id order so the result does
 * not depend on the order results arrived in.
 */
export function weightedMetrics(sources: readonly MetricsSource[]): Metrics {
  const sums = new Map<string, { weighted: number; weight: number }>();
  const ordered = sources.slice().sort((a, b) => (a.siteId < b.siteId ? -1 : a.siteId > b.siteId ? 1 : 0));
  for (const source of ordered) {
    if (!Number.isFinite(source.recordCount) || source.recordCount <= 0) {
      throw new CoordinatorError(
        `site ${JSON.stringify(source.siteId)} reports ${source.recordCount} records; metrics need a count > 0`,
        'INVALID_WEIGHT',
      );
    }
    for (const [name, value] of Object.entries(source.metrics)) {
      if (!Number.isFinite(value)) continue; // the wire refuses these; never let one poison a mean
      const sum = sums.get(name) ?? { weighted: 0, weight: 0 };
      sum.weighted += source.recordCount * value;
      sum.weight += source.recordCount;
      sums.set(name, sum);
    }
  }
  const out: Metrics = {};
  for (const name of [...sums.keys()].sort()) {
    const sum = sums.get(name)!;
    out[name] = sum.weighted / sum.weight;
  }
  return out;
}

export function summarise(sources: readonly MetricsSource[], failures: readonly SiteFailure[]): AggregationSummary {
  let recordCount = 0;
  for (const s of sources) recordCount += s.recordCount;
  return { siteCount: sources.length, recordCount, failureCount: failures.length };
}
