import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { vocabularyHash, type Vocabulary } from '../data/vocabulary';
import { FedsynthError } from '../errors/fedsynth-error';
import type { ModelOptions } from './model-options';
import { isModelFamily } from './model-options';
import type { WeightSpec } from './named-weights';
import { SAMPLE_DRAWS, type SampleDraw } from './sample-records';

export const MANIFEST_FILE = 'fedsynth.json';
export const STATE_FILE = 'state.bin';
export const MANIFEST_FORMAT = 'fedsynth-model';
export const MANIFEST_VERSION = 1;

/** Where a model came from: enough to re-run the training that made it. */
export interface TrainingProvenance {
  /** Input data as given (path, format, unit, roll-up); never a record. */
  input?: { path: string; format: string; unit?: string; rollup?: boolean };
  records: number;
  trainRecords: number;
  holdoutRecords?: number;
  epochs: number;
  pretrainEpochs: number;
  batchSize: number;
  autoencoderBatchSize?: number;
  seed: number;
  backend?: string;
  startedAt: string;
  finishedAt: string;
  wallSeconds: number;
  stopped: boolean;
  autoencoderSteps: number;
  ganSteps: number;
  lastLosses: Record<string, number | undefined>;
  /** Decay of the moving average of the generator's weights the export holds; absent: the raw weights. */
  generatorAverage?: number;
  /** Present when the networks that saw real records trained under DP-SGD. */
  privacy?: PrivacyProvenance;
}

/** DP-SGD's settings and the (ε, δ) the RDP accountant gives for the steps taken. */
export interface PrivacyProvenance {
  mechanism: 'dp-sgd';
  /** Each record joined each batch independently with probability sampleRate. */
  sampling: 'poisson';
  accountant: 'rdp-sampled-gaussian';
  clipNorm: number;
  noiseMultiplier: number;
  sampleRate: number;
  steps: { autoencoder: number; discriminator: number };
  /** ε at delta over all these steps (and earlier rounds' given to train()); null when unbounded (σ = 0). */
  epsilon: number | null;
  delta: number;
  /** False when the noise came from a known seed (dp.insecureSeed): then no guarantee holds. */
  secureRandomness: boolean;
}

/** fedsynth.json: what the exported LayersModel is, and how to use it. */
export interface ModelManifest {
  format: typeof MANIFEST_FORMAT;
  version: typeof MANIFEST_VERSION;
  family: ModelOptions['family'];
  /** Every architecture and optimizer setting the model was built with. */
  options: ModelOptions;
  sampler: {
    /** The LayersModel file (with weights.bin beside it). */
    model: string;
    noiseDim: number;
    noise: 'standard normal';
    output: 'code probabilities';
    /** With draw 'round': probabilities at or above this are rounded to 1. */
    threshold: number;
    /**
     * How `fedsynth sample` turns probabilities into codes by default. Absent in exports made
     * before Bernoulli draws existed (2026-11-28): those rounded, and still do (manifestDraw).
     */
    draw?: SampleDraw;
  };
  /** Every weight of the model (autoencoder, generator, discriminator) for resuming training. */
  state: { file: string; weights: WeightSpec[] };
  vocabulary: { size: number; hash: string; codes: string[] };
  training?: TrainingProvenance;
  /** Quality measured after training (e.g. prevalence r against held-out records). */
  metrics?: Record<string, unknown>;
  createdAt: string;
}

function bad(dir: string, problem: string): FedsynthError {
  return new FedsynthError(`${join(dir, MANIFEST_FILE)}: ${problem}`, 'MODEL_BAD_MANIFEST');
}

/** Reads and checks fedsynth.json: format, family, vocabulary hash. */
export async function readModelManifest(dir: string): Promise<ModelManifest> {
  let text: string;
  try {
    text = await readFile(join(dir, MANIFEST_FILE), 'utf8');
  } catch {
    throw new FedsynthError(`${dir} is not an exported fedsynth model: ${MANIFEST_FILE} not found`, 'MODEL_NOT_FOUND');
  }
  let manifest: ModelManifest;
  try {
    manifest = JSON.parse(text) as ModelManifest;
  } catch (error) {
    throw bad(dir, `not valid JSON (${(error as Error).message})`);
  }
  if (manifest.format !== MANIFEST_FORMAT) throw bad(dir, `format is '${String(manifest.format)}', expected '${MANIFEST_FORMAT}'`);
  if (manifest.version !== MANIFEST_VERSION) throw bad(dir, `version ${String(manifest.version)} is not supported (this fedsynth reads version ${MANIFEST_VERSION})`);
  if (!isModelFamily(manifest.family)) throw bad(dir, `unknown model family '${String(manifest.family)}'`);
  const codes = manifest.vocabulary?.codes;
  if (!Array.isArray(codes) || codes.length === 0) throw bad(dir, 'no vocabulary codes');
  if (vocabularyHash(codes) !== manifest.vocabulary.hash) throw bad(dir, 'the vocabulary codes do not match their hash; the file was edited or is corrupt');
  const draw = manifest.sampler?.draw;
  if (draw !== undefined && !SAMPLE_DRAWS.includes(draw)) throw bad(dir, `sampler.draw is '${String(draw)}', expected one of ${SAMPLE_DRAWS.join(', ')}`);
  return manifest;
}

/** How an exported model samples by default: its manifest's draw, 'round' for exports that predate draws. */
export function manifestDraw(manifest: ModelManifest): SampleDraw {
  return manifest.sampler.draw ?? 'round';
}

export function manifestVocabulary(manifest: ModelManifest): Vocabulary {
  return { codes: manifest.vocabulary.codes, hash: manifest.vocabulary.hash };
}
