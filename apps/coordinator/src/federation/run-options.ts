import { isModelFamily, MODEL_FAMILIES, resolveModelOptions, type ModelFamily } from '@fedsynth/gan';
import type { CodeLevel } from '@fedsynth/protocol';
import { CoordinatorError } from '../errors/coordinator-error';
import type { PhasePlan } from '../rounds/run-plan';
import { createStrategy, type StrategyConfig } from '../strategies/create-strategy';
import { checkFixedVocabulary } from './fixed-vocabulary';
import { checkRunSecureAggregationOptions, type RunSecureAggregationOptions } from './run-secure-aggregation-options';
import { checkRunMarginalOptions, type RunMarginalOptions } from './run-marginal-options';
import { checkRunDpOptions, type RunDpOptions } from './run-dp-options';
import { isObject } from './option-values';

/** The architecture a run's sites build (sent to them in TrainTask.options.extra, see model-spec.ts). */
export interface ModelArchitecture {
  latentDim?: number;
  generatorBlocks?: number;
  discriminatorDims?: number[];
  discriminatorSteps?: number;
  minibatchAveraging?: boolean;
  l2?: number;
}

/** Everything about a run beyond its plan, stored as the run's options JSON. */
export interface FederatedRunOptions {
  modelFamily: ModelFamily;
  model: ModelArchitecture;
  strategy: StrategyConfig;
  /**
   * Local training per round at each site: localEpochs whole epochs, or with localSteps that
   * many minibatches (every site the same number, whatever its size). `seed` also seeds the
   * initial global weights.
   */
  train: { localEpochs: number; localSteps?: number; batchSize: number; learningRate: number; seed: number };
  /**
   * The run's vocabulary; sites must all hold codes at `codeLevel`. Without `fixed`: the union
   * of the codes each site holds in ≥ minCodeCount records. With `fixed`: exactly those codes
   * (kept in canonical order, see fixed-vocabulary.ts), proposed to every site, and
   * minCodeCount is not used; a site drops its codes outside the list.
   */
  vocabulary: { codeLevel: CodeLevel; minCodeCount: number; fixed?: string[] };
  /**
   * Differentially private training at the sites (DP-SGD, see run-dp-options.ts): every
   * TrainTask carries these settings, with train.batchSize as the expected Poisson batch.
   * Each site keeps its own accountant and budget. Under dp the discriminator's minibatch
   * averaging is off (model.minibatchAveraging: false, sent to the sites in the model spec).
   */
  dp?: RunDpOptions;
  /**
   * Marginal matching in GAN rounds (run-marginal-options.ts): the sites' generators also
   * match their code prevalences, exact without dp, a noisy charged release with dp.
   */
  marginals?: RunMarginalOptions;
  /**
   * The generator the run exports and evaluates: an exponential moving average of the global
   * generator over its GAN rounds (decay per round; 0 = the latest round's weights alone),
   * batch-norm statistics recalibrated on noise (generator/averaged-generator.ts). Training
   * itself always continues from the latest round's weights. checkRunOptions fills it in.
   */
  generatorAverage?: { decay: number };
  /**
   * Secure aggregation (run-secure-aggregation-options.ts): present only when enabled; every
   * training round then runs the Bonawitz et al. protocol and the coordinator sees only the sum.
   */
  secureAggregation?: RunSecureAggregationOptions;
}

/**
 * The phases of a run created without a plan. With DEFAULT_RUN_OPTIONS.train (2 local epochs
 * per round) that is 60 autoencoder and 40 GAN epochs over every site's records: measured to
 * give a good generator for a few thousand records over 3 sites in a few minutes on 2 cores
 * (README, "How the defaults were chosen"). The autoencoder gets more rounds than it would
 * centrally because averaging K sites' updates advances the model by about one site's steps
 * per round, not K sites' worth.
 */
export const DEFAULT_PHASES: readonly PhasePlan[] = Object.freeze([
  Object.freeze({ phase: 'autoencoder', rounds: 30 }),
  Object.freeze({ phase: 'gan', rounds: 20 }),
]) as readonly PhasePlan[];

export const DEFAULT_RUN_OPTIONS: FederatedRunOptions = Object.freeze({
  modelFamily: 'medgan',
  model: {},
  strategy: { name: 'fedavg' },
  // Chosen by measurement, not taken from medGAN (README, "How the defaults were chosen").
  train: { localEpochs: 2, batchSize: 50, learningRate: 2e-3, seed: 1 },
  vocabulary: { codeLevel: 'category', minCodeCount: 5 },
  // Measured on a 3-site run's 20 GAN rounds (README, "How the defaults were chosen").
  generatorAverage: { decay: 0.8 },
}) as FederatedRunOptions;

/**
 * Checks untrusted run options (a request body, stored JSON) over the defaults, listing every
 * problem at once. The architecture and strategy are checked by building them.
 */
export function checkRunOptions(input: unknown): FederatedRunOptions {
  const problems: string[] = [];
  const given = isObject(input) ? input : {};
  if (input !== undefined && !isObject(input)) problems.push('options must be an object');
  const family = given['modelFamily'] ?? DEFAULT_RUN_OPTIONS.modelFamily;
  if (!isModelFamily(family)) problems.push(`modelFamily must be one of ${MODEL_FAMILIES.join(', ')}`);
  const model = (given['model'] ?? {}) as ModelArchitecture;
  if (!isObject(model)) problems.push('model must be an object');
  else if (isModelFamily(family)) {
    try {
      resolveModelOptions(family, { ...model, vocabularySize: 1 });
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  const strategy = (given['strategy'] ?? DEFAULT_RUN_OPTIONS.strategy) as StrategyConfig;
  try {
    createStrategy(strategy);
  } catch (error) {
    problems.push((error as Error).message);
  }
  const train = { ...DEFAULT_RUN_OPTIONS.train, ...(isObject(given['train']) ? given['train'] : {}) } as FederatedRunOptions['train'];
  if (!(Number.isInteger(train.localEpochs) && train.localEpochs >= 1)) problems.push('train.localEpochs must be an integer ≥ 1');
  if (train.localSteps !== undefined && !(Number.isInteger(train.localSteps) && train.localSteps >= 1 && train.localSteps <= 0xffffffff)) {
    problems.push('train.localSteps must be an integer ≥ 1 (minibatches per round), or absent for whole epochs');
  }
  if (!(Number.isInteger(train.batchSize) && train.batchSize >= 1)) problems.push('train.batchSize must be an integer ≥ 1');
  if (!(typeof train.learningRate === 'number' && train.learningRate > 0 && Number.isFinite(train.learningRate))) problems.push('train.learningRate must be a number > 0');
  if (!Number.isInteger(train.seed)) problems.push('train.seed must be an integer');
  const vocabulary = { ...DEFAULT_RUN_OPTIONS.vocabulary, ...(isObject(given['vocabulary']) ? given['vocabulary'] : {}) } as FederatedRunOptions['vocabulary'];
  if (vocabulary.codeLevel !== 'full' && vocabulary.codeLevel !== 'category') problems.push('vocabulary.codeLevel must be full or category');
  if (!(Number.isInteger(vocabulary.minCodeCount) && vocabulary.minCodeCount >= 1)) problems.push('vocabulary.minCodeCount must be an integer ≥ 1');
  if (vocabulary.fixed !== undefined) {
    // With a bad codeLevel only the form of the codes can be checked.
    const fixed = checkFixedVocabulary(vocabulary.fixed, vocabulary.codeLevel === 'category' ? 'category' : 'full');
    problems.push(...fixed.problems);
    vocabulary.fixed = fixed.codes;
  }
  const generatorAverage = { ...DEFAULT_RUN_OPTIONS.generatorAverage!, ...(isObject(given['generatorAverage']) ? given['generatorAverage'] : {}) } as { decay: number };
  if (given['generatorAverage'] !== undefined && !isObject(given['generatorAverage'])) problems.push('generatorAverage must be an object');
  if (!(typeof generatorAverage.decay === 'number' && generatorAverage.decay >= 0 && generatorAverage.decay < 1)) problems.push('generatorAverage.decay must be a number in [0, 1) (0 turns the average off)');
  const dp = checkRunDpOptions(given['dp'], { family: String(family), model: isObject(model) ? model : {}, problems });
  const marginals = checkRunMarginalOptions(given['marginals'], { dp: given['dp'] !== undefined && given['dp'] !== null, problems });
  // The sites' trainer refuses the correction without a mean path to correct: refuse it here, before any round.
  if (marginals?.correctBatchMeans && (family !== 'medgan' || (isObject(model) && model.minibatchAveraging === false))) {
    problems.push("marginals.correctBatchMeans needs modelFamily 'medgan' with minibatch averaging (it corrects the discriminator's batch-mean path)");
  }
  const secureAggregation = checkRunSecureAggregationOptions(given['secureAggregation'], { strategyName: String((strategy as { name?: unknown })?.name), problems });
  const serverStep = isObject(strategy) && (strategy['serverLearningRate'] !== undefined || strategy['serverMomentum'] !== undefined);
  if (secureAggregation && serverStep) {
    problems.push('secureAggregation takes the plain FedAvg mean: leave strategy.serverLearningRate and strategy.serverMomentum unset');
  }
  if (problems.length > 0) throw new CoordinatorError(`invalid run options: ${problems.join('; ')}`, 'INVALID_OPTIONS', { problems });
  const optional = { ...(marginals ? { marginals } : {}), ...(secureAggregation ? { secureAggregation } : {}) };
  if (dp) return { modelFamily: family as ModelFamily, model: { ...model, minibatchAveraging: false }, strategy, train, vocabulary, generatorAverage, dp, ...optional };
  return { modelFamily: family as ModelFamily, model: { ...model }, strategy, train, vocabulary, generatorAverage, ...optional };
}
