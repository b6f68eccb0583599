import { Reader } from 'protobufjs/minimal';
import { fedsynth } from '../generated/fedsynth';
import { ProtocolError, toProtocolError } from '../errors/protocol-error';
import type { DecodeOptions } from '../envelope/decode-envelope';
import type { EncodeOptions } from '../envelope/encode-envelope';
import { resolveLimits } from '../limits';
import { HOST_IS_LITTLE_ENDIAN } from './byte-order';
import { encodeWeightSetMessage } from '../wire/spliced-encoder';
import { scanStructure, structureLimits } from '../wire/structure-scan';
import type { NamedTensor, WeightSet } from './weight-set';
import { weightSetFromWire, weightSetToWire } from './weight-set-codec';

/**
 * A weight set on its own, as a `fedsynth.v1.WeightSet` message: the form to checkpoint
 * global weights in, byte-compatible with the `weights` field of the wire messages.
 * Same checks, options and zero-copy behaviour as the envelope codecs.
 */
export function encodeWeightSet(
  weights: readonly NamedTensor[],
  options: EncodeOptions = {},
): Uint8Array {
  try {
    const tensors = weightSetToWire(weights, 'weights', {
      limits: resolveLimits(options.limits),
      weightDtype: options.weightDtype ?? 'float32',
      checkFinite: options.checkFinite ?? false,
      hostIsLittleEndian: HOST_IS_LITTLE_ENDIAN,
    });
    return encodeWeightSetMessage(tensors, { align: options.alignTensors ?? true });
  } catch (error) {
    throw toProtocolError(error, 'INVALID_VALUE');
  }
}

export function decodeWeightSet(bytes: Uint8Array, options: Pick<DecodeOptions, 'limits' | 'copyTensors'> = {}): WeightSet {
  const limits = resolveLimits(options.limits);
  try {
    if (!(bytes instanceof Uint8Array)) throw new ProtocolError('MALFORMED', 'expected bytes');
    if (bytes.length > limits.maxMessageBytes) {
      throw new ProtocolError('TOO_LARGE', `${bytes.length} bytes, limit ${limits.maxMessageBytes}`);
    }
    scanStructure(bytes, structureLimits(limits), 'weightSet');
    const reader = Reader.create(bytes);
    reader.discardUnknown = true;
    let wire: fedsynth.v1.WeightSet;
    try {
      wire = fedsynth.v1.WeightSet.decode(reader);
    } catch (error) {
      throw new ProtocolError('MALFORMED', `not a weight set: ${error instanceof Error ? error.message : String(error)}`);
    }
    return weightSetFromWire(wire, 'weights', {
      limits,
      copyTensors: options.copyTensors ?? false,
      hostIsLittleEndian: HOST_IS_LITTLE_ENDIAN,
    });
  } catch (error) {
    throw toProtocolError(error, 'MALFORMED');
  }
}
