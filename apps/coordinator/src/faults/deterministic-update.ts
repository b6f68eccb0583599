import type { TrainResult, TrainTask, WeightSet } from '@fedsynth/protocol';

/**
 * The change site `siteIndex` makes to weight element `i` in `round`: a small, fixed,
 * site-dependent pattern (|Δ| ≤ 3.5e-3), so every aggregate is predictable to the last bit
 * of its inputs and far inside the coordinator's update-norm bound.
 */
export function deterministicDelta(siteIndex: number, round: number, i: number): number {
  return ((siteIndex % 7) + 1) * ((((i * 31 + round * 7) % 11) - 5) * 1e-4);
}

/**
 * A site's TrainResult without training: the task's weights plus deterministicDelta. What
 * protocol-level sites answer in the fault suite and the load benchmark.
 */
export function deterministicUpdate(task: TrainTask, siteIndex: number, recordCount: number): TrainResult {
  return {
    runId: task.runId,
    round: task.round,
    phase: task.phase,
    recordCount,
    metrics: { site: siteIndex },
    weights: task.weights.map((t) => ({ name: t.name, shape: [...t.shape], data: t.data.map((v, i) => v + deterministicDelta(siteIndex, task.round, i)) })),
  };
}

/**
 * Σ nₖ wₖ / Σ nₖ in float64 over the sites' results: what the coordinator's FedAvg must
 * produce (to float32 rounding), computed independently of the strategies.
 */
export function recordWeightedMean(results: readonly TrainResult[]): Map<string, Float64Array> {
  const total = results.reduce((sum, r) => sum + r.recordCount, 0);
  const mean = new Map<string, Float64Array>();
  for (const result of results) {
    for (const tensor of result.weights) {
      const acc = mean.get(tensor.name) ?? new Float64Array(tensor.data.length);
      for (let i = 0; i < tensor.data.length; i++) acc[i]! += (tensor.data[i]! * result.recordCount) / total;
      mean.set(tensor.name, acc);
    }
  }
  return mean;
}

/** The largest |global − expected| over every element; Infinity when the tensor names differ. */
export function maxDifference(global: WeightSet, expected: ReadonlyMap<string, Float64Array>): number {
  if (global.length !== expected.size || global.some((t) => !expected.has(t.name))) return Infinity;
  let max = 0;
  for (const tensor of global) {
    const want = expected.get(tensor.name)!;
    if (want.length !== tensor.data.length) return Infinity;
    for (let i = 0; i < want.length; i++) max = Math.max(max, Math.abs(tensor.data[i]! - want[i]!));
  }
  return max;
}
