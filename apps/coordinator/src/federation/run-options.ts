import { isModelFamily, MODEL_FAMILIES, resolveModelOptions, type ModelFamily } from '@fedsynth/gan';
import type { CodeLevel } from '@fedsynth/protocol';
import { CoordinatorError } from '../errors/coordinator-error';
import type { PhasePlan } from '../rounds/run-plan';
import { createStrategy, type StrategyConfig } from '../strategies/create-strategy';

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
  /** Local training per round at each site; `seed` also seeds the initial global weights. */
  train: { localEpochs: number; batchSize: number; learningRate: number; seed: number };
  /** Vocabulary by union of the sites' codes held by ≥ k records; sites must all use this level. */
  vocabulary: { codeLevel: CodeLevel; minCodeCount: number };
}

/** The phases of a run created without a plan (see README, "How the defaults were chosen"). */
export const DEFAULT_PHASES: readonly PhasePlan[] = Object.freeze([
  Object.freeze({ phase: 'autoencoder', rounds: 5 }),
  Object.freeze({ phase: 'gan', rounds: 20 }),
]) as readonly PhasePlan[];

export const DEFAULT_RUN_OPTIONS: FederatedRunOptions = Object.freeze({
  modelFamily: 'medgan',
  model: {},
  strategy: { name: 'fedavg' },
  train: { localEpochs: 1, batchSize: 100, learningRate: 1e-3, seed: 1 },
  vocabulary: { codeLevel: 'category', minCodeCount: 5 },
}) as FederatedRunOptions;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

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
  if (!(Number.isInteger(train.batchSize) && train.batchSize >= 1)) problems.push('train.batchSize must be an integer ≥ 1');
  if (!(typeof train.learningRate === 'number' && train.learningRate > 0 && Number.isFinite(train.learningRate))) problems.push('train.learningRate must be a number > 0');
  if (!Number.isInteger(train.seed)) problems.push('train.seed must be an integer');
  const vocabulary = { ...DEFAULT_RUN_OPTIONS.vocabulary, ...(isObject(given['vocabulary']) ? given['vocabulary'] : {}) } as FederatedRunOptions['vocabulary'];
  if (vocabulary.codeLevel !== 'full' && vocabulary.codeLevel !== 'category') problems.push('vocabulary.codeLevel must be full or category');
  if (!(Number.isInteger(vocabulary.minCodeCount) && vocabulary.minCodeCount >= 1)) problems.push('vocabulary.minCodeCount must be an integer ≥ 1');
  if (problems.length > 0) throw new CoordinatorError(`invalid run options: ${problems.join('; ')}`, 'INVALID_OPTIONS', { problems });
  return { modelFamily: family as ModelFamily, model: { ...model }, strategy, train, vocabulary };
}
