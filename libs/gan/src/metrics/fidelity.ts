import { type BinaryMatrix, rowCounts } from '../data/binary-matrix';
import { coOccurrenceDistance } from './co-occurrence';
import { codesPerRecordHistogram, totalVariationDistance, wassersteinDistance } from './codes-per-record';
import { assertSameColumns } from './matrix-checks';
import { prevalence } from './prevalence';
import { mean, pearson, rootMeanSquaredError } from './summary-stats';

export interface FidelityMetrics {
  /** Dimension-wise probability: code prevalences of the real vs the synthetic records. */
  prevalence: {
    /** Pearson r over all codes (1 = same relative frequencies). */
    pearson: number;
    /** Root mean squared prevalence difference over all codes. */
    rmse: number;
    /** Share of the codes present in the real data that the synthetic data holds at least once. */
    coverage: number;
  };
  codesPerRecord: {
    meanReal: number;
    meanSynthetic: number;
    /** Total variation distance between the two codes-per-record histograms (0–1). */
    totalVariation: number;
    /** Earth mover's distance between the histograms, in codes per record. */
    wasserstein: number;
  };
  coOccurrence: {
    /** Codes with prevalence ≥ the threshold in the real data (d). */
    codes: number;
    /** ‖corr(real) − corr(synthetic)‖_F / d² · 10⁶ (0 = same correlation structure). */
    distance: number;
  };
}

export interface FidelityOptions {
  /** Codes enter the co-occurrence comparison at this real prevalence or above (default 0.01). */
  minPrevalence?: number;
}

/**
 * How closely the synthetic records reproduce the real ones' statistics: code frequencies,
 * record sizes and which codes go together. Order of records is irrelevant to all of them.
 */
export function fidelityMetrics(real: BinaryMatrix, synthetic: BinaryMatrix, options: FidelityOptions = {}): FidelityMetrics {
  assertSameColumns({ real, synthetic });
  const pReal = prevalence(real);
  const pSynthetic = prevalence(synthetic);
  let presentInReal = 0;
  let covered = 0;
  for (let c = 0; c < real.cols; c++) {
    if (pReal[c] > 0) {
      presentInReal++;
      if (pSynthetic[c] > 0) covered++;
    }
  }
  const realHistogram = codesPerRecordHistogram(real);
  const syntheticHistogram = codesPerRecordHistogram(synthetic);
  const co = coOccurrenceDistance(real, synthetic, options.minPrevalence ?? 0.01);
  return {
    prevalence: {
      pearson: pearson(pReal, pSynthetic),
      rmse: rootMeanSquaredError(pReal, pSynthetic),
      // With no real codes there is nothing to miss.
      coverage: presentInReal === 0 ? 1 : covered / presentInReal,
    },
    codesPerRecord: {
      meanReal: real.rows === 0 ? 0 : mean(rowCounts(real)),
      meanSynthetic: synthetic.rows === 0 ? 0 : mean(rowCounts(synthetic)),
      totalVariation: totalVariationDistance(realHistogram, syntheticHistogram),
      wasserstein: wassersteinDistance(realHistogram, syntheticHistogram),
    },
    coOccurrence: { codes: co.codes, distance: co.distance },
  };
}
