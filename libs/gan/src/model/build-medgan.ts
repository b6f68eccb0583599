import { nonSaturatingObjective } from './adversarial-objectives';
import { assembleModel, type GanModel } from './gan-model';
import { buildAutoencodingGanNetworks } from './medgan-networks';
import { resolveModelOptions, type MedganModelOptions, type ModelOptionsInput } from './model-options';

/**
 * medGAN (Choi et al. 2017). The generator step trains the generator and the decoder
 * together ("fine-tuning" the pre-trained decoder), as the paper does.
 */
export function buildMedgan(input: ModelOptionsInput): GanModel {
  const options = resolveModelOptions('medgan', input) as MedganModelOptions;
  return assembleModel({
    options,
    objective: nonSaturatingObjective,
    buildNetworks: (store, seeds) => buildAutoencodingGanNetworks(store, options, seeds),
    generatorPrefixes: ['generator/', 'autoencoder/decoder/'],
    l2: options.l2,
    autoencoderAdam: options.autoencoderAdam,
  });
}
