import * as tf from '@tensorflow/tfjs';
import { createRng } from '../data/simulate/prng';
import type { GanModel } from './gan-model';

export interface RecalibrateOptions {
  /** Noise vectors the statistics are measured on (default 8,192: ±1% on a unit variance). */
  samples?: number;
  seed?: number;
}

/**
 * Sets the generator's batch-norm moving statistics to the statistics its current weights
 * actually produce, measured on one large batch of noise. Sampling uses the moving
 * statistics; after the weights are replaced by an average (of sites in FedAvg, of rounds or
 * steps in a generator average) the stored statistics belong to none of the averaged
 * generators and shift every activation, which showed as too few codes per synthetic record.
 * The generator's batch norm sees only noise, never a record, so this needs no data and
 * can run anywhere (the coordinator included). Trainable weights are left unchanged. A
 * generator without batch norm (the seed family) is left as it was.
 */
export function recalibrateBatchNorm(model: GanModel, options: RecalibrateOptions = {}): void {
  const samples = options.samples ?? 8192;
  if (!Number.isInteger(samples) || samples < 2) throw new RangeError(`batch-norm recalibration needs at least 2 noise samples, got ${samples}`);
  const rng = createRng(options.seed ?? 1);
  const { noiseDim } = model.networks;
  const noise = new Float32Array(samples * noiseDim);
  for (let i = 0; i < noise.length; i++) noise[i] = rng.normal();
  tf.tidy(() => {
    model.networks.generate(tf.tensor2d(noise, [samples, noiseDim]), { training: true, updateStatistics: true, statisticsMomentum: 0 });
  });
}
