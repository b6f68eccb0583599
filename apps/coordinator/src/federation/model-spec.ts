import type { Metrics } from '@fedsynth/protocol';
import type { ModelArchitecture } from './run-options';

/**
 * A run's architecture as numeric `model.*` keys of TrainTask.options.extra: the wire has no
 * field for it, and a site must build exactly the model the global weights belong to.
 * The site agent decodes these keys (apps/site-agent src/model-spec-codec.ts); keep both in step.
 */
export function encodeModelSpec(model: ModelArchitecture): Metrics {
  const extra: Metrics = {};
  for (const key of ['latentDim', 'generatorBlocks', 'discriminatorSteps', 'l2'] as const) {
    const value = model[key];
    if (value !== undefined) extra[`model.${key}`] = value;
  }
  model.discriminatorDims?.forEach((dim, i) => (extra[`model.discriminatorDims.${i}`] = dim));
  if (model.minibatchAveraging !== undefined) extra['model.minibatchAveraging'] = model.minibatchAveraging ? 1 : 0;
  return extra;
}
