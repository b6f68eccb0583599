import { ProtocolError } from '../errors/protocol-error';
import {
  CHUNK_DATA_KEY,
  ENVELOPE_BODY_KEYS,
  EVAL_TASK_OPTIONS_KEY,
  MASKED_UPDATE_WORDS_KEY,
  TENSOR_DATA_KEY,
  TRAIN_TASK_OPTIONS_KEY,
  WEIGHT_SET_TENSOR_KEY,
  WEIGHTS_KEY,
} from './field-keys';

/**
 * A walk over the encoded envelope's framing, before protobufjs materialises anything.
 *
 * Why: the generated decoder builds every repeated element before any check can run, and
 * tiny elements cost far more in memory than on the wire (an empty Tensor is 2 bytes on
 * the wire and ~100 bytes decoded). Without this, a 257 MB message of empty tensors or
 * one-byte codes would exhaust the heap instead of failing with a typed error. The scan
 * allocates nothing, reads every byte of framing once, and bounds:
 *   - structure: all bytes outside tensor and chunk data (names, shapes, codes, metrics...),
 *   - fields per message, for the messages it descends into (envelope, bodies, task
 *     options, weight sets, tensors): repeated elements arrive as one field each,
 *   - tensors per weight set, and each tensor's header size.
 * It refuses broken framing (MALFORMED) the same way protobufjs would, and protobuf
 * groups (wire types 3/4), which the fedsynth schema never uses.
 */

export interface StructureLimits {
  readonly maxStructureBytes: number;
  readonly maxFieldsPerMessage: number;
  readonly maxTensors: number;
  readonly maxTensorHeaderBytes: number;
}

/** Messages the scan descends into; every other length-delimited field is skipped whole. */
const enum Level {
  Envelope,
  Body,
  TrainTask,
  TrainResult,
  EvalTask,
  Chunk,
  MaskedUpdate,
  Options,
  WeightSet,
  Tensor,
}

/** Child marker: the field's content is payload (tensor or chunk data), not structure. */
const PAYLOAD = -1;
type Child = Level | typeof PAYLOAD;

/** Field number of an encoded key (a varint of field << 3 | wire type). */
function fieldNumber(key: Uint8Array): number {
  let value = 0;
  for (let i = 0; i < key.length; i++) value += (key[i]! & 0x7f) * 2 ** (7 * i);
  return Math.floor(value / 8);
}

function children(entries: [Uint8Array, Child][]): ReadonlyMap<number, Child> {
  return new Map(entries.map(([key, child]) => [fieldNumber(key), child]));
}

const CHILDREN: Readonly<Record<Level, ReadonlyMap<number, Child>>> = {
  [Level.Envelope]: children(
    Object.entries(ENVELOPE_BODY_KEYS).map(([kind, key]): [Uint8Array, Child] => [
      key,
      kind === 'trainTask'
        ? Level.TrainTask
        : kind === 'trainResult'
          ? Level.TrainResult
          : kind === 'evalTask'
            ? Level.EvalTask
            : kind === 'chunk'
              ? Level.Chunk
              : kind === 'maskedUpdate'
                ? Level.MaskedUpdate
                : Level.Body,
    ]),
  ),
  [Level.Body]: children([]),
  [Level.TrainTask]: children([
    [WEIGHTS_KEY, Level.WeightSet],
    [TRAIN_TASK_OPTIONS_KEY, Level.Options],
  ]),
  [Level.TrainResult]: children([[WEIGHTS_KEY, Level.WeightSet]]),
  [Level.EvalTask]: children([
    [WEIGHTS_KEY, Level.WeightSet],
    [EVAL_TASK_OPTIONS_KEY, Level.Options],
  ]),
  [Level.Chunk]: children([[CHUNK_DATA_KEY, PAYLOAD]]),
  // The masked words are payload like tensor data (a model-sized byte string).
  [Level.MaskedUpdate]: children([[MASKED_UPDATE_WORDS_KEY, PAYLOAD]]),
  [Level.Options]: children([]),
  [Level.WeightSet]: children([[WEIGHT_SET_TENSOR_KEY, Level.Tensor]]),
  [Level.Tensor]: children([[TENSOR_DATA_KEY, PAYLOAD]]),
};

function malformed(reason: string): ProtocolError {
  return new ProtocolError('MALFORMED', `not a fedsynth envelope: ${reason}`);
}

class Scanner {
  payload = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly limits: StructureLimits,
  ) {}

  /** A varint of up to 10 bytes, low 32 bits kept (as protobufjs reads keys and lengths). */
  private varint(pos: number, end: number): [number, number] {
    let value = 0;
    for (let i = 0; i < 10; i++) {
      if (pos >= end) throw malformed('truncated varint');
      const byte = this.bytes[pos++]!;
      if (i < 5) value += (byte & 0x7f) * 2 ** (7 * i);
      if (byte < 0x80) return [value % 2 ** 32, pos];
    }
    throw malformed('varint longer than 10 bytes');
  }

  /** Walks the fields in [start, end); returns the payload bytes found inside. */
  walk(start: number, end: number, level: Level): number {
    let pos = start;
    let fields = 0;
    let payloadHere = 0;
    while (pos < end) {
      let key: number;
      [key, pos] = this.varint(pos, end);
      const field = Math.floor(key / 8);
      const wireType = key & 7;
      if (field === 0) throw malformed('field number 0');
      if (++fields > this.limits.maxFieldsPerMessage) {
        throw new ProtocolError('TOO_LARGE', `more than ${this.limits.maxFieldsPerMessage} fields in one message`);
      }
      if (wireType === 0) {
        [, pos] = this.varint(pos, end);
      } else if (wireType === 1 || wireType === 5) {
        pos += wireType === 1 ? 8 : 4;
        if (pos > end) throw malformed('truncated fixed-width field');
      } else if (wireType === 2) {
        let length: number;
        [length, pos] = this.varint(pos, end);
        const contentEnd = pos + length;
        if (contentEnd > end) throw malformed(`field ${field} runs past its message`);
        const child = CHILDREN[level].get(field);
        if (child === PAYLOAD) payloadHere += length;
        else if (child !== undefined) payloadHere += this.walk(pos, contentEnd, child);
        pos = contentEnd;
      } else {
        throw malformed(`wire type ${wireType} (field ${field})`);
      }
    }
    if (level === Level.WeightSet && fields > this.limits.maxTensors) {
      throw new ProtocolError('TOO_LARGE', `more than ${this.limits.maxTensors} tensors`);
    }
    if (level === Level.Tensor && end - start - payloadHere > this.limits.maxTensorHeaderBytes) {
      throw new ProtocolError('TOO_LARGE', `a tensor header of ${end - start - payloadHere} bytes`);
    }
    return payloadHere;
  }
}

/**
 * Checks the framing of an encoded Envelope (or, with root 'weightSet', of a bare
 * WeightSet message); throws MALFORMED or TOO_LARGE.
 */
export function scanStructure(bytes: Uint8Array, limits: StructureLimits, root: 'envelope' | 'weightSet' = 'envelope'): void {
  const payload = new Scanner(bytes, limits).walk(0, bytes.length, root === 'envelope' ? Level.Envelope : Level.WeightSet);
  const structure = bytes.length - payload;
  if (structure > limits.maxStructureBytes) {
    throw new ProtocolError('TOO_LARGE', `${structure} bytes of fields besides weights, limit ${limits.maxStructureBytes}`);
  }
}

/** The structure bounds implied by the protocol limits. */
export function structureLimits(limits: {
  maxStructureBytes: number;
  maxCodes: number;
  maxMetrics: number;
  maxTensors: number;
  maxNameLength: number;
  maxRank: number;
}): StructureLimits {
  return {
    maxStructureBytes: limits.maxStructureBytes,
    // The longest legitimate repetition is a code list (plus a metrics map beside it).
    maxFieldsPerMessage: limits.maxCodes + limits.maxMetrics + 64,
    maxTensors: limits.maxTensors,
    // name + dtype + packed shape (≤ 5 bytes per dimension) + padding + data key/length.
    maxTensorHeaderBytes: limits.maxNameLength + 5 * limits.maxRank + 64,
  };
}
