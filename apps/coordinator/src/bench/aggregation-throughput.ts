import type { WeightSet } from '@fedsynth/protocol';
import type { SiteTrainResult, Strategy, StrategyState } from '../strategies/strategy';
import { median } from './round-overhead';

/** Parameters × sites combined per second: the aggregation rate, whatever the model size. */
export function parameterSitesPerSecond(parameters: number, sites: number, milliseconds: number): number {
  if (!(Number.isInteger(parameters) && parameters > 0)) throw new RangeError(`parameters must be a positive whole number, got ${parameters}`);
  if (!(Number.isInteger(sites) && sites > 0)) throw new RangeError(`sites must be a positive whole number, got ${sites}`);
  if (!(Number.isFinite(milliseconds) && milliseconds > 0)) throw new RangeError(`the time must be a positive number of ms, got ${milliseconds}`);
  return (parameters * sites) / (milliseconds / 1000);
}

/** Floats in a weight set. */
export function parameterCount(weights: WeightSet): number {
  return weights.reduce((n, t) => n + t.data.length, 0);
}

export interface AggregationTiming {
  strategy: string;
  parameters: number;
  sites: number;
  repeats: number;
  medianMs: number;
  minMs: number;
  parameterSitesPerSec: number;
}

/**
 * Times `strategy.aggregateTrain` on the given results, `repeats` times after one untimed
 * warm-up call. A stateful strategy (FedAdam) gets its previous state back each time, as the
 * round loop does, so every timed call is a steady-state round rather than the first.
 */
export function timeAggregation(strategy: Strategy, results: readonly SiteTrainResult[], globalWeights: WeightSet, repeats: number): AggregationTiming {
  if (!(Number.isInteger(repeats) && repeats >= 1)) throw new RangeError(`repeats must be a whole number ≥ 1, got ${repeats}`);
  let state: StrategyState = strategy.aggregateTrain({ round: 0, results, failures: [], globalWeights }).state;
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const started = performance.now();
    state = strategy.aggregateTrain({ round: i + 1, results, failures: [], globalWeights, state }).state;
    times.push(performance.now() - started);
  }
  const parameters = parameterCount(globalWeights);
  const medianMs = median(times);
  return {
    strategy: strategy.name,
    parameters,
    sites: results.length,
    repeats,
    medianMs,
    minMs: Math.min(...times),
    parameterSitesPerSec: parameterSitesPerSecond(parameters, results.length, medianMs),
  };
}
