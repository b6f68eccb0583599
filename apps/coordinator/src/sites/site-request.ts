import { decodeEnvelope, encodeFrames, ProtocolError, WIRE_EVENTS, type Envelope } from '@fedsynth/protocol';

/** The calls of a Socket.IO socket a request needs. */
export interface FrameEmitter {
  timeout(ms: number): { emitWithAck(event: typeof WIRE_EVENTS.frame, frame: Uint8Array): Promise<Uint8Array> };
  /** Whether the connection is still open (absent: assumed open). */
  readonly connected?: boolean;
  once?(event: 'disconnect', listener: (reason: string) => void): unknown;
  off?(event: 'disconnect', listener: (reason: string) => void): unknown;
}

/**
 * Sends an envelope to a site as its frames, each awaited with a timeout (chunked sends are
 * paced by the acks), and returns the last ack decoded: the site's answer. Global weights
 * go as float32, so every site trains from exactly the checkpointed values.
 *
 * A site whose connection closes while a frame waits for its ack fails the request at once
 * (Socket.IO would wait out the whole timeout): a crashed site must not hold up the opening
 * of a round, in which every selected site's ack is awaited, for 30 s.
 */
export async function requestOverFrames(socket: FrameEmitter, envelope: Envelope, timeoutMs: number): Promise<Envelope> {
  let reply: Uint8Array | undefined;
  for (const frame of encodeFrames(envelope)) {
    reply = await untilDisconnected(socket, () => socket.timeout(timeoutMs).emitWithAck(WIRE_EVENTS.frame, frame));
  }
  return decodeEnvelope(new Uint8Array(reply!), { copyTensors: true });
}

function untilDisconnected<T>(socket: FrameEmitter, send: () => Promise<T>): Promise<T> {
  if (socket.connected === false) return Promise.reject(new ProtocolError('TIMEOUT', 'the site is disconnected'));
  if (!socket.once || !socket.off) return send();
  return new Promise<T>((resolve, reject) => {
    const onDisconnect = (reason: string) => reject(new ProtocolError('TIMEOUT', `the site disconnected (${reason}) before answering`));
    socket.once!('disconnect', onDisconnect);
    send()
      .then(resolve, reject)
      .finally(() => socket.off!('disconnect', onDisconnect));
  });
}
