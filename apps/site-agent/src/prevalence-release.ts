import { noisyPrevalence, type BinaryMatrix, type DpRandomness, type MarginalTarget, type SampledGaussianSegment } from '@fedsynth/gan';
import type { TrainTask } from '@fedsynth/protocol';
import { DEFAULT_MAX_CODES_PER_RECORD } from './vocabulary-release';

/**
 * Marginal matching under DP (TrainTask.dp.marginals): before its first GAN round of a run,
 * the site releases its code prevalences once, with Gaussian noise (libs/gan noisyPrevalence:
 * records keep at most m = 20 codes, noise sd z·√m), charged to its ledger together with
 * that round's DP-SGD steps; every GAN round of the run then trains its generator towards
 * them. The released vector stays in this process: the generator's use of it is
 * post-processing, and only weights leave.
 */
export class PrevalenceReleases {
  /** Released prevalences per run id (the matrix of a run is fixed once its vocabulary is agreed). */
  private readonly released = new Map<string, Float64Array>();

  constructor(private readonly randomness?: DpRandomness) {}

  /** The one-off release `task` needs before it trains (empty when none or already made). */
  needed(task: Pick<TrainTask, 'runId' | 'phase' | 'dp'>): SampledGaussianSegment[] {
    const marginals = task.dp?.marginals;
    if (task.phase !== 'gan' || !marginals || this.released.has(task.runId)) return [];
    return [{ sampleRate: 1, noiseMultiplier: marginals.noiseMultiplier, steps: 1 }];
  }

  /** Makes the release `needed` announced (call once it is charged). */
  release(task: Pick<TrainTask, 'runId' | 'dp'>, matrix: BinaryMatrix): void {
    const marginals = task.dp?.marginals;
    if (!marginals || this.released.has(task.runId)) return;
    const { prevalence } = noisyPrevalence(matrix, {
      noiseMultiplier: marginals.noiseMultiplier,
      maxCodesPerRecord: DEFAULT_MAX_CODES_PER_RECORD,
      ...(this.randomness ? { randomness: this.randomness } : {}),
    });
    this.released.set(task.runId, prevalence);
  }

  /** What the generator of `task` matches, or undefined (no marginal matching, or not a GAN round). */
  targetFor(task: Pick<TrainTask, 'runId' | 'phase' | 'dp'>): MarginalTarget | undefined {
    const marginals = task.dp?.marginals;
    const prevalence = this.released.get(task.runId);
    if (task.phase !== 'gan' || !marginals || !prevalence) return undefined;
    return { prevalence, weight: marginals.weight };
  }
}
