// Synthetic-data quality metrics: pure functions over binary record × code matrices.
export * from './report-types';
export * from './quality-report';
export * from './site-summary';
export * from './report-html';
export * from './verdicts';
export * from './fidelity';
export * from './utility';
export * from './privacy';
export { coOccurrenceDistance, codeCorrelations, type CoOccurrenceDistance } from './co-occurrence';
export { codesPerRecordHistogram, totalVariationDistance, wassersteinDistance } from './codes-per-record';
export { prevalence, mostCommonCodes } from './prevalence';
export { predictionF1 } from './dimension-wise-prediction';
export { detectionAuc, detectionFeatures, type DetectionOptions } from './detection';
export { trainLogisticRegression, predictProbabilities, type LogisticModel, type LogisticOptions } from './logistic-regression';
export { rocAuc, f1Score, f1AtThreshold } from './classification-scores';
export { HammingIndex, nearestDistances, type Neighbours } from './hamming-neighbours';
export { distanceToClosestRecord, type DistanceToClosestRecord } from './distance-to-closest-record';
export { membershipInference, type MembershipInference } from './membership-inference';
export { attributeInference, type AttributeInference } from './attribute-inference';
export { exactCopyRate } from './exact-copies';
export { canonicalRowOrder } from './canonical-order';
export {
  fitBernoulliMixture,
  sampleBernoulliMixture,
  bernoulliMixtureBaseline,
  type BernoulliMixture,
  type MixtureOptions,
  type MixtureFit,
} from './baselines/bernoulli-mixture';
export { sampleIndependentMarginals, independentMarginalsBaseline } from './baselines/independent-marginals';
