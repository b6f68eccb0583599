import { toyCohort } from '../bench/toy-cohort';
import { evaluateQuality, type QualityOptions } from '../quality-report';
import { rowRange } from './matrices';

/** Small but structured inputs: X, H and a second held-out half to use as if synthetic. */
export function qualityInputs() {
  const train = toyCohort({ records: 600, codes: 150, seed: 1 });
  const heldOut = toyCohort({ records: 1200, codes: 150, seed: 2 });
  return { train, holdout: rowRange(heldOut, 0, 600), fresh: rowRange(heldOut, 600, 1200) };
}

/** Fewer predicted codes, optimiser steps and EM iterations than the defaults, to keep the suite fast. */
export const FAST: QualityOptions = { predictionCodes: 6, detectionFolds: 3, logistic: { steps: 120 }, mixture: { iterations: 10 } };

/** A complete report on tiny inputs, for tests that only need its shape (verdicts, HTML). */
export function tinyReport() {
  const train = toyCohort({ records: 120, codes: 40, seed: 1 });
  const holdout = toyCohort({ records: 60, codes: 40, seed: 2 });
  const synthetic = toyCohort({ records: 60, codes: 40, seed: 3 });
  return evaluateQuality({ train, holdout, synthetic }, { ...FAST, predictionCodes: 3, heatmapCodes: 6, mixture: { components: 4, iterations: 5 } });
}
