import { ProtocolError } from './errors/protocol-error';

/** The version this build speaks; bump it only under the rule in README.md. */
export const PROTOCOL_VERSION = 1;

/** Versions this build can decode. Kept separate so a transition can accept two. */
export const SUPPORTED_PROTOCOL_VERSIONS: readonly number[] = Object.freeze([PROTOCOL_VERSION]);

/**
 * Refuses a peer's version with a message a person can act on. Used at the Socket.IO
 * handshake and on every decoded envelope.
 */
export function checkProtocolVersion(
  version: unknown,
  supported: readonly number[] = SUPPORTED_PROTOCOL_VERSIONS,
): number {
  if (version === undefined || version === null || version === 0) {
    throw new ProtocolError('MISSING_FIELD', 'no protocol version given', { field: 'protocolVersion' });
  }
  if (typeof version !== 'number' || !Number.isInteger(version) || !supported.includes(version)) {
    throw new ProtocolError(
      'UNSUPPORTED_VERSION',
      `peer speaks fedsynth protocol v${String(version)}, this side speaks ${supported.map((v) => `v${v}`).join(', ')}; ` +
        'upgrade the older side',
      { field: 'protocolVersion' },
    );
  }
  return version;
}
