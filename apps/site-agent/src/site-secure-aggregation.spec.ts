import type { TrainTask } from '@fedsynth/protocol';
import { SiteSecureAggregation } from './site-secure-aggregation';

const task = (round: number): TrainTask => ({
  runId: 'run-1',
  round,
  phase: 'gan',
  modelFamily: 'medgan',
  weights: [{ name: 'w', shape: [2], data: new Float32Array(2) }],
  options: { localEpochs: 1, batchSize: 1, learningRate: 0.1, seed: 1, extra: {} },
  secureAggregation: { threshold: 2, maskingSet: ['a', 'b'], clip: 1, scale: 1024, maxTotalWeight: 100, maxSites: 2 },
});

function code(step: () => unknown): string {
  try {
    step();
  } catch (error) {
    return `${(error as { code?: string }).code}: ${(error as Error).message}`;
  }
  return 'no error';
}

describe("a site's secure-aggregation state", () => {
  it('refuses steps of a round it holds no keys for, with SECURE_AGGREGATION_FAILED', () => {
    const site = new SiteSecureAggregation('a');
    expect(code(() => site.accept(task(1), 'm1'))).toBe("SECURE_AGGREGATION_FAILED: TrainTask for run run-1 round 1, but this site's secure-aggregation keys are for none");
    site.keys({ runId: 'run-1', round: 2 });
    expect(code(() => site.reveal({ runId: 'run-1', round: 1, survivors: ['a', 'b'] }))).toBe(
      "SECURE_AGGREGATION_FAILED: unmask request for run run-1 round 1, but this site's secure-aggregation keys are for run run-1 round 2",
    );
  });

  it("turns the protocol's own refusals into SECURE_AGGREGATION_FAILED (unmasking before masking)", () => {
    const site = new SiteSecureAggregation('a');
    site.keys({ runId: 'run-1', round: 2 });
    expect(code(() => site.reveal({ runId: 'run-1', round: 2, survivors: ['a', 'b'] }))).toBe('SECURE_AGGREGATION_FAILED: INVALID_INPUT: revealShares comes after maskUpdate');
  });

  it('forgets a task bound to an earlier round once new keys are made, so it never masks with them', () => {
    const site = new SiteSecureAggregation('a');
    site.keys({ runId: 'run-1', round: 1 });
    site.accept(task(1), 'm1');
    site.keys({ runId: 'run-1', round: 2 });
    const result = { runId: 'run-1', round: 1, phase: 'gan' as const, recordCount: 10, metrics: {}, weights: task(1).weights };
    expect(code(() => site.mask(task(1), 'm1', result))).toBe('SECURE_AGGREGATION_FAILED: round 1 has no secure-aggregation set-up for this task');
  });
});
