import { parseHandshakeAuth, ProtocolError } from '@fedsynth/protocol';
import type { SiteRepository } from '../store/site.repository';

/**
 * Checks a site's handshake: protocol version, then site id + token against the registry.
 * The message is shown to the site's operator: it names the version problem, and says
 * "revoked" for a revoked site (with how to get a new token), but never tells an unknown
 * site from a wrong token.
 */
export function authenticateSite(auth: unknown, sites: SiteRepository): { siteId: string; protocolVersion: number } {
  const { siteId, token, protocolVersion } = parseHandshakeAuth(auth);
  const verdict = sites.authenticate(siteId, token);
  if (verdict.ok) return { siteId, protocolVersion };
  if (verdict.reason === 'revoked') {
    throw new ProtocolError('UNAUTHORIZED', `site ${siteId} has been revoked; ask the coordinator's operator for a new token ('fedsynth coordinator add-site NAME --rotate')`);
  }
  throw new ProtocolError('UNAUTHORIZED', `site ${siteId} is unknown or its token is wrong; check the site id and token the operator gave you`);
}
