import type { ClientToServerEvents, FrameAck, ServerToClientEvents } from './wire-events';
import { SITES_NAMESPACE, WIRE_EVENTS } from './wire-events';

describe('wire events', () => {
  it('names one frame event, used in both directions', () => {
    expect(WIRE_EVENTS).toEqual({ frame: 'frame' });
    expect(SITES_NAMESPACE).toBe('/sites');
    expect(Object.isFrozen(WIRE_EVENTS)).toBe(true);
  });

  it('types listeners as (frame bytes, ack with reply bytes)', () => {
    const replies: Uint8Array[] = [];
    const ack: FrameAck = (reply) => replies.push(reply);
    const serverSide: ClientToServerEvents = { [WIRE_EVENTS.frame]: (frame, reply) => reply(frame) };
    const clientSide: ServerToClientEvents = serverSide;
    clientSide.frame(new Uint8Array([1]), ack);
    expect(replies).toEqual([new Uint8Array([1])]);
  });
});
