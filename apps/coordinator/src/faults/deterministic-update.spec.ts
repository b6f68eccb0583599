import type { TrainTask } from '@fedsynth/protocol';
import { deterministicDelta, deterministicUpdate, maxDifference, recordWeightedMean } from './deterministic-update';

const task: TrainTask = {
  runId: 'run-1',
  round: 2,
  phase: 'gan',
  modelFamily: 'medgan',
  weights: [{ name: 'w', shape: [2], data: Float32Array.of(1, -1) }],
  options: { localEpochs: 1, batchSize: 1, learningRate: 0.1, seed: 1, extra: {} },
};

describe('deterministic updates', () => {
  it('adds the same small pattern every time', () => {
    // site 1, round 2: (1 % 7 + 1) × (((i·31 + 14) % 11) − 5) × 1e-4 → i=0: 2 × (3 − 5) × 1e-4, i=1: 2 × (1 − 5) × 1e-4
    expect(deterministicDelta(1, 2, 0)).toBeCloseTo(-4e-4, 12);
    expect(deterministicDelta(1, 2, 1)).toBeCloseTo(-8e-4, 12);
    const result = deterministicUpdate(task, 1, 30);
    expect(result).toMatchObject({ runId: 'run-1', round: 2, phase: 'gan', recordCount: 30 });
    expect(Array.from(result.weights[0]!.data)).toEqual([Math.fround(1 - 4e-4), Math.fround(-1 - 8e-4)]);
    expect(task.weights[0]!.data).toEqual(Float32Array.of(1, -1));
  });

  it('weights the mean by record count, and measures the distance to it', () => {
    const a = { ...deterministicUpdate(task, 0, 10), weights: [{ name: 'w', shape: [2], data: Float32Array.of(0, 4) }] };
    const b = { ...deterministicUpdate(task, 1, 30), weights: [{ name: 'w', shape: [2], data: Float32Array.of(4, 0) }] };
    const mean = recordWeightedMean([a, b]);
    expect(Array.from(mean.get('w')!)).toEqual([3, 1]);
    expect(maxDifference([{ name: 'w', shape: [2], data: Float32Array.of(3, 1.5) }], mean)).toBe(0.5);
    expect(maxDifference([{ name: 'v', shape: [2], data: Float32Array.of(3, 1) }], mean)).toBe(Infinity);
  });
});
