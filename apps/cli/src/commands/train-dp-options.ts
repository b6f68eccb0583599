import { FedsynthError, type DpOptions } from '@fedsynth/gan';
import type { OptionValues } from '../command';
import { numberOption, stringOption } from './data-options';

export const DP_TRAIN_OPTIONS = {
  'dp-clip-norm': { type: 'string' },
  'dp-noise-multiplier': { type: 'string' },
  'dp-sample-rate': { type: 'string' },
  'dp-delta': { type: 'string' },
} as const;

export const DP_TRAIN_HELP = `Differential privacy (DP-SGD for the autoencoder and the discriminator; medgan, wgan-gp):
  --dp-clip-norm C           clip each record's gradient to L2 norm C
  --dp-noise-multiplier S    add Gaussian noise of standard deviation S·C to each clipped sum
  --dp-sample-rate Q         each record joins each batch with probability Q (Poisson
                             sampling; replaces --batch-size: batches average Q × records)
  --dp-delta D               δ of the (ε, δ) reported (default: 1e-5)
  The first three together turn DP on. ε spent is printed per epoch and stored in
  fedsynth.json; minibatch averaging is off. Plan a budget with \`fedsynth privacy epsilon\`.`;

/** The DP-SGD settings from the --dp-* flags, or undefined when none is given. */
export function dpOptionsFrom(values: OptionValues): DpOptions | undefined {
  const clipNorm = numberOption(values, 'dp-clip-norm', (n) => n > 0, '> 0');
  const noiseMultiplier = numberOption(values, 'dp-noise-multiplier', (n) => n >= 0, '≥ 0');
  const sampleRate = numberOption(values, 'dp-sample-rate', (n) => n > 0 && n <= 1, 'in (0, 1]');
  const delta = numberOption(values, 'dp-delta', (n) => n > 0 && n < 1, 'in (0, 1)');
  const given = [clipNorm, noiseMultiplier, sampleRate, delta].some((v) => v !== undefined);
  if (!given) return undefined;
  if (clipNorm === undefined || noiseMultiplier === undefined || sampleRate === undefined) {
    throw new FedsynthError('DP training needs all of --dp-clip-norm, --dp-noise-multiplier and --dp-sample-rate', 'CLI_MISSING_OPTION');
  }
  if (values['batch-size'] !== undefined) {
    throw new FedsynthError('--batch-size cannot be combined with DP training: batches are Poisson samples of --dp-sample-rate × records', 'CLI_BAD_OPTION');
  }
  return { clipNorm, noiseMultiplier, sampleRate, ...(delta !== undefined ? { delta } : {}) };
}
