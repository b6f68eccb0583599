import { FedsynthError } from '../../errors/fedsynth-error';
import type { ModelOptions } from '../../model/model-options';
import { validateSegment, type SampledGaussianSegment } from '../rdp-accountant';
import { secureRandomness, seededRandomness, type DpRandomness } from '../dp-randomness';

/** DP-SGD settings for train(): the networks that see real records train under them. */
export interface DpOptions {
  /** C > 0: each real record's gradient (over all of a network's weights) is clipped to L2 norm C. */
  clipNorm: number;
  /** σ ≥ 0: Gaussian noise of standard deviation σ·C on each clipped sum. 0 clips without noise (ε = ∞). */
  noiseMultiplier: number;
  /** q ∈ (0, 1]: each record joins each batch independently with this probability (Poisson sampling). */
  sampleRate: number;
  /** δ of the (ε, δ) reported in logs and provenance. Default 1e-5; it should be well below 1/records. */
  delta?: number;
  /** DP steps this site already took on the same records (earlier rounds), so the reported ε is the total. */
  priorSegments?: readonly SampledGaussianSegment[];
  /**
   * Draw the batch sampling and the noise from this seed instead of node:crypto, for
   * reproducible tests and experiments. Anyone who knows the seed can remove the noise, so
   * such a model has no privacy guarantee; provenance records it as secureRandomness: false.
   */
  insecureSeed?: number;
}

export interface ResolvedDpOptions {
  readonly clipNorm: number;
  readonly noiseMultiplier: number;
  readonly sampleRate: number;
  readonly delta: number;
  readonly priorSegments: readonly SampledGaussianSegment[];
  readonly randomness: DpRandomness;
}

function bad(message: string): FedsynthError {
  return new FedsynthError(`training option ${message}`, 'TRAIN_BAD_OPTION');
}

export function resolveDpOptions(dp: DpOptions): ResolvedDpOptions {
  if (typeof dp !== 'object' || dp === null) throw bad(`dp must be an object { clipNorm, noiseMultiplier, sampleRate }, got ${String(dp)}`);
  const { clipNorm, noiseMultiplier, sampleRate } = dp;
  if (typeof clipNorm !== 'number' || !Number.isFinite(clipNorm) || clipNorm <= 0) throw bad(`dp.clipNorm must be a finite number > 0, got ${String(clipNorm)}`);
  if (typeof noiseMultiplier !== 'number' || !Number.isFinite(noiseMultiplier) || noiseMultiplier < 0) {
    throw bad(`dp.noiseMultiplier must be a finite number ≥ 0, got ${String(noiseMultiplier)}`);
  }
  if (typeof sampleRate !== 'number' || !(sampleRate > 0 && sampleRate <= 1)) throw bad(`dp.sampleRate must be a number in (0, 1], got ${String(sampleRate)}`);
  const delta = dp.delta ?? 1e-5;
  if (typeof delta !== 'number' || !(delta > 0 && delta < 1)) throw bad(`dp.delta must be a number in (0, 1), got ${String(delta)}`);
  const priorSegments = dp.priorSegments ?? [];
  if (!Array.isArray(priorSegments)) throw bad('dp.priorSegments must be an array of { sampleRate, noiseMultiplier, steps }');
  priorSegments.forEach((segment, i) => {
    try {
      validateSegment(segment, `dp.priorSegments[${i}]`);
    } catch (error) {
      throw bad((error as Error).message);
    }
  });
  if (dp.insecureSeed !== undefined && !Number.isFinite(dp.insecureSeed)) throw bad(`dp.insecureSeed must be a finite number, got ${String(dp.insecureSeed)}`);
  return {
    clipNorm,
    noiseMultiplier,
    sampleRate,
    delta,
    priorSegments: [...priorSegments],
    randomness: dp.insecureSeed === undefined ? secureRandomness() : seededRandomness(dp.insecureSeed),
  };
}

/**
 * Refuses architectures DP-SGD cannot make private. The seed family is not supported. With
 * minibatch averaging, the discriminator sees every record together with its batch's mean,
 * so a record's score — and the gradient of every other record's loss — depends on it:
 * clipping each record's own term would no longer bound what one record changes (its
 * influence through the others' terms is unclipped), and the sensitivity analysis fails.
 */
export function assertDpCompatible(options: ModelOptions): void {
  if (options.family === 'seed') {
    throw new FedsynthError('DP-SGD is implemented for the medgan and wgan-gp families, not seed (the notebook baseline)', 'DP_UNSUPPORTED_MODEL');
  }
  if (options.minibatchAveraging) {
    throw new FedsynthError(
      "DP-SGD cannot train a discriminator with minibatch averaging: each record's score would depend on the other records of its batch, " +
        "so clipping per record would not bound one record's influence. Set model option minibatchAveraging: false (the default under dp)",
      'DP_MINIBATCH_AVERAGING',
    );
  }
}
