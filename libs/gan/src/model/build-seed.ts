import { clippedProbabilityObjective } from './adversarial-objectives';
import { assembleModel, type GanModel } from './gan-model';
import { resolveModelOptions, type ModelOptionsInput, type SeedModelOptions } from './model-options';
import { buildSeedNetworks } from './seed-networks';

/** The seed notebook's baseline: no autoencoder, no weight penalty, one D step per G step. */
export function buildSeed(input: ModelOptionsInput): GanModel {
  const options = resolveModelOptions('seed', input) as SeedModelOptions;
  return assembleModel({
    options,
    objective: clippedProbabilityObjective,
    buildNetworks: (store, seeds) => buildSeedNetworks(store, options, seeds),
    generatorPrefixes: ['generator/'],
    l2: 0,
  });
}
