import { ProtocolError } from '../errors/protocol-error';
import { PROTOCOL_VERSION } from '../version';
import { createEnvelope, errorEnvelope, errorFromReply, expectBody, hasBody, newMessageId, replyTo } from './create-envelope';
import { decodeEnvelope } from './decode-envelope';
import { encodeEnvelope } from './encode-envelope';

describe('envelope helpers', () => {
  it('creates envelopes of this version with fresh ids', () => {
    const a = createEnvelope('ack', {});
    const b = createEnvelope('ack', {});
    expect(a.protocolVersion).toBe(PROTOCOL_VERSION);
    expect(a.messageId).not.toBe(b.messageId);
    expect(newMessageId()).toMatch(/^[0-9a-f-]{36}$/);
    expect(createEnvelope('ack', {}, { messageId: 'x', inReplyTo: 'y' })).toMatchObject({ messageId: 'x', inReplyTo: 'y' });
  });

  it('replies to a request by id', () => {
    const hello = createEnvelope('hello', { siteId: 's', agentVersion: '1', acceptedDtypes: [] });
    expect(replyTo(hello, 'ack', {}).inReplyTo).toBe(hello.messageId);
  });

  it('turns any error into an encodable Error reply', () => {
    const fromProtocol = errorEnvelope(new ProtocolError('STALE_ROUND', 'round 3 is over', { messageId: 'r1' }));
    expect(fromProtocol.body.value).toEqual({ code: 'STALE_ROUND', reason: 'round 3 is over' });
    expect(fromProtocol.inReplyTo).toBe('r1');

    const fromBug = errorEnvelope(new TypeError('x is undefined\u0000'), 'r2');
    expect(fromBug.body.value.code).toBe('INTERNAL');
    expect(fromBug.inReplyTo).toBe('r2');
    const long = errorEnvelope(new Error('e'.repeat(10_000)));
    // Control characters and overlong reasons are cleaned so the reply always encodes.
    for (const env of [fromBug, long]) expect(decodeEnvelope(encodeEnvelope(env)).body.kind).toBe('error');
  });

  it('narrows bodies, and rethrows a peer Error reply with its code', () => {
    const welcome = createEnvelope('welcome', {
      sessionId: 's',
      coordinatorVersion: '1',
      heartbeatIntervalMs: 1000,
      maxMessageBytes: 1,
      maxChunkBytes: 1,
      acceptedDtypes: [],
    });
    expect(hasBody(welcome, 'welcome')).toBe(true);
    expect(expectBody(welcome, 'welcome').sessionId).toBe('s');
    expect(() => expectBody(welcome, 'trainTask')).toThrow(expect.objectContaining({ code: 'UNEXPECTED_MESSAGE' }));
    const refusal = createEnvelope('error', { code: 'UNSUPPORTED_VERSION', reason: 'speak v1' });
    expect(() => expectBody(refusal, 'welcome')).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_VERSION', message: 'speak v1' }));
    expect(errorFromReply({ code: 'BUSY', reason: 'later' })).toBeInstanceOf(ProtocolError);
  });
});
