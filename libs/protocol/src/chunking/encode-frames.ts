import { ProtocolError, toProtocolError } from '../errors/protocol-error';
import { createEnvelope, newMessageId } from '../envelope/create-envelope';
import { encodeEnvelope, type EncodeOptions } from '../envelope/encode-envelope';
import type { Envelope } from '../messages/types';
import { splitIntoChunks } from './split-into-chunks';

/**
 * Frames sent whole; larger envelopes travel in chunks. 512 KiB sits well under
 * Socket.IO's default `maxHttpBufferSize` (1 MB), so neither side has to raise it.
 */
export const DEFAULT_MAX_FRAME_BYTES = 512 * 1024;

/** Smallest frame size that leaves room for chunk headers plus some data. */
const MIN_FRAME_BYTES = 1024;

export interface FrameOptions extends EncodeOptions {
  /** Largest frame put on the socket; default DEFAULT_MAX_FRAME_BYTES. */
  maxFrameBytes?: number;
}

/**
 * An envelope as the frames to emit, in order: one frame when it fits in `maxFrameBytes`,
 * else Chunk envelopes each at most `maxFrameBytes` long (the receiver reassembles them
 * with a FrameReceiver). Throws ProtocolError.
 */
export function encodeFrames(envelope: Envelope, options: FrameOptions = {}): Uint8Array[] {
  const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  if (!Number.isInteger(maxFrameBytes) || maxFrameBytes < MIN_FRAME_BYTES) {
    throw new ProtocolError('INVALID_VALUE', `maxFrameBytes must be an integer ≥ ${MIN_FRAME_BYTES}, got ${maxFrameBytes}`);
  }
  const bytes = encodeEnvelope(envelope, options);
  if (bytes.length <= maxFrameBytes) return [bytes];

  try {
    // Frame overhead measured on a probe chunk carrying the largest numbers this message
    // will need; +4 covers the data length varint growing from 1 to 5 bytes.
    const probe = encodeEnvelope(
      createEnvelope(
        'chunk',
        {
          messageId: envelope.messageId,
          index: bytes.length - 1,
          total: bytes.length,
          totalBytes: bytes.length,
          digest: new Uint8Array(32),
          data: new Uint8Array(1),
        },
        { messageId: newMessageId(), inReplyTo: envelope.inReplyTo },
      ),
      options,
    );
    const dataPerChunk = maxFrameBytes - (probe.length - 1 + 4);
    return splitIntoChunks(bytes, dataPerChunk, envelope.messageId).map((chunk) => {
      const frame = encodeEnvelope(createEnvelope('chunk', chunk, { inReplyTo: envelope.inReplyTo }), options);
      /* istanbul ignore if: the probe bounds every header */
      if (frame.length > maxFrameBytes) throw new Error(`chunk frame of ${frame.length} bytes exceeds ${maxFrameBytes}`);
      return frame;
    });
  } catch (error) {
    throw toProtocolError(error);
  }
}
