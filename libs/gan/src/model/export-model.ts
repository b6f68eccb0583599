import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Vocabulary } from '../data/vocabulary';
import { FedsynthError } from '../errors/fedsynth-error';
import { folderIOHandler, MODEL_JSON } from './file-io-handler';
import type { GanModel } from './gan-model';
import { MANIFEST_FILE, MANIFEST_FORMAT, MANIFEST_VERSION, STATE_FILE, type ModelManifest, type TrainingProvenance } from './model-manifest';
import { getWeights, weightSpecs } from './named-weights';
import { DEFAULT_SAMPLE_DRAW, type SampleDraw } from './sample-records';
import { samplerLayersModel } from './sampler-layers-model';

export interface ExportModelOptions {
  vocabulary: Vocabulary;
  training?: TrainingProvenance;
  metrics?: Record<string, unknown>;
  /** Rounding threshold recorded for samplers (default 0.5). */
  threshold?: number;
  /** How samplers draw codes by default (DEFAULT_SAMPLE_DRAW unless given). */
  draw?: SampleDraw;
}

/**
 * Writes an exported model folder:
 *   model.json + weights.bin  the sampler, a standard LayersModel: noise → code probabilities
 *   state.bin                 every named weight (float32, in fedsynth.json's order), to resume training
 *   fedsynth.json             vocabulary, family, options, training provenance, metrics
 */
export async function exportModel(model: GanModel, dir: string, options: ExportModelOptions): Promise<ModelManifest> {
  if (options.vocabulary.codes.length !== model.networks.vocabularySize) {
    throw new FedsynthError(
      `the vocabulary has ${options.vocabulary.codes.length} codes but the model was built for ${model.networks.vocabularySize}`,
      'MODEL_VOCABULARY_MISMATCH',
    );
  }
  await mkdir(dir, { recursive: true });
  const layersModel = samplerLayersModel(model);
  try {
    await layersModel.save(folderIOHandler(dir));
  } finally {
    layersModel.dispose();
  }
  const weights = getWeights(model);
  const state = Buffer.concat(weights.map((w) => Buffer.from(w.values.buffer, w.values.byteOffset, w.values.byteLength)));
  await writeFile(join(dir, STATE_FILE), state);
  const manifest: ModelManifest = {
    format: MANIFEST_FORMAT,
    version: MANIFEST_VERSION,
    family: model.family,
    options: model.options,
    sampler: { model: MODEL_JSON, noiseDim: model.networks.noiseDim, noise: 'standard normal', output: 'code probabilities', threshold: options.threshold ?? 0.5, draw: options.draw ?? DEFAULT_SAMPLE_DRAW },
    state: { file: STATE_FILE, weights: weightSpecs(model) },
    vocabulary: { size: options.vocabulary.codes.length, hash: options.vocabulary.hash, codes: [...options.vocabulary.codes] },
    ...(options.training ? { training: options.training } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
    createdAt: new Date().toISOString(),
  };
  const tmp = join(dir, `${MANIFEST_FILE}.tmp-${process.pid}`);
  await writeFile(tmp, JSON.stringify(manifest, null, 2) + '\n');
  await rename(tmp, join(dir, MANIFEST_FILE));
  return manifest;
}
