import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { Vocabulary } from '../data/vocabulary';
import { FedsynthError } from '../errors/fedsynth-error';
import { createModel } from './create-model';
import { folderIOHandler } from './file-io-handler';
import type { GanModel } from './gan-model';
import { manifestVocabulary, readModelManifest, type ModelManifest } from './model-manifest';
import { setWeights, type NamedWeight } from './named-weights';
import { layersModelSampler, type Sampler } from './sampler';

export interface LoadedSampler {
  readonly manifest: ModelManifest;
  readonly vocabulary: Vocabulary;
  readonly layersModel: tf.LayersModel;
  readonly sampler: Sampler;
  dispose(): void;
}

/** Loads an exported model's sampler (model.json + weights.bin) with tf.loadLayersModel. */
export async function loadSampler(dir: string): Promise<LoadedSampler> {
  const manifest = await readModelManifest(dir);
  let layersModel: tf.LayersModel;
  try {
    layersModel = await tf.loadLayersModel(folderIOHandler(dir));
  } catch (error) {
    throw new FedsynthError(`${join(dir, manifest.sampler.model)}: cannot load the LayersModel (${(error as Error).message})`, 'MODEL_BAD_FILES');
  }
  const sampler = layersModelSampler(layersModel);
  if (sampler.vocabularySize !== manifest.vocabulary.size || sampler.noiseDim !== manifest.sampler.noiseDim) {
    layersModel.dispose();
    throw new FedsynthError(
      `${dir}: model.json maps ${sampler.noiseDim} noise dims to ${sampler.vocabularySize} codes, but fedsynth.json says ${manifest.sampler.noiseDim} → ${manifest.vocabulary.size}`,
      'MODEL_BAD_FILES',
    );
  }
  return { manifest, vocabulary: manifestVocabulary(manifest), layersModel, sampler, dispose: () => layersModel.dispose() };
}

/** Rebuilds the full trainable model (all networks, all weights) from an export, to continue training. */
export async function loadTrainableModel(dir: string): Promise<{ model: GanModel; manifest: ModelManifest; vocabulary: Vocabulary }> {
  const manifest = await readModelManifest(dir);
  const buffer = await readFile(join(dir, manifest.state.file));
  const floats = new Float32Array(buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer);
  let offset = 0;
  const weights: NamedWeight[] = manifest.state.weights.map((spec) => {
    const size = spec.shape.reduce((a, b) => a * b, 1);
    const values = floats.subarray(offset, offset + size);
    offset += size;
    return { name: spec.name, shape: spec.shape, values };
  });
  if (offset !== floats.length) {
    throw new FedsynthError(`${join(dir, manifest.state.file)}: holds ${floats.length} values but fedsynth.json lists ${offset}`, 'MODEL_BAD_FILES');
  }
  const model = createModel(manifest.family, manifest.options);
  try {
    setWeights(model, weights);
  } catch (error) {
    model.dispose();
    throw error;
  }
  return { model, manifest, vocabulary: manifestVocabulary(manifest) };
}
