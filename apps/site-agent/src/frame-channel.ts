import { decodeEnvelope, encodeFrames, WIRE_EVENTS, type Envelope } from '@fedsynth/protocol';

/** The one call a socket needs to send a request: `timeout(ms).emitWithAck('frame', bytes)`. */
export interface FrameEmitter {
  timeout(ms: number): { emitWithAck(event: typeof WIRE_EVENTS.frame, frame: Uint8Array): Promise<Uint8Array> };
}

/**
 * Sends an envelope as its frames, waiting for each frame's acknowledgement (this paces
 * chunked transfers), and returns the last ack decoded: the answer to the whole message.
 * Weights travel as float32 so what a site sends is exactly what is averaged.
 */
export async function requestOverFrames(socket: FrameEmitter, envelope: Envelope, timeoutMs: number): Promise<Envelope> {
  let reply: Uint8Array | undefined;
  for (const frame of encodeFrames(envelope)) {
    reply = await socket.timeout(timeoutMs).emitWithAck(WIRE_EVENTS.frame, frame);
  }
  return decodeEnvelope(new Uint8Array(reply!), { copyTensors: true });
}
