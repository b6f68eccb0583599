import { fedsynth } from '../generated/fedsynth';
import { ProtocolError, toProtocolError } from '../errors/protocol-error';
import { resolveLimits, type ProtocolLimits } from '../limits';
import type { BodyCodec } from '../messages/body-codec';
import { BODY_CODECS } from '../messages/body-codecs';
import type { EncodeContext } from '../messages/codec-context';
import { checkId, checkUint32 } from '../messages/field-checks';
import { isBodyKind, type BodyKind, type BodyMap, type DType, type Envelope } from '../messages/types';
import { HOST_IS_LITTLE_ENDIAN } from '../tensors/byte-order';
import { ENVELOPE_BODY_KEYS } from '../wire/field-keys';
import { encodeSpliced } from '../wire/spliced-encoder';

const pb = fedsynth.v1;

export interface EncodeOptions {
  limits?: Partial<ProtocolLimits>;
  /**
   * Wire dtype of weights: 'float16' halves them (error ≤ 2^-11 relative; see README).
   * Send float16 only to a peer that listed it in Hello/Welcome `acceptedDtypes`.
   */
  weightDtype?: DType;
  /**
   * Scan weights for NaN/±Infinity before sending. Default false: every receiver scans
   * (and answers NON_FINITE with the element index), so a second scan at the sender only
   * costs time; turn it on to fail before sending.
   */
  checkFinite?: boolean;
  /** Pad so tensor data is 4-byte aligned in the output (zero-copy decode); default true. */
  alignTensors?: boolean;
}

function encodeBody<K extends BodyKind>(kind: K, value: BodyMap[K], ctx: EncodeContext) {
  const codec: BodyCodec<K> = BODY_CODECS[kind];
  return codec.encode(value, ctx, kind);
}

/**
 * An envelope's bytes, after checking every field as the receiver will. Tensor data is
 * copied once, straight into the output (float32 on little-endian hosts needs no other
 * copy). Throws ProtocolError, never anything else.
 */
export function encodeEnvelope(envelope: Envelope, options: EncodeOptions = {}): Uint8Array {
  const limits = resolveLimits(options.limits);
  try {
    const ctx: EncodeContext = {
      limits,
      weightDtype: options.weightDtype ?? 'float32',
      checkFinite: options.checkFinite ?? false,
      hostIsLittleEndian: HOST_IS_LITTLE_ENDIAN,
    };
    if (ctx.weightDtype !== 'float32' && ctx.weightDtype !== 'float16') {
      throw new ProtocolError('UNKNOWN_DTYPE', `cannot encode weights as ${String(ctx.weightDtype)}`);
    }
    const head = pb.Envelope.encode({
      protocolVersion: checkUint32(envelope.protocolVersion, 'protocolVersion', { min: 1 }),
      messageId: checkId(envelope.messageId, 'messageId', limits),
      inReplyTo: checkId(envelope.inReplyTo, 'inReplyTo', limits, { required: false }),
    }).finish();
    const kind: unknown = envelope.body?.kind;
    if (!isBodyKind(kind)) throw new ProtocolError('INVALID_VALUE', `unknown body kind ${JSON.stringify(kind)}`, { field: 'body' });
    const body = encodeBody(kind, envelope.body.value as BodyMap[typeof kind], ctx);
    const bytes = encodeSpliced({ head, bodyKey: ENVELOPE_BODY_KEYS[kind], body }, { align: options.alignTensors ?? true });
    if (bytes.length > limits.maxMessageBytes) {
      throw new ProtocolError('TOO_LARGE', `encoded envelope is ${bytes.length} bytes, limit ${limits.maxMessageBytes}`);
    }
    return bytes;
  } catch (error) {
    const protocolError = toProtocolError(error, 'INVALID_VALUE');
    const id = typeof envelope?.messageId === 'string' ? envelope.messageId : undefined;
    throw id ? protocolError.withMessageId(id) : protocolError;
  }
}
