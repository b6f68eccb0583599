/** One completed round as the benchmark measured it. */
export interface RoundTiming {
  round: number;
  phase: string;
  /** From the coordinator opening the round to the round's checkpoint being recorded. */
  wallMs: number;
  /** Each site's own local training time for this round, as reported in its TrainResult. */
  siteTrainMs: readonly number[];
}

export interface RoundOverhead extends RoundTiming {
  slowestSiteMs: number;
  /** wallMs − slowestSiteMs: what the federation adds on top of the critical path's training. */
  overheadMs: number;
  /** overheadMs / wallMs (the target: ≤ 0.05). */
  overheadShare: number;
}

/**
 * Round overhead = (round wall time − slowest site's local training time) / round wall time.
 * The slowest site bounds the round however fast the federation is, so whatever else the
 * round took (sending weights, validation, aggregation, checkpointing, waiting) is overhead.
 */
export function roundOverhead(timing: RoundTiming): RoundOverhead {
  const { round, wallMs, siteTrainMs } = timing;
  if (!(Number.isFinite(wallMs) && wallMs > 0)) throw new RangeError(`round ${round}: wall time must be a positive number of ms, got ${wallMs}`);
  if (siteTrainMs.length === 0) throw new RangeError(`round ${round}: no site reported its local training time`);
  const bad = siteTrainMs.find((ms) => !(Number.isFinite(ms) && ms >= 0));
  if (bad !== undefined) throw new RangeError(`round ${round}: a site's local training time must be a number ≥ 0 ms, got ${bad}`);
  const slowestSiteMs = Math.max(...siteTrainMs);
  const overheadMs = wallMs - slowestSiteMs;
  return { ...timing, slowestSiteMs, overheadMs, overheadShare: overheadMs / wallMs };
}

/** The middle value (mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('the median of no values is undefined');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
