/**
 * @fedsynth/site-agent — a hospital's side of the federation: reads its records, announces
 * only aggregates, trains locally on each TrainTask and sends back weights. See README.md.
 */
export { SiteAgent } from './site-agent';
export { runSiteAgent } from './run-site-agent';
export type { SiteAgentEvent, SiteAgentOptions, SiteAgentStop } from './site-agent-options';
export { coveredRecords, dataSummaryOf, droppedByVocabulary, loadSiteData, matrixOnVocabulary, type SiteData, type SiteDataOptions } from './site-data';
export { LOCAL_TRAIN_MS_METRIC, LocalTrainer, type LocalDpPlan, type LocalTrainerOptions } from './local-trainer';
export { decodeModelSpec, MODEL_SPEC_PREFIX } from './model-spec-codec';
export { LocalEvaluator, pickMetrics, type EvaluationData, type LocalEvaluatorOptions } from './local-evaluator';
export { requestOverFrames, type FrameEmitter } from './frame-channel';
export { SiteSecureAggregation, type MaskedOutcome } from './site-secure-aggregation';
export { DEFAULT_REPORT_DELTA, plannedSegment, SitePrivacyLedger, type TaskPlan } from './site-privacy';
export { icd9CategoryDomain, releaseThreshold, releaseVocabulary, type VocabularyRelease, type VocabularyReleaseOptions } from './vocabulary-release';
