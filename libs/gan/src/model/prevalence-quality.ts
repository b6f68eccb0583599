import type { BinaryMatrix } from '../data/binary-matrix';
import { prevalence } from '../metrics/prevalence';
import { pearson, rootMeanSquaredError } from '../metrics/summary-stats';
import { sampleRecords } from './sample-records';
import type { Sampler } from './sampler';

/** Dimension-wise probability (Choi et al. 2017): per-code prevalence, synthetic vs real. */
export interface PrevalenceQuality {
  realRecords: number;
  syntheticRecords: number;
  /** Pearson r between the real and synthetic prevalence of each code. */
  pearson: number;
  /** Root mean squared prevalence difference over all codes. */
  rmse: number;
  /** Share of vocabulary codes the synthetic records hold at least once. */
  codesGenerated: number;
  /** Share of the codes present in the real records that the synthetic records hold. */
  coverage: number;
  meanCodesReal: number;
  meanCodesSynthetic: number;
}

export function prevalenceQuality(real: BinaryMatrix, synthetic: BinaryMatrix): PrevalenceQuality {
  const pReal = prevalence(real);
  const pSynthetic = prevalence(synthetic);
  let generated = 0;
  let presentInReal = 0;
  let covered = 0;
  for (let c = 0; c < real.cols; c++) {
    if (pSynthetic[c] > 0) generated++;
    if (pReal[c] > 0) {
      presentInReal++;
      if (pSynthetic[c] > 0) covered++;
    }
  }
  return {
    realRecords: real.rows,
    syntheticRecords: synthetic.rows,
    pearson: pearson(pReal, pSynthetic),
    rmse: rootMeanSquaredError(pReal, pSynthetic),
    codesGenerated: real.cols === 0 ? 1 : generated / real.cols,
    coverage: presentInReal === 0 ? 1 : covered / presentInReal,
    meanCodesReal: real.rows === 0 ? 0 : real.indices.length / real.rows,
    meanCodesSynthetic: synthetic.rows === 0 ? 0 : synthetic.indices.length / synthetic.rows,
  };
}

export interface EvaluateOptions {
  /** Synthetic records to draw (default: as many as the real records, at least 1,000). */
  count?: number;
  seed?: number;
}

/** Samples the model and compares its code prevalences with (held-out) real records. */
export function evaluatePrevalence(sampler: Sampler, real: BinaryMatrix, options: EvaluateOptions = {}): PrevalenceQuality {
  const synthetic = sampleRecords(sampler, { count: options.count ?? Math.max(1000, real.rows), seed: options.seed ?? 1 });
  return prevalenceQuality(real, synthetic);
}
