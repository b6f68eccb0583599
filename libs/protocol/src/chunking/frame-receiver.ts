import { ProtocolError } from '../errors/protocol-error';
import { decodeEnvelope, type DecodeOptions } from '../envelope/decode-envelope';
import { resolveLimits } from '../limits';
import type { Envelope } from '../messages/types';
import { ChunkAssembler, type ChunkAssemblerOptions } from './chunk-assembler';

export interface FrameReceiverOptions {
  decode?: DecodeOptions;
  /** maxMessageBytes defaults to the decode limits' maxMessageBytes. */
  assembler?: ChunkAssemblerOptions;
}

/**
 * The receiving end of encodeFrames, one per connection: decodes each frame, passes
 * chunks to a ChunkAssembler, and returns an envelope once one is complete.
 */
export class FrameReceiver {
  readonly assembler: ChunkAssembler;
  private readonly decodeOptions: DecodeOptions;

  constructor(options: FrameReceiverOptions = {}) {
    this.decodeOptions = options.decode ?? {};
    const limits = resolveLimits(this.decodeOptions.limits);
    this.assembler = new ChunkAssembler({ maxMessageBytes: limits.maxMessageBytes, ...options.assembler });
  }

  /**
   * The envelope this frame completes: the frame itself when it was sent whole, the
   * reassembled message when it is its last missing chunk, else undefined (more chunks to
   * come; acknowledge the frame with an Ack). Throws ProtocolError.
   */
  accept(frame: Uint8Array, now: number = Date.now()): Envelope | undefined {
    const envelope = decodeEnvelope(frame, this.decodeOptions);
    if (envelope.body.kind !== 'chunk') return envelope;
    const chunk = envelope.body.value;
    const whole = this.assembler.accept(chunk, now);
    if (!whole) return undefined;
    const inner = decodeEnvelope(whole, this.decodeOptions);
    if (inner.body.kind === 'chunk') {
      throw new ProtocolError('UNEXPECTED_MESSAGE', 'a chunk inside a chunked message', { messageId: inner.messageId });
    }
    if (inner.messageId !== chunk.messageId) {
      throw new ProtocolError('CHUNK_MISMATCH', `chunks of ${chunk.messageId} carry message ${inner.messageId}`, {
        messageId: chunk.messageId,
      });
    }
    return inner;
  }
}
