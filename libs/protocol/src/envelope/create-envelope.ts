import { randomUUID } from 'node:crypto';
import { ProtocolError, toProtocolError } from '../errors/protocol-error';
import { DEFAULT_LIMITS } from '../limits';
import type { BodyKind, BodyMap, BodyOf, Envelope, ErrorReply } from '../messages/types';
import { PROTOCOL_VERSION } from '../version';

/** A fresh message id (a random UUID). */
export function newMessageId(): string {
  return randomUUID();
}

/** An envelope of this build's protocol version, with a fresh id unless one is given. */
export function createEnvelope<K extends BodyKind>(
  kind: K,
  value: BodyMap[K],
  options: { inReplyTo?: string; messageId?: string } = {},
): Envelope<BodyOf<K>> {
  return {
    protocolVersion: PROTOCOL_VERSION,
    messageId: options.messageId ?? newMessageId(),
    inReplyTo: options.inReplyTo ?? '',
    body: { kind, value } as BodyOf<K>,
  };
}

/** The answer to `request` (its id becomes `inReplyTo`). */
export function replyTo<K extends BodyKind>(
  request: Pick<Envelope, 'messageId'>,
  kind: K,
  value: BodyMap[K],
): Envelope<BodyOf<K>> {
  return createEnvelope(kind, value, { inReplyTo: request.messageId });
}

// Error reasons travel as text checked like any other; keep them printable and bounded.
const CONTROL_CHARS = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g;

function reasonOf(error: ProtocolError): string {
  const text = (error.message || error.code).replace(CONTROL_CHARS, ' ');
  const max = DEFAULT_LIMITS.maxStringLength;
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * An Error envelope for anything caught while handling a message (a ProtocolError keeps
 * its code; anything else is reported as INTERNAL), replying to `inReplyTo` if known.
 */
export function errorEnvelope(error: unknown, inReplyTo?: string): Envelope<BodyOf<'error'>> {
  const protocolError = toProtocolError(error);
  const reply: ErrorReply = { code: protocolError.code, reason: reasonOf(protocolError) };
  return createEnvelope('error', reply, { inReplyTo: inReplyTo ?? protocolError.messageId ?? '' });
}

/** A received Error body as a throwable ProtocolError (code preserved). */
export function errorFromReply(reply: ErrorReply, messageId?: string): ProtocolError {
  return new ProtocolError(reply.code, reply.reason, { messageId });
}

/** Whether the envelope carries a body of `kind` (narrows its type). */
export function hasBody<K extends BodyKind>(envelope: Envelope, kind: K): envelope is Envelope<BodyOf<K>> {
  return envelope.body.kind === kind;
}

/**
 * The body of `kind`, or a ProtocolError: the peer's own Error reply is rethrown with its
 * code, any other body is UNEXPECTED_MESSAGE. Meant for request/response exchanges:
 * `const welcome = expectBody(decodeEnvelope(ack), 'welcome')`.
 */
export function expectBody<K extends BodyKind>(envelope: Envelope, kind: K): BodyMap[K] {
  if (hasBody(envelope, kind)) return envelope.body.value as BodyMap[K];
  if (envelope.body.kind === 'error') throw errorFromReply(envelope.body.value, envelope.messageId);
  throw new ProtocolError('UNEXPECTED_MESSAGE', `expected ${kind}, got ${envelope.body.kind}`, {
    messageId: envelope.messageId,
  });
}
