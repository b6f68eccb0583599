import { noisyPrevalence, prevalence as exactPrevalence, type BinaryMatrix, type DpRandomness, type MarginalTarget, type SampledGaussianSegment, type SiteMeanCorrectionInput } from '@fedsynth/gan';
import { ProtocolError, type TrainTask } from '@fedsynth/protocol';
import { DEFAULT_MAX_CODES_PER_RECORD } from './vocabulary-release';

type MarginalTask = Pick<TrainTask, 'runId' | 'phase' | 'marginals'>;

/**
 * Marginal matching (TrainTask.marginals): the site's code prevalences, which its generator
 * is trained towards in every GAN round of a run. Without DP they are exact. With a noise
 * multiplier z (required under DP), they are released once per run before the first GAN
 * round with Gaussian noise (libs/gan noisyPrevalence: records keep at most m = 20 codes,
 * noise sd z·√m), and the caller charges that release to the site's ledger together with
 * the round's DP-SGD steps. Either way the vector stays in this process: the generator's use
 * of it is post-processing, and only weights leave. In a run matching the pooled prevalences
 * the task carries them (from every site's code counts, sent at vocabulary agreement); the
 * site's own exact ones are then computed only for the batch-mean correction.
 */
export class PrevalenceReleases {
  /** Prevalences per run id (a run's matrix is fixed once its vocabulary is agreed). */
  private readonly released = new Map<string, Float64Array>();

  constructor(private readonly randomness?: DpRandomness) {}

  /** The one-off noisy release `task` needs before it trains (empty when none, exact, pooled, or already made). */
  needed(task: MarginalTask): SampledGaussianSegment[] {
    const marginals = task.marginals;
    if (task.phase !== 'gan' || !marginals || marginals.pooledPrevalence || !(marginals.noiseMultiplier > 0) || this.released.has(task.runId)) return [];
    return [{ sampleRate: 1, noiseMultiplier: marginals.noiseMultiplier, steps: 1 }];
  }

  /**
   * Refuses (ProtocolError) a task whose pooled prevalences do not have one value per column.
   * Called before the task is planned or binds anything, so a refused task costs nothing.
   */
  check(task: MarginalTask, matrix: BinaryMatrix): void {
    const pooled = task.marginals?.pooledPrevalence;
    if (pooled && pooled.length !== matrix.cols) {
      throw new ProtocolError('INVALID_VALUE', `${pooled.length} pooled prevalences for a vocabulary of ${matrix.cols} codes`, { field: 'trainTask.marginals.pooledPrevalence' });
    }
  }

  /**
   * Computes the run's prevalences if not yet done (a noisy release: call once it is charged).
   * A task carrying the pooled prevalences needs none of the site's.
   */
  prepare(task: MarginalTask, matrix: BinaryMatrix): void {
    const marginals = task.marginals;
    this.check(task, matrix);
    if (task.phase !== 'gan' || !marginals || this.released.has(task.runId)) return;
    // A pooled run needs the site's own (exact, never released) prevalences only for the batch-mean correction.
    if (marginals.pooledPrevalence && !marginals.correctBatchMeans) return;
    // Pooled runs have no dp (the codec refuses both), so the correction uses the exact prevalences.
    const prevalence =
      marginals.noiseMultiplier > 0 && !marginals.pooledPrevalence
        ? noisyPrevalence(matrix, {
            noiseMultiplier: marginals.noiseMultiplier,
            maxCodesPerRecord: DEFAULT_MAX_CODES_PER_RECORD,
            ...(this.randomness ? { randomness: this.randomness } : {}),
          }).prevalence
        : exactPrevalence(matrix);
    this.released.set(task.runId, prevalence);
  }

  /**
   * The batch-mean correction of a pooled run that asks for it (TrainTask.marginals.correctBatchMeans):
   * the pooled prevalences and the site's own exact ones, which stay in this process.
   */
  correctionFor(task: MarginalTask): SiteMeanCorrectionInput | undefined {
    const marginals = task.marginals;
    const site = this.released.get(task.runId);
    if (task.phase !== 'gan' || !marginals?.pooledPrevalence || !marginals.correctBatchMeans || !site) return undefined;
    return { pooled: Float64Array.from(marginals.pooledPrevalence), site };
  }

  /**
   * What the generator of `task` matches, or undefined (no marginal matching, not a GAN round,
   * not prepared): the pooled prevalences when the task carries them, else the site's own.
   */
  targetFor(task: MarginalTask): MarginalTarget | undefined {
    const marginals = task.marginals;
    if (task.phase === 'gan' && marginals?.pooledPrevalence) return { prevalence: Float64Array.from(marginals.pooledPrevalence), weight: marginals.weight };
    const prevalence = this.released.get(task.runId);
    if (task.phase !== 'gan' || !marginals || !prevalence) return undefined;
    return { prevalence, weight: marginals.weight };
  }
}
