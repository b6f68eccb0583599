import { FedsynthError } from '../errors/fedsynth-error';
import { buildMedgan } from './build-medgan';
import { buildSeed } from './build-seed';
import { buildWganGp } from './build-wgan-gp';
import type { GanModel } from './gan-model';
import { isModelFamily, MODEL_FAMILIES, type ModelFamily, type ModelOptionsInput } from './model-options';

const BUILDERS: Readonly<Record<ModelFamily, (input: ModelOptionsInput) => GanModel>> = {
  seed: buildSeed,
  medgan: buildMedgan,
  'wgan-gp': buildWganGp,
};

/** Builds a model of the given family; unspecified options take the family's published defaults. */
export function createModel(family: ModelFamily, input: ModelOptionsInput): GanModel {
  if (!isModelFamily(family)) throw new FedsynthError(`unknown model family '${String(family)}' (use one of: ${MODEL_FAMILIES.join(', ')})`, 'MODEL_UNKNOWN_FAMILY');
  return BUILDERS[family](input);
}
