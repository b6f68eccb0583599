/**
 * Every way a message can be refused. The same codes travel on the wire in the `Error`
 * body (see error-code-map.ts), so a site learns exactly why the coordinator refused it.
 */
export const PROTOCOL_ERROR_CODES = [
  /** A peer sent a code this version does not know (or none); kept rather than failing. */
  'UNKNOWN',
  /** Bytes that are not a valid Envelope (bad varint, truncated, wrong wire type...). */
  'MALFORMED',
  'UNSUPPORTED_VERSION',
  'MISSING_FIELD',
  /** A value outside its allowed range or format (negative rate, bad name...). */
  'INVALID_VALUE',
  'UNKNOWN_DTYPE',
  'SHAPE_MISMATCH',
  'NON_FINITE',
  'TOO_LARGE',
  'DUPLICATE_NAME',
  'CHUNK_MISSING',
  'CHUNK_DUPLICATE',
  /** Chunks of one message disagree (total, size, digest) or do not add up. */
  'CHUNK_MISMATCH',
  'DIGEST_MISMATCH',
  /** A well-formed message that is not acceptable here (wrong body for the exchange). */
  'UNEXPECTED_MESSAGE',
  'UNAUTHORIZED',
  /** A result for a round that is over (late, duplicate or from an older round). */
  'STALE_ROUND',
  /** An update that failed the coordinator's checks (layout, norm bound...). */
  'UPDATE_REJECTED',
  'TIMEOUT',
  /** The receiver is at a capacity limit; the sender may retry later. */
  'BUSY',
  'INTERNAL',
  /** A site refuses a task that would exceed its privacy budget, or train its records without DP although it has one. */
  'PRIVACY_BUDGET_EXCEEDED',
  /** A secure-aggregation step failed or was refused (too few survivors, a bad share, a wrong-length masked update). */
  'SECURE_AGGREGATION_FAILED',
] as const;

export type ProtocolErrorCode = (typeof PROTOCOL_ERROR_CODES)[number];

const KNOWN_CODES: ReadonlySet<string> = new Set(PROTOCOL_ERROR_CODES);

export function isProtocolErrorCode(value: unknown): value is ProtocolErrorCode {
  return typeof value === 'string' && KNOWN_CODES.has(value);
}

/** Where a problem was found, so logs and Error replies can point at it. */
export interface ProtocolErrorContext {
  /** Dotted path of the offending field, e.g. `trainResult.weights[3].shape`. */
  readonly field?: string | undefined;
  /** message_id of the envelope being decoded, when it was readable. */
  readonly messageId?: string | undefined;
}

/**
 * The only error type the codecs throw. Decoding hostile bytes ends in either a valid
 * message or a ProtocolError; callers can answer it with `errorEnvelope(...)`.
 */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  readonly field: string | undefined;
  readonly messageId: string | undefined;

  constructor(
    readonly code: ProtocolErrorCode,
    /** What is wrong, without the field prefix that `message` carries. */
    readonly reason: string,
    context: ProtocolErrorContext = {},
  ) {
    super(context.field ? `${context.field}: ${reason}` : reason);
    this.field = context.field;
    this.messageId = context.messageId;
  }

  /** The same error, told which envelope it was found in. */
  withMessageId(messageId: string): ProtocolError {
    if (this.messageId === messageId) return this;
    const copy = new ProtocolError(this.code, this.reason, { field: this.field, messageId });
    if (this.cause !== undefined) copy.cause = this.cause;
    copy.stack = this.stack;
    return copy;
  }
}

export function isProtocolError(value: unknown): value is ProtocolError {
  return value instanceof ProtocolError;
}

/**
 * Wraps anything thrown while handling bytes into a ProtocolError, so callers never have
 * to handle two error shapes. Other errors keep their message, under `fallback`'s code.
 */
export function toProtocolError(error: unknown, fallback: ProtocolErrorCode = 'INTERNAL'): ProtocolError {
  if (error instanceof ProtocolError) return error;
  const text = error instanceof Error ? error.message : String(error);
  const wrapped = new ProtocolError(fallback, text);
  wrapped.cause = error;
  return wrapped;
}
