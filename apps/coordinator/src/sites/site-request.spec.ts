import { createEnvelope, decodeEnvelope, encodeEnvelope, replyTo } from '@fedsynth/protocol';
import { EventEmitter } from 'node:events';
import { requestOverFrames, type FrameEmitter } from './site-request';

/** A socket whose acks the test controls: `answer` replies to the frame sent, or never (a site that died). */
class FakeSocket extends EventEmitter implements FrameEmitter {
  connected = true;
  sent: Uint8Array[] = [];
  constructor(private readonly answer: (frame: Uint8Array) => Uint8Array | undefined) {
    super();
  }
  timeout(_ms: number) {
    return {
      emitWithAck: (_event: 'frame', frame: Uint8Array) =>
        new Promise<Uint8Array>((resolve) => {
          this.sent.push(frame);
          const reply = this.answer(frame);
          if (reply) resolve(reply);
        }),
    };
  }
}

describe('requestOverFrames', () => {
  const task = createEnvelope('heartbeat', { sentAtUnixMs: 1, state: 'idle', runId: '', progress: 0 });

  it('returns the decoded answer', async () => {
    const socket = new FakeSocket((frame) => encodeEnvelope(replyTo(decodeEnvelope(frame), 'ack', {})));
    const answer = await requestOverFrames(socket, task, 1000);
    expect(answer).toMatchObject({ inReplyTo: task.messageId, body: { kind: 'ack' } });
    expect(socket.listenerCount('disconnect')).toBe(0);
  });

  it('fails as soon as the site disconnects while its ack is awaited (the ack would never come)', async () => {
    const socket = new FakeSocket(() => undefined);
    const pending = requestOverFrames(socket, task, 30_000);
    socket.connected = false;
    socket.emit('disconnect', 'transport close');
    await expect(pending).rejects.toMatchObject({ code: 'TIMEOUT', message: 'the site disconnected (transport close) before answering' });
    expect(socket.listenerCount('disconnect')).toBe(0);
  });

  it('does not send to a site already disconnected', async () => {
    const socket = new FakeSocket(() => undefined);
    socket.connected = false;
    await expect(requestOverFrames(socket, task, 30_000)).rejects.toMatchObject({ code: 'TIMEOUT', message: 'the site is disconnected' });
    expect(socket.sent).toEqual([]);
  });
});
