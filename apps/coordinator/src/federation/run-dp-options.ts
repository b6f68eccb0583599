import { isObject, positive } from './option-values';

/**
 * A run's differential-privacy settings: the sites train the networks that see their
 * records with DP-SGD, each under its own (ε, δ) budget. The coordinator only chooses the
 * mechanism's knobs; the sampling rate follows from each site's record count.
 */
export interface RunDpOptions {
  /** σ > 0: Gaussian noise of standard deviation σ·C on each summed batch of clipped gradients. */
  noiseMultiplier: number;
  /** C > 0: each record's gradient is clipped to this L2 norm. */
  clipNorm: number;
}

/**
 * Checks `options.dp` (absent: no DP), adding every problem to `problems`. DP-SGD needs a
 * family with per-record terms (not seed) and a discriminator that scores each record on
 * its own: minibatch averaging mixes the records of a batch, so clipping one record's
 * gradient would not bound its influence (libs/gan assertDpCompatible).
 */
export function checkRunDpOptions(
  input: unknown,
  context: { family: string; model: Record<string, unknown>; problems: string[] },
): RunDpOptions | undefined {
  if (input === undefined || input === null) return undefined;
  const { problems } = context;
  if (!isObject(input)) {
    problems.push('dp must be an object { noiseMultiplier, clipNorm }');
    return undefined;
  }
  const unknown = Object.keys(input).filter((key) => key !== 'noiseMultiplier' && key !== 'clipNorm');
  if (unknown.length > 0) problems.push(`dp has unknown field${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')} (allowed: noiseMultiplier, clipNorm)`);
  const { noiseMultiplier, clipNorm } = input;
  if (!positive(noiseMultiplier)) problems.push(`dp.noiseMultiplier must be a finite number > 0, got ${JSON.stringify(noiseMultiplier) ?? 'nothing'}`);
  if (!positive(clipNorm)) problems.push(`dp.clipNorm must be a finite number > 0, got ${JSON.stringify(clipNorm) ?? 'nothing'}`);
  if (context.family === 'seed') problems.push('dp needs the medgan or wgan-gp family; seed (the notebook baseline) has no DP-SGD');
  if (context.model['minibatchAveraging'] === true) {
    problems.push("dp cannot be combined with model.minibatchAveraging: the discriminator would mix a batch's records, so per-record clipping would not bound one record's influence");
  }
  if (!positive(noiseMultiplier) || !positive(clipNorm)) return undefined;
  return { noiseMultiplier, clipNorm };
}
