import type { EvalOptions, Metrics, TrainOptions, WeightSet } from '@fedsynth/protocol';

/**
 * A federated strategy in the style of Flower: four pure hooks that the round state
 * machine calls. A strategy decides who trains and how updates are combined; it never does
 * I/O, never holds a socket and never throws for a site's failure (failures arrive as
 * data). It may throw a CoordinatorError for a programming error: no results at all, or a
 * layout that validate-update should already have refused.
 */
export interface Strategy {
  /** Stable name, stored with a run (`fedavg`, `fedadam`, ...). */
  readonly name: string;
  /** True when aggregateTrain needs every result's localSteps (FedNova): the run driver refuses results without it. */
  readonly needsLocalSteps?: boolean;
  /** Which sites train this round, each with its own options (seed). */
  configureTrain(input: ConfigureTrainInput): TrainInstruction[];
  /** New global weights from the accepted results of one round. */
  aggregateTrain(input: AggregateTrainInput): AggregateTrainOutput;
  /** Which sites evaluate the global generator this round. */
  configureEvaluate(input: ConfigureEvaluateInput): EvaluateInstruction[];
  /** Record-count-weighted mean of the sites' evaluation metrics. */
  aggregateEvaluate(input: AggregateEvaluateInput): AggregateEvaluateOutput;
}

/** A connected site that may be given work; recordCount is what its DataSummary said. */
export interface AvailableSite {
  siteId: string;
  recordCount: number;
}

export interface ConfigureTrainInput {
  round: number;
  availableSites: readonly AvailableSite[];
  globalWeights: WeightSet;
  /** The run's options; each site receives a copy with its own derived seed. */
  options: TrainOptions;
}

export interface TrainInstruction {
  siteId: string;
  /** The global weights (shared, not copied: encoding reads them). */
  weights: WeightSet;
  options: TrainOptions;
}

/** An accepted TrainResult (already screened and validated). */
export interface SiteTrainResult {
  siteId: string;
  /** Records trained on: the weight of this update in FedAvg. */
  recordCount: number;
  /** Minibatches of real records the site trained on (FedNova's τ); absent when the site did not say. */
  localSteps?: number;
  weights: WeightSet;
  metrics: Metrics;
}

/** A selected site that returned nothing usable: dropped, late, rejected. */
export interface SiteFailure {
  siteId: string;
  reason: string;
}

/**
 * Named tensors a strategy carries from round to round (FedAdam's moments). Empty for
 * stateless strategies. A WeightSet so the checkpoint store persists it with the same
 * codec as the weights, and a restarted coordinator continues with the same moments.
 */
export type StrategyState = WeightSet;

export interface AggregateTrainInput {
  round: number;
  results: readonly SiteTrainResult[];
  failures: readonly SiteFailure[];
  globalWeights: WeightSet;
  /** The state returned by the previous aggregateTrain (absent or empty: start fresh). */
  state?: StrategyState;
}

/** Counts that describe an aggregation, kept apart from metric names so they never clash. */
export interface AggregationSummary {
  siteCount: number;
  recordCount: number;
  failureCount: number;
}

export interface AggregateTrainOutput {
  weights: WeightSet;
  /** Record-count-weighted means of the sites' training metrics. */
  metrics: Metrics;
  summary: AggregationSummary;
  /** To persist beside the checkpoint and pass to the next aggregateTrain. */
  state: StrategyState;
}

export interface ConfigureEvaluateInput {
  round: number;
  availableSites: readonly AvailableSite[];
  globalWeights: WeightSet;
  options: EvalOptions;
}

export interface EvaluateInstruction {
  siteId: string;
  weights: WeightSet;
  options: EvalOptions;
}

export interface SiteEvaluateResult {
  siteId: string;
  recordCount: number;
  metrics: Metrics;
}

export interface AggregateEvaluateInput {
  round: number;
  results: readonly SiteEvaluateResult[];
  failures: readonly SiteFailure[];
}

export interface AggregateEvaluateOutput {
  metrics: Metrics;
  summary: AggregationSummary;
}
