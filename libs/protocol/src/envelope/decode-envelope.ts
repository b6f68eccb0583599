import { Reader } from 'protobufjs/minimal';
import { fedsynth } from '../generated/fedsynth';
import { ProtocolError, toProtocolError } from '../errors/protocol-error';
import { resolveLimits, type ProtocolLimits } from '../limits';
import type { BodyCodec, WireBodyMap } from '../messages/body-codec';
import { BODY_CODECS } from '../messages/body-codecs';
import type { DecodeContext } from '../messages/codec-context';
import { checkId } from '../messages/field-checks';
import { isBodyKind, type Body, type BodyKind, type Envelope } from '../messages/types';
import { HOST_IS_LITTLE_ENDIAN } from '../tensors/byte-order';
import { checkProtocolVersion, SUPPORTED_PROTOCOL_VERSIONS } from '../version';
import { scanStructure, structureLimits } from '../wire/structure-scan';

const pb = fedsynth.v1;

export interface DecodeOptions {
  limits?: Partial<ProtocolLimits>;
  /** Versions accepted; default: those this build speaks. */
  supportedVersions?: readonly number[];
  /**
   * Copy tensor data out of `bytes`. Default false: float32 tensors are views over the
   * input when it is 4-byte aligned, so do not reuse or mutate the input buffer afterwards.
   */
  copyTensors?: boolean;
}

/** Parses the protobuf layer only; every failure becomes MALFORMED. */
function parseWire(bytes: Uint8Array): fedsynth.v1.Envelope {
  const reader = Reader.create(bytes);
  // Unknown fields (from newer peers) are skipped, not kept: keeping them would let
  // hostile bytes make the decoder allocate one object per few input bytes.
  reader.discardUnknown = true;
  try {
    return pb.Envelope.decode(reader);
  } catch (error) {
    // protobufjs throws RangeError/Error for truncation, bad wire types, bad UTF-8,
    // nesting beyond its recursion limit...
    throw new ProtocolError('MALFORMED', `not a fedsynth envelope: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function decodeBody<K extends BodyKind>(kind: K, wire: WireBodyMap[K], ctx: DecodeContext): Body {
  const codec: BodyCodec<K> = BODY_CODECS[kind];
  return { kind, value: codec.decode(wire, ctx, kind) } as Body;
}

/** A readable message id for error context, or undefined. */
function peekMessageId(wire: fedsynth.v1.Envelope, limits: ProtocolLimits): string | undefined {
  try {
    return checkId(wire.messageId, 'messageId', limits);
  } catch {
    return undefined;
  }
}

/**
 * A validated envelope from received bytes, or a ProtocolError: never another exception,
 * and work bounded by the input size and the limits (hostile bytes cannot make it hang
 * or allocate beyond them). The version is checked before the body, so a peer on another
 * version always gets UNSUPPORTED_VERSION rather than a confusing field error.
 */
export function decodeEnvelope(bytes: Uint8Array | ArrayBuffer, options: DecodeOptions = {}): Envelope {
  const limits = resolveLimits(options.limits);
  let messageId: string | undefined;
  try {
    const input = bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes;
    if (!(input instanceof Uint8Array)) throw new ProtocolError('MALFORMED', 'expected bytes (Uint8Array or ArrayBuffer)');
    if (input.length > limits.maxMessageBytes) {
      throw new ProtocolError('TOO_LARGE', `${input.length} bytes, limit ${limits.maxMessageBytes}`);
    }
    // Framing and element counts first: nothing is materialised for hostile bytes.
    scanStructure(input, structureLimits(limits));
    const wire = parseWire(input);
    messageId = peekMessageId(wire, limits);
    const protocolVersion = checkProtocolVersion(wire.protocolVersion, options.supportedVersions ?? SUPPORTED_PROTOCOL_VERSIONS);
    const id = checkId(wire.messageId, 'messageId', limits);
    const inReplyTo = checkId(wire.inReplyTo, 'inReplyTo', limits, { required: false });
    const kind: unknown = wire.body;
    if (!isBodyKind(kind)) throw new ProtocolError('MISSING_FIELD', 'envelope has no body', { field: 'body' });
    const ctx: DecodeContext = {
      limits,
      copyTensors: options.copyTensors ?? false,
      hostIsLittleEndian: HOST_IS_LITTLE_ENDIAN,
    };
    const body = decodeBody(kind, (wire[kind] ?? {}) as WireBodyMap[typeof kind], ctx);
    return { protocolVersion, messageId: id, inReplyTo, body };
  } catch (error) {
    // Anything but a ProtocolError here is a decoder bug met by odd input: still typed.
    const protocolError = toProtocolError(error, 'MALFORMED');
    throw messageId ? protocolError.withMessageId(messageId) : protocolError;
  }
}
