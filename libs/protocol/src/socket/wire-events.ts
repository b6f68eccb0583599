/**
 * The Socket.IO surface shared by the coordinator and the site agents, typed here once so
 * event names and payloads cannot drift between the two apps. Types only: this library
 * does not depend on socket.io; apps pass these maps as its generics, e.g.
 *
 *   new Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SiteSocketData>()
 *   io<ServerToClientEvents, ClientToServerEvents>(url + SITES_NAMESPACE, { auth })
 *
 * One event each way. Every frame is one encoded Envelope (or a Chunk of one, see
 * encodeFrames) sent as binary, and every frame is acknowledged with exactly one encoded
 * Envelope: the response (Welcome to Hello, Heartbeat to Heartbeat), an Ack, or an Error.
 * Senders use `socket.timeout(DEFAULT_ACK_TIMEOUT_MS).emitWithAck(WIRE_EVENTS.frame, bytes)`,
 * so no exchange waits forever, and waiting for each chunk's ack paces large transfers.
 */

/** Namespace the site agents connect to. */
export const SITES_NAMESPACE = '/sites';

export const WIRE_EVENTS = Object.freeze({
  /** An encoded Envelope or chunk frame, in either direction. */
  frame: 'frame',
} as const);

/** Time a sender waits for a frame's acknowledgement before treating it as lost. */
export const DEFAULT_ACK_TIMEOUT_MS = 30_000;

/** Acknowledges a frame with an encoded Envelope (response, Ack or Error). */
export type FrameAck = (reply: Uint8Array) => void;

/** Receives a frame (a Node Buffer on the server, Uint8Array/ArrayBuffer elsewhere). */
export type FrameListener = (frame: Uint8Array, ack: FrameAck) => void;

/** Site agent → coordinator. */
export interface ClientToServerEvents {
  [WIRE_EVENTS.frame]: FrameListener;
}

/** Coordinator → site agent. */
export interface ServerToClientEvents {
  [WIRE_EVENTS.frame]: FrameListener;
}

/** Between coordinator instances (Redis adapter); none yet. */
export type InterServerEvents = Record<string, never>;

/** What the coordinator keeps on each site's socket (`socket.data`). */
export interface SiteSocketData {
  siteId: string;
  sessionId: string;
  protocolVersion: number;
}
