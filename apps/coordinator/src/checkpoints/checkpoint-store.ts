import { decodeWeightSet, encodeWeightSet, type ProtocolLimits, type WeightSet } from '@fedsynth/protocol';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { isAbsolute, normalize, relative, resolve, sep } from 'node:path';
import { CoordinatorError } from '../errors/coordinator-error';
import { writeFileAtomic } from './atomic-write';

/** What a checkpoint file holds: the global weights, or a strategy's state (FedAdam moments). */
export type CheckpointKind = 'weights' | 'strategy-state';

/** Where a checkpoint is (relative to the checkpoint directory) and what it must hash to. */
export interface CheckpointRef {
  path: string;
  /** sha256 of the file, lowercase hex. */
  sha256: string;
}

export interface SavedCheckpoint extends CheckpointRef {
  bytes: number;
}

export interface CheckpointStoreOptions {
  /** Root directory; one subdirectory per run. */
  directory: string;
  /** Codec limits; defaults allow larger sets than the wire (a state holds 2× the weights). */
  limits?: Partial<ProtocolLimits>;
}

const GiB = 1024 * 1024 * 1024;

/** Checkpoints are written by us, so the wire's per-message bounds are relaxed. */
export const CHECKPOINT_LIMITS: Partial<ProtocolLimits> = Object.freeze({
  maxMessageBytes: 2 * GiB,
  maxWeightBytes: 2 * GiB,
  maxTensors: 65_536,
  maxNameLength: 1024,
});

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The global weights after each round, on disk as a protobuf `fedsynth.v1.WeightSet`
 * (libs/protocol's encodeWeightSet: the same bytes as the wire's weights field, readable
 * with decodeWeightSet). Written atomically; the sha256 returned goes into the rounds table
 * and is checked on every load, so a corrupt or swapped file is an error naming the file,
 * never silently trained on.
 */
export class CheckpointStore {
  readonly directory: string;
  private readonly limits: Partial<ProtocolLimits>;

  constructor(options: CheckpointStoreOptions) {
    this.directory = resolve(options.directory);
    this.limits = { ...CHECKPOINT_LIMITS, ...options.limits };
  }

  /** `<runId>/round-000012.weights.pb`: sortable, one file per round and kind. */
  pathFor(runId: string, round: number, kind: CheckpointKind): string {
    if (!RUN_ID.test(runId) || runId.includes('..')) {
      throw new CoordinatorError(`run id ${JSON.stringify(runId)} cannot name a checkpoint directory`, 'INVALID_CHECKPOINT');
    }
    if (!Number.isInteger(round) || round < 0) throw new CoordinatorError(`round ${round} is not an integer ≥ 0`, 'INVALID_CHECKPOINT');
    return `${runId}/round-${String(round).padStart(6, '0')}.${kind}.pb`;
  }

  /** Absolute path of a stored relative path; refuses paths leaving the directory. */
  resolvePath(path: string): string {
    const absolute = resolve(this.directory, normalize(path));
    const inside = relative(this.directory, absolute);
    if (isAbsolute(path) || inside.startsWith('..') || inside === '' || inside.split(sep).includes('..')) {
      throw new CoordinatorError(`checkpoint path ${JSON.stringify(path)} is outside ${this.directory}`, 'INVALID_CHECKPOINT');
    }
    return absolute;
  }

  async save(input: { runId: string; round: number; kind?: CheckpointKind; weights: WeightSet }): Promise<SavedCheckpoint> {
    const path = this.pathFor(input.runId, input.round, input.kind ?? 'weights');
    const file = this.resolvePath(path);
    let bytes: Uint8Array;
    try {
      // checkFinite: a NaN must never be checkpointed as the global model.
      bytes = encodeWeightSet(input.weights, { limits: this.limits, checkFinite: true });
    } catch (error) {
      throw new CoordinatorError(`cannot encode checkpoint ${file}: ${(error as Error).message}`, 'INVALID_CHECKPOINT', { cause: error });
    }
    await writeFileAtomic(file, bytes);
    return { path, sha256: sha256Hex(bytes), bytes: bytes.length };
  }

  /** Reads a checkpoint, verifying its sha256 before decoding it. */
  async load(ref: CheckpointRef): Promise<WeightSet> {
    const file = this.resolvePath(ref.path);
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new CoordinatorError(
        code === 'ENOENT' ? `checkpoint ${file} is missing` : `cannot read checkpoint ${file}: ${(error as Error).message}`,
        code === 'ENOENT' ? 'CHECKPOINT_MISSING' : 'CHECKPOINT_UNREADABLE',
        { cause: error },
      );
    }
    const actual = sha256Hex(bytes);
    if (actual !== ref.sha256.toLowerCase()) {
      throw new CoordinatorError(
        `checkpoint ${file} is corrupt: its sha256 is ${actual}, the round recorded ${ref.sha256}`,
        'CHECKPOINT_CORRUPT',
      );
    }
    try {
      return decodeWeightSet(bytes, { limits: this.limits });
    } catch (error) {
      throw new CoordinatorError(`checkpoint ${file} is corrupt: ${(error as Error).message}`, 'CHECKPOINT_CORRUPT', { cause: error });
    }
  }
}

