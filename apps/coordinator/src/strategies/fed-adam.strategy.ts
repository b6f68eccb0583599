import type { NamedTensor, WeightSet } from '@fedsynth/protocol';
import { CoordinatorError } from '../errors/coordinator-error';
import { alignUpdates, allocateLike, largestTensor } from './aggregation-input';
import { BaseStrategy, GLOBAL_LABEL, type SelectionStrategyOptions } from './base.strategy';
import type { AggregateTrainInput, AggregateTrainOutput, StrategyState } from './strategy';
import { alignToLayout } from '../weights/weight-layout';
import { accumulateWeightedSum, normalisedWeights } from './weighted-mean';

export interface FedAdamOptions extends SelectionStrategyOptions {
  /** Server learning rate η. Default 1e-2 (see DEFAULT_FED_ADAM). */
  eta?: number;
  /** First-moment decay β1 in [0, 1). Default 0.9. */
  beta1?: number;
  /** Second-moment decay β2 in [0, 1). Default 0.99. */
  beta2?: number;
  /** Adaptivity τ > 0: floor of the denominator. Default 1e-3. */
  tau?: number;
}

/**
 * Defaults. β1, β2 and τ are those of Reddi et al. 2021 (and Flower). η = 1e-2 rather than
 * Flower's 0.1: with these β the step m/(√v+τ) is close to ±1 per coordinate whenever the
 * pseudo-gradient dominates τ (the first step is ≈ η·sign(Δ)), so η is an absolute step
 * per weight per round. medGAN's Glorot-initialised kernels (e.g. 1,071 × 128) have
 * weights of magnitude ≈ 0.07, so 0.1 could move every weight by more than its whole
 * initial range in one round and upset the generator/discriminator balance; 1e-2 moves it
 * by ≈ 15 %, comparable to what one local epoch of Adam at 1e-3 changes.
 */
export const DEFAULT_FED_ADAM = Object.freeze({ eta: 1e-2, beta1: 0.9, beta2: 0.99, tau: 1e-3 });

const FIRST = 'm/';
const SECOND = 'v/';

/** Splits a FedAdam state into its first and second moments, names unprefixed. */
function splitState(state: StrategyState): { m: WeightSet; v: WeightSet } {
  const m: WeightSet = [];
  const v: WeightSet = [];
  for (const t of state) {
    if (t.name.startsWith(FIRST)) m.push({ ...t, name: t.name.slice(FIRST.length) });
    else if (t.name.startsWith(SECOND)) v.push({ ...t, name: t.name.slice(SECOND.length) });
    else {
      throw new CoordinatorError(
        `FedAdam state holds tensor ${JSON.stringify(t.name)}; expected only "m/..." and "v/..." tensors`,
        'STATE_MISMATCH',
      );
    }
  }
  return { m, v };
}

function withPrefix(prefix: string, tensors: readonly NamedTensor[]): WeightSet {
  return tensors.map((t) => ({ ...t, name: prefix + t.name }));
}

/**
 * FedAdam (Reddi et al. 2021, "Adaptive Federated Optimization", Algorithm 2): the sites'
 * record-weighted average gives a pseudo-gradient Δ = avg − x, and the server takes an
 * Adam step on it, per coordinate:
 *
 *   m ← β1·m + (1−β1)·Δ,   v ← β2·v + (1−β2)·Δ²,   x ← x + η·m / (√v + τ)
 *
 * as in the paper, without Adam's bias correction, with m₀ = 0 and v₀ = τ² (the paper's
 * v₋₁ ≥ τ²). The moments are the strategy state: returned by aggregateTrain, persisted
 * beside the checkpoint, and passed back on the next round, so the strategy stays pure
 * and survives a restart. Inputs are never modified.
 */
export class FedAdam extends BaseStrategy {
  readonly name = 'fedadam';
  readonly eta: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly tau: number;

  constructor(options: FedAdamOptions = {}) {
    super(options);
    this.eta = options.eta ?? DEFAULT_FED_ADAM.eta;
    this.beta1 = options.beta1 ?? DEFAULT_FED_ADAM.beta1;
    this.beta2 = options.beta2 ?? DEFAULT_FED_ADAM.beta2;
    this.tau = options.tau ?? DEFAULT_FED_ADAM.tau;
    const problems: string[] = [];
    if (!(this.eta > 0 && Number.isFinite(this.eta))) problems.push(`eta must be > 0, got ${this.eta}`);
    if (!(this.beta1 >= 0 && this.beta1 < 1)) problems.push(`beta1 must be in [0, 1), got ${this.beta1}`);
    if (!(this.beta2 >= 0 && this.beta2 < 1)) problems.push(`beta2 must be in [0, 1), got ${this.beta2}`);
    if (!(this.tau > 0 && Number.isFinite(this.tau))) problems.push(`tau must be > 0, got ${this.tau}`);
    if (problems.length > 0) throw new CoordinatorError(`FedAdam: ${problems.join('; ')}`, 'INVALID_OPTION');
  }

  /** The moments before the first round: m = 0, v = τ², shaped like the global weights. */
  initialState(globalWeights: readonly NamedTensor[]): StrategyState {
    const m = allocateLike(globalWeights);
    const v = allocateLike(globalWeights);
    for (const t of v) t.data.fill(this.tau * this.tau);
    return [...withPrefix(FIRST, m), ...withPrefix(SECOND, v)];
  }

  aggregateTrain(input: AggregateTrainInput): AggregateTrainOutput {
    const { results, updates } = this.orderedUpdates(input);
    const global = input.globalWeights;
    const aligned = alignUpdates(updates, { label: GLOBAL_LABEL, weights: global });
    const coefficients = normalisedWeights(updates);
    const previous = splitState(input.state && input.state.length > 0 ? input.state : this.initialState(global));
    const mIn = alignToLayout(global, previous.m, { expected: GLOBAL_LABEL, actual: 'the FedAdam first moment (m)' });
    const vIn = alignToLayout(global, previous.v, { expected: GLOBAL_LABEL, actual: 'the FedAdam second moment (v)' });

    const weights = allocateLike(global);
    const mOut = allocateLike(global);
    const vOut = allocateLike(global);
    const avg = new Float64Array(largestTensor(global));
    const sources: Float32Array[] = new Array(aligned.length);
    const { eta, beta1, beta2, tau } = this;
    for (let t = 0; t < global.length; t++) {
      for (let k = 0; k < aligned.length; k++) sources[k] = aligned[k]![t]!;
      const x = global[t]!.data;
      const n = x.length;
      accumulateWeightedSum(sources, coefficients, avg, n);
      const m0 = mIn[t]!;
      const v0 = vIn[t]!;
      const m1 = mOut[t]!.data;
      const v1 = vOut[t]!.data;
      const out = weights[t]!.data;
      for (let i = 0; i < n; i++) {
        const delta = avg[i]! - x[i]!;
        const m = beta1 * m0[i]! + (1 - beta1) * delta;
        const v = beta2 * v0[i]! + (1 - beta2) * delta * delta;
        m1[i] = m;
        v1[i] = v;
        out[i] = x[i]! + (eta * m) / (Math.sqrt(v) + tau);
      }
    }
    return {
      weights,
      ...this.trainMetrics(input, results),
      state: [...withPrefix(FIRST, mOut), ...withPrefix(SECOND, vOut)],
    };
  }
}
