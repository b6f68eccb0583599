import { FedsynthError } from '../errors/fedsynth-error';
import { sampledGaussianRdp } from './sampled-gaussian-rdp';

/**
 * A run of identical private steps: `steps` applications of the Poisson-sampled Gaussian
 * mechanism with sampling rate q and noise multiplier σ (noise sd ÷ L2 sensitivity).
 * A site's whole history is a list of segments (one per round, per network, plus the
 * vocabulary release), since q and σ may change from round to round.
 */
export interface SampledGaussianSegment {
  /** q ∈ [0, 1]: probability that a record joins a batch (expected batch ÷ records). 1 = no sampling. */
  readonly sampleRate: number;
  /** σ ≥ 0: noise standard deviation divided by the clip norm (the L2 sensitivity). */
  readonly noiseMultiplier: number;
  /** Number of steps (a non-negative integer). */
  readonly steps: number;
}

/** How an RDP curve becomes (ε, δ)-DP. */
export type RdpConversion = 'improved' | 'classic';

/**
 * The orders α tried by default: 1.1 … 10.9 in steps of 0.1, 11 … 63, 128, 256, 512,
 * 1024 — the set TF Privacy's compute_dp_sgd_privacy_lib hands to dp_accounting's
 * RdpAccountant. Small fractional orders matter for large ε, large orders for tiny ε.
 */
export const DEFAULT_RDP_ORDERS: readonly number[] = Object.freeze([
  ...Array.from({ length: 99 }, (_, i) => Math.round((1 + (i + 1) / 10) * 10) / 10),
  ...Array.from({ length: 53 }, (_, i) => 11 + i),
  128,
  256,
  512,
  1024,
]);

/** ε at one δ, the order α that gave it, and the RDP curve it came from. */
export interface EpsilonResult {
  readonly epsilon: number;
  readonly delta: number;
  /** The order α at which the minimum was reached. */
  readonly order: number;
  readonly conversion: RdpConversion;
  readonly orders: readonly number[];
  /** Total RDP ε(α) at each order, composed over all segments. */
  readonly rdp: readonly number[];
}

function invalid(message: string): FedsynthError {
  return new FedsynthError(message, 'PRIVACY_INVALID');
}

/** Throws a FedsynthError naming the bad field of a segment (prefix e.g. `segments[2]`). */
export function validateSegment(segment: SampledGaussianSegment, where = 'segment'): void {
  const { sampleRate, noiseMultiplier, steps } = segment;
  if (typeof sampleRate !== 'number' || !(sampleRate >= 0 && sampleRate <= 1)) {
    throw invalid(`${where}.sampleRate must be a number in [0, 1], got ${String(sampleRate)}`);
  }
  if (typeof noiseMultiplier !== 'number' || !(noiseMultiplier >= 0) || !Number.isFinite(noiseMultiplier)) {
    throw invalid(`${where}.noiseMultiplier must be a finite number ≥ 0, got ${String(noiseMultiplier)}`);
  }
  if (typeof steps !== 'number' || !Number.isSafeInteger(steps) || steps < 0) {
    throw invalid(`${where}.steps must be an integer ≥ 0, got ${String(steps)}`);
  }
}

function validateOrders(orders: readonly number[]): void {
  if (orders.length === 0) throw invalid('orders must not be empty');
  orders.forEach((alpha, i) => {
    if (typeof alpha !== 'number' || !(alpha > 1) || !Number.isFinite(alpha)) {
      throw invalid(`orders[${i}] must be a finite number > 1, got ${String(alpha)}`);
    }
  });
}

function validateDelta(delta: number): void {
  if (typeof delta !== 'number' || !(delta > 0 && delta < 1)) {
    throw invalid(`delta must be a number in (0, 1), got ${String(delta)}`);
  }
}

/**
 * RDP of a composition: RDP adds up over mechanisms run one after another (Mironov 2017,
 * Proposition 1), so the curve of all segments is Σ steps·ε_seg(α) at each order.
 */
export function composeRdp(
  segments: readonly SampledGaussianSegment[],
  orders: readonly number[] = DEFAULT_RDP_ORDERS,
): number[] {
  validateOrders(orders);
  segments.forEach((segment, i) => validateSegment(segment, `segments[${i}]`));
  const total = orders.map(() => 0);
  for (const { sampleRate, noiseMultiplier, steps } of segments) {
    if (steps === 0 || sampleRate === 0) continue;
    orders.forEach((alpha, i) => {
      total[i] += steps * sampledGaussianRdp(sampleRate, noiseMultiplier, alpha);
    });
  }
  return total;
}

/**
 * ε at one order.
 * - classic (Mironov 2017, Proposition 3): ε = rdp + log(1/δ)/(α − 1).
 * - improved (Canonne, Kamath & Steinke 2020, arXiv:2004.00010 Prop. 12; Balle et al.
 *   2020, arXiv:2001.05990 eq. 20): ε = rdp + log((α − 1)/α) − (log δ + log α)/(α − 1).
 *   Always ≤ the classic value for α > 1. It is also the conversion dp_accounting uses,
 *   including its two guards: orders α ≤ 1.01 are skipped (the formula is unstable as
 *   α → 1) and ε = 0 when δ ≥ √(1 − e^(−rdp)) (total variation ≤ δ via Pinsker-type bound
 *   on the KL divergence, which RDP at any α > 1 bounds from above).
 */
export function epsilonAtOrder(rdp: number, alpha: number, delta: number, conversion: RdpConversion): number {
  if (rdp === Infinity) return Infinity;
  if (conversion === 'classic') return Math.max(0, rdp - Math.log(delta) / (alpha - 1));
  if (delta * delta + Math.expm1(-rdp) > 0) return 0;
  if (alpha <= 1.01) return Infinity;
  return Math.max(0, rdp + Math.log1p(-1 / alpha) - (Math.log(delta) + Math.log(alpha)) / (alpha - 1));
}

/** The smallest ε over the orders of an RDP curve, and where it was reached. */
export function epsilonFromRdp(
  orders: readonly number[],
  rdp: readonly number[],
  delta: number,
  conversion: RdpConversion = 'improved',
): { epsilon: number; order: number } {
  validateOrders(orders);
  validateDelta(delta);
  if (rdp.length !== orders.length) throw invalid(`rdp has ${rdp.length} values for ${orders.length} orders`);
  let best = { epsilon: Infinity, order: orders[0] };
  orders.forEach((alpha, i) => {
    const epsilon = epsilonAtOrder(rdp[i], alpha, delta, conversion);
    if (epsilon < best.epsilon) best = { epsilon, order: alpha };
  });
  return best;
}

export interface ComputeEpsilonOptions {
  readonly delta: number;
  readonly orders?: readonly number[];
  /** Default 'improved'. */
  readonly conversion?: RdpConversion;
}

/** (ε, δ) of a sequence of sampled Gaussian segments, minimised over the orders. */
export function computeEpsilon(
  segments: readonly SampledGaussianSegment[],
  options: ComputeEpsilonOptions,
): EpsilonResult {
  const orders = options.orders ?? DEFAULT_RDP_ORDERS;
  const conversion = options.conversion ?? 'improved';
  validateDelta(options.delta);
  const rdp = composeRdp(segments, orders);
  const { epsilon, order } = epsilonFromRdp(orders, rdp, options.delta, conversion);
  return { epsilon, delta: options.delta, order, conversion, orders, rdp };
}

/**
 * The segment of DP-SGD over `epochs` passes with Poisson sampling at an expected batch
 * size: q = batch ÷ records and ⌈epochs·records/batch⌉ steps (as TF Privacy counts them).
 */
export function dpSgdSegment(options: {
  records: number;
  expectedBatchSize: number;
  epochs: number;
  noiseMultiplier: number;
}): SampledGaussianSegment {
  const { records, expectedBatchSize, epochs, noiseMultiplier } = options;
  if (!Number.isSafeInteger(records) || records < 1) throw invalid(`records must be an integer ≥ 1, got ${records}`);
  if (!Number.isSafeInteger(expectedBatchSize) || expectedBatchSize < 1 || expectedBatchSize > records) {
    throw invalid(`expectedBatchSize must be an integer in [1, records = ${records}], got ${expectedBatchSize}`);
  }
  if (!(epochs >= 0) || !Number.isFinite(epochs)) throw invalid(`epochs must be a finite number ≥ 0, got ${epochs}`);
  const segment = {
    sampleRate: expectedBatchSize / records,
    noiseMultiplier,
    steps: Math.ceil((epochs * records) / expectedBatchSize),
  };
  validateSegment(segment);
  return segment;
}
