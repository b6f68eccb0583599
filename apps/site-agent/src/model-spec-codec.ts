import type { Metrics } from '@fedsynth/protocol';
import type { ModelOptionsInput } from '@fedsynth/gan';

/**
 * The architecture of a run's model travels in TrainTask.options.extra (numbers only), under
 * `model.*` keys: the wire has no field for it, and a site must build exactly the model the
 * global weights belong to. The coordinator writes these keys (apps/coordinator
 * src/rounds/model-spec.ts mirrors this list); keep both in step.
 */
export const MODEL_SPEC_PREFIX = 'model.';

const NUMERIC_KEYS = ['latentDim', 'generatorBlocks', 'discriminatorSteps', 'l2', 'noiseDim', 'hiddenUnits'] as const;

/** Architecture options from a task's `extra`, ignoring keys outside the `model.` prefix. */
export function decodeModelSpec(extra: Metrics): Omit<ModelOptionsInput, 'vocabularySize'> {
  const spec: Record<string, unknown> = {};
  for (const key of NUMERIC_KEYS) {
    const value = extra[`${MODEL_SPEC_PREFIX}${key}`];
    if (value !== undefined) spec[key] = value;
  }
  const dims: number[] = [];
  for (let i = 0; extra[`${MODEL_SPEC_PREFIX}discriminatorDims.${i}`] !== undefined; i++) {
    dims.push(extra[`${MODEL_SPEC_PREFIX}discriminatorDims.${i}`]);
  }
  if (dims.length > 0) spec['discriminatorDims'] = dims;
  const averaging = extra[`${MODEL_SPEC_PREFIX}minibatchAveraging`];
  if (averaging !== undefined) spec['minibatchAveraging'] = averaging !== 0;
  return spec as Omit<ModelOptionsInput, 'vocabularySize'>;
}
