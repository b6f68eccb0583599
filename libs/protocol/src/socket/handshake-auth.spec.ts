import { ProtocolError } from '../errors/protocol-error';
import { handshakeAuth, parseHandshakeAuth } from './handshake-auth';

function refusal(auth: unknown): [string, string] {
  try {
    parseHandshakeAuth(auth);
  } catch (error) {
    if (error instanceof ProtocolError) return [error.code, error.message];
    throw error;
  }
  throw new Error('accepted');
}

describe('handshake auth', () => {
  it('accepts what handshakeAuth builds', () => {
    expect(parseHandshakeAuth(handshakeAuth('site-a', 's3cret'))).toEqual({ siteId: 'site-a', token: 's3cret', protocolVersion: 1 });
  });

  it('refuses another version with a message naming both', () => {
    expect(refusal({ siteId: 's', token: 't', protocolVersion: 2 })).toEqual([
      'UNSUPPORTED_VERSION',
      'protocolVersion: peer speaks fedsynth protocol v2, this side speaks v1; upgrade the older side',
    ]);
    expect(refusal({ siteId: 's', token: 't', protocolVersion: '1' })[0]).toBe('UNSUPPORTED_VERSION');
  });

  it('refuses missing or malformed fields', () => {
    expect(refusal(undefined)[0]).toBe('MISSING_FIELD');
    expect(refusal({ siteId: 's', token: 't' })[0]).toBe('MISSING_FIELD');
    expect(refusal({ siteId: 's', protocolVersion: 1 })[0]).toBe('MISSING_FIELD');
    expect(refusal({ siteId: 7, token: 't', protocolVersion: 1 })[0]).toBe('INVALID_VALUE');
    expect(refusal({ siteId: 'a site', token: 't', protocolVersion: 1 })[0]).toBe('INVALID_VALUE');
  });
});
