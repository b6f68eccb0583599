import { createRng } from '../data/simulate/prng';
import type { AdversarialObjective } from './adversarial-objectives';
import { FusedAdam } from './fused-adam';
import type { GanNetworks } from './gan-networks';
import type { SeedSource } from './layers/initializers';
import type { AdamSettings, ModelFamily, ModelOptions } from './model-options';
import { createParameterStore, type Parameter, type ParameterStore } from './parameter-store';

/** One Adam per kind of step: an optimizer's moment estimates belong to the variables it updates. */
export interface ModelOptimizers {
  readonly discriminator: FusedAdam;
  readonly generator: FusedAdam;
  readonly autoencoder?: FusedAdam;
}

/** The parameters each kind of training step updates. */
export interface StepParameters {
  readonly discriminator: readonly Parameter[];
  /** Generator, plus the decoder when it is fine-tuned with the generator (medGAN). */
  readonly generator: readonly Parameter[];
  /** Encoder and decoder; empty for families without an autoencoder. */
  readonly autoencoder: readonly Parameter[];
}

/** A built model: its weights, forward passes, losses and optimizers. Dispose when done. */
export interface GanModel {
  readonly family: ModelFamily;
  readonly options: ModelOptions;
  readonly params: ParameterStore;
  readonly networks: GanNetworks;
  readonly objective: AdversarialObjective;
  readonly stepParameters: StepParameters;
  /** L2 scale applied to the penalised kernels a step updates (0 = none). */
  readonly l2: number;
  /** Adam state lives with the model so that training resumed round after round continues it. */
  optimizers(): ModelOptimizers;
  /** Drops all Adam moments and step counts; the next step starts Adam afresh. */
  resetOptimizers(): void;
  dispose(): void;
}

export interface AssembleModelOptions {
  options: ModelOptions;
  objective: AdversarialObjective;
  buildNetworks(store: ParameterStore, seeds: SeedSource): GanNetworks;
  /** Name prefixes of the parameters a generator step trains. */
  generatorPrefixes: string[];
  l2: number;
  autoencoderAdam?: AdamSettings;
}

/** tf.train.adam's arithmetic in one pass per variable (see fused-adam.ts). */
function adam(settings: AdamSettings): FusedAdam {
  return new FusedAdam(settings.learningRate, settings.beta1, settings.beta2);
}

function trainableOnly(params: Parameter[]): Parameter[] {
  return params.filter((p) => p.trainable);
}

/** Shared by the family builders: creates the weights (seeded) and wires the pieces together. */
export function assembleModel(spec: AssembleModelOptions): GanModel {
  const params = createParameterStore();
  const rng = createRng(spec.options.initSeed);
  const seeds: SeedSource = { next: () => rng.int(2 ** 31 - 1) };
  let networks: GanNetworks;
  try {
    networks = spec.buildNetworks(params, seeds);
  } catch (error) {
    params.dispose();
    throw error;
  }
  const stepParameters: StepParameters = {
    discriminator: trainableOnly(params.withPrefix('discriminator/')),
    generator: trainableOnly(params.withPrefix(...spec.generatorPrefixes)),
    autoencoder: trainableOnly(params.withPrefix('autoencoder/')),
  };
  const makeOptimizers = (): ModelOptimizers => ({
    discriminator: adam(spec.options.adam),
    generator: adam(spec.options.adam),
    ...(spec.autoencoderAdam ? { autoencoder: adam(spec.autoencoderAdam) } : {}),
  });
  let optimizers: ModelOptimizers | undefined;
  const disposeOptimizers = () => {
    if (!optimizers) return;
    optimizers.discriminator.dispose();
    optimizers.generator.dispose();
    optimizers.autoencoder?.dispose();
    optimizers = undefined;
  };
  return {
    family: spec.options.family,
    options: spec.options,
    params,
    networks,
    objective: spec.objective,
    stepParameters,
    l2: spec.l2,
    optimizers: () => (optimizers ??= makeOptimizers()),
    resetOptimizers: disposeOptimizers,
    dispose() {
      disposeOptimizers();
      params.dispose();
    },
  };
}
