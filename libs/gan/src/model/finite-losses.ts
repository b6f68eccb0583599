import { FedsynthError } from '../errors/fedsynth-error';

const LOSS_LABELS: Readonly<Record<string, string>> = {
  ae: 'autoencoder',
  valAe: 'autoencoder validation',
  d: 'discriminator',
  g: 'generator',
};

/**
 * Fails fast when a loss is NaN or ±Inf: once one is, every weight it touches soon is too,
 * and carrying on would only burn hours and ship a model that samples garbage.
 */
export function assertFiniteLosses(losses: Readonly<Record<string, number | undefined>>, where: string): void {
  for (const [key, value] of Object.entries(losses)) {
    if (value === undefined || Number.isFinite(value)) continue;
    throw new FedsynthError(
      `${where}: the ${LOSS_LABELS[key] ?? key} loss is ${value}; training diverged. ` +
        'Lower the learning rate, check the input for empty or duplicated columns, or change the seed.',
      'TRAIN_NON_FINITE_LOSS',
    );
  }
}
