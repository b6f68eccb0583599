import { wassersteinGpObjective } from './adversarial-objectives';
import { assembleModel, type GanModel } from './gan-model';
import { buildAutoencodingGanNetworks } from './medgan-networks';
import { resolveModelOptions, type ModelOptionsInput, type WganGpModelOptions } from './model-options';

/**
 * medWGAN (Baowaly et al. 2019): medGAN's autoencoder, generator and decoder fine-tuning with
 * a linear-output critic trained under the WGAN gradient penalty.
 */
export function buildWganGp(input: ModelOptionsInput): GanModel {
  const options = resolveModelOptions('wgan-gp', input) as WganGpModelOptions;
  return assembleModel({
    options,
    objective: wassersteinGpObjective(options.gradientPenalty),
    buildNetworks: (store, seeds) => buildAutoencodingGanNetworks(store, options, seeds),
    generatorPrefixes: ['generator/', 'autoencoder/decoder/'],
    l2: options.l2,
    autoencoderAdam: options.autoencoderAdam,
  });
}
