import { ProtocolError } from '../errors/protocol-error';
import { resolveLimits, type ProtocolLimits } from '../limits';
import { checkId, checkText } from '../messages/field-checks';
import { checkProtocolVersion, PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS } from '../version';

/**
 * The Socket.IO handshake `auth` payload of a site agent: who it is, its secret and the
 * protocol version it speaks. It is small JSON (no weights), checked at connect so a
 * wrong token or version is refused before any frame is exchanged.
 */
export interface HandshakeAuth {
  siteId: string;
  token: string;
  protocolVersion: number;
}

/** The auth payload a site sends: `io(url, { auth: handshakeAuth(siteId, token) })`. */
export function handshakeAuth(siteId: string, token: string): HandshakeAuth {
  return { siteId, token, protocolVersion: PROTOCOL_VERSION };
}

/**
 * Checks an untrusted handshake payload (`socket.handshake.auth` in the coordinator's
 * namespace middleware). Throws ProtocolError: MISSING_FIELD / INVALID_VALUE, or
 * UNSUPPORTED_VERSION with a message naming both versions, fit to show the site's operator.
 */
export function parseHandshakeAuth(
  auth: unknown,
  options: { supportedVersions?: readonly number[]; limits?: Partial<ProtocolLimits> } = {},
): HandshakeAuth {
  const limits = resolveLimits(options.limits);
  if (auth === null || typeof auth !== 'object') {
    throw new ProtocolError('MISSING_FIELD', 'no handshake auth: connect with { siteId, token, protocolVersion }', { field: 'auth' });
  }
  const fields = auth as Record<string, unknown>;
  const protocolVersion = checkProtocolVersion(fields['protocolVersion'], options.supportedVersions ?? SUPPORTED_PROTOCOL_VERSIONS);
  const asString = (name: string): string | undefined => {
    const value = fields[name];
    if (value !== undefined && typeof value !== 'string') {
      throw new ProtocolError('INVALID_VALUE', 'not a string', { field: `auth.${name}` });
    }
    return value;
  };
  return {
    siteId: checkId(asString('siteId'), 'auth.siteId', limits),
    token: checkText(asString('token'), 'auth.token', limits, { required: true }),
    protocolVersion,
  };
}
