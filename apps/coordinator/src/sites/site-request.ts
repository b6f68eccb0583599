import { decodeEnvelope, encodeFrames, WIRE_EVENTS, type Envelope } from '@fedsynth/protocol';

/** The one call of a Socket.IO socket a request needs. */
export interface FrameEmitter {
  timeout(ms: number): { emitWithAck(event: typeof WIRE_EVENTS.frame, frame: Uint8Array): Promise<Uint8Array> };
}

/**
 * Sends an envelope to a site as its frames, each awaited with a timeout (chunked sends are
 * paced by the acks), and returns the last ack decoded: the site's answer. Global weights
 * go as float32, so every site trains from exactly the checkpointed values.
 */
export async function requestOverFrames(socket: FrameEmitter, envelope: Envelope, timeoutMs: number): Promise<Envelope> {
  let reply: Uint8Array | undefined;
  for (const frame of encodeFrames(envelope)) {
    reply = await socket.timeout(timeoutMs).emitWithAck(WIRE_EVENTS.frame, frame);
  }
  return decodeEnvelope(new Uint8Array(reply!), { copyTensors: true });
}
