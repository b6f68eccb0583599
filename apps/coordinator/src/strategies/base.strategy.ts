import { CoordinatorError } from '../errors/coordinator-error';
import { checkSelectionOptions, selectSites, siteSeed } from './site-selection';
import type {
  AggregateEvaluateInput,
  AggregateEvaluateOutput,
  AggregateTrainInput,
  AggregateTrainOutput,
  ConfigureEvaluateInput,
  ConfigureTrainInput,
  EvaluateInstruction,
  SiteTrainResult,
  Strategy,
  TrainInstruction,
} from './strategy';
import type { WeightedUpdate } from './weighted-mean';
import { summarise, weightedMetrics } from './weighted-metrics';

/** Who takes part in training and evaluation rounds (Flower's fraction/min settings). */
export interface SelectionStrategyOptions {
  /** Fraction of available sites that train each round, in (0, 1]. Default 1. */
  fractionTrain?: number;
  /** Sites selected to train when available, at least. Default 1. */
  minTrainSites?: number;
  /** Fraction of available sites that evaluate, in (0, 1]. Default 1. */
  fractionEvaluate?: number;
  minEvaluateSites?: number;
  /** Seed of the site selection (uint32). Default 0. */
  selectionSeed?: number;
}

export const DEFAULT_SELECTION = Object.freeze({
  fractionTrain: 1,
  minTrainSites: 1,
  fractionEvaluate: 1,
  minEvaluateSites: 1,
  selectionSeed: 0,
});

/** How an update is named in error messages. */
export function updateLabel(siteId: string): string {
  return `site ${JSON.stringify(siteId)}'s update`;
}

export const GLOBAL_LABEL = 'the global weights';

/**
 * Selection, evaluation and metrics shared by every strategy; subclasses implement only
 * the combination of weights (`aggregateTrain`).
 */
export abstract class BaseStrategy implements Strategy {
  abstract readonly name: string;
  protected readonly selection: Required<SelectionStrategyOptions>;

  constructor(options: SelectionStrategyOptions = {}) {
    this.selection = { ...DEFAULT_SELECTION, ...options };
    const s = this.selection;
    checkSelectionOptions({ fraction: s.fractionTrain, minSites: s.minTrainSites, seed: s.selectionSeed }, 'training selection');
    checkSelectionOptions({ fraction: s.fractionEvaluate, minSites: s.minEvaluateSites, seed: s.selectionSeed }, 'evaluation selection');
  }

  abstract aggregateTrain(input: AggregateTrainInput): AggregateTrainOutput;

  configureTrain(input: ConfigureTrainInput): TrainInstruction[] {
    const chosen = selectSites(input.availableSites, {
      fraction: this.selection.fractionTrain,
      minSites: this.selection.minTrainSites,
      seed: this.selection.selectionSeed,
      round: input.round,
      purpose: 'train',
    });
    return chosen.map((site) => ({
      siteId: site.siteId,
      weights: input.globalWeights,
      options: { ...input.options, extra: { ...input.options.extra }, seed: siteSeed(input.options.seed, input.round, site.siteId) },
    }));
  }

  configureEvaluate(input: ConfigureEvaluateInput): EvaluateInstruction[] {
    const chosen = selectSites(input.availableSites, {
      fraction: this.selection.fractionEvaluate,
      minSites: this.selection.minEvaluateSites,
      seed: this.selection.selectionSeed,
      round: input.round,
      purpose: 'evaluate',
    });
    return chosen.map((site) => ({
      siteId: site.siteId,
      weights: input.globalWeights,
      options: { ...input.options, metrics: input.options.metrics.slice(), extra: { ...input.options.extra }, seed: siteSeed(input.options.seed, input.round, site.siteId) },
    }));
  }

  /**
   * Every strategy combines evaluation metrics the same way: per metric, the mean over the
   * sites that reported it weighted by their held-out record counts (robust strategies too:
   * metrics do not move the model, so a site inflating its count only skews a report).
   */
  aggregateEvaluate(input: AggregateEvaluateInput): AggregateEvaluateOutput {
    const seen = new Set<string>();
    for (const r of input.results) {
      if (seen.has(r.siteId)) throw new CoordinatorError(`evaluation of round ${input.round}: two results from site ${JSON.stringify(r.siteId)}`, 'DUPLICATE_SITE');
      seen.add(r.siteId);
    }
    return { metrics: weightedMetrics(input.results), summary: summarise(input.results, input.failures) };
  }

  /**
   * The results in site-id order (so aggregation is exactly order invariant, floating-point
   * sums included), as weighted updates; refuses a round with no result, listing failures.
   */
  protected orderedUpdates(input: AggregateTrainInput): { results: SiteTrainResult[]; updates: WeightedUpdate[] } {
    if (input.results.length === 0) {
      const failures = input.failures.map((f) => `${f.siteId}: ${f.reason}`).join('; ');
      throw new CoordinatorError(
        `round ${input.round}: nothing to aggregate, no site returned an accepted update` +
          (failures ? ` (failures: ${failures})` : ''),
        'EMPTY_AGGREGATION',
      );
    }
    const results = input.results.slice().sort((a, b) => (a.siteId < b.siteId ? -1 : a.siteId > b.siteId ? 1 : 0));
    for (let i = 1; i < results.length; i++) {
      if (results[i]!.siteId === results[i - 1]!.siteId) {
        throw new CoordinatorError(`round ${input.round}: two results from site ${JSON.stringify(results[i]!.siteId)}`, 'DUPLICATE_SITE');
      }
    }
    const updates = results.map((r) => ({ label: updateLabel(r.siteId), weights: r.weights, weight: r.recordCount }));
    return { results, updates };
  }

  protected trainMetrics(input: AggregateTrainInput, results: readonly SiteTrainResult[]) {
    return { metrics: weightedMetrics(results), summary: summarise(results, input.failures) };
  }
}
