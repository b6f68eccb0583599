import { createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { SecureAggregationError } from './secure-aggregation-error';

/** Raw X25519 keys (RFC 7748): 32 bytes each. */
export interface X25519KeyPair {
  readonly publicKey: Uint8Array;
  readonly privateKey: Uint8Array;
}

export const X25519_KEY_BYTES = 32;

// DER prefixes of PKCS#8 and SPKI for X25519 (RFC 8410): the raw 32 bytes follow them.
// node:crypto takes raw keys only through JWK or DER; DER avoids base64url round trips.
const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b656e032100', 'hex');

function checkLength(key: Uint8Array, what: string): void {
  if (key.length !== X25519_KEY_BYTES) {
    throw new SecureAggregationError('INVALID_INPUT', `an X25519 ${what} is ${X25519_KEY_BYTES} bytes, got ${key.length}`);
  }
}

function privateKeyObject(privateKey: Uint8Array): KeyObject {
  checkLength(privateKey, 'private key');
  return createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, privateKey]), format: 'der', type: 'pkcs8' });
}

function publicKeyObject(publicKey: Uint8Array): KeyObject {
  checkLength(publicKey, 'public key');
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
}

function rawOf(key: KeyObject, prefix: Buffer, type: 'pkcs8' | 'spki'): Uint8Array {
  const der = key.export({ format: 'der', type }) as Buffer;
  return new Uint8Array(der.subarray(prefix.length));
}

/** A fresh key pair from node:crypto. Sites make new ones every round (see README). */
export function generateX25519KeyPair(): X25519KeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  return { publicKey: rawOf(publicKey, SPKI_PREFIX, 'spki'), privateKey: rawOf(privateKey, PKCS8_PREFIX, 'pkcs8') };
}

/** The public key of a private key: how a reconstructed key is checked against the one advertised. */
export function x25519PublicKey(privateKey: Uint8Array): Uint8Array {
  return rawOf(createPublicKey(privateKeyObject(privateKey)), SPKI_PREFIX, 'spki');
}

/**
 * The X25519 shared secret of my private key and a peer's public key; both sides get the
 * same 32 bytes. A low-order peer point would make the "secret" all zeros, i.e. public:
 * OpenSSL refuses to derive it and so does the explicit check (RFC 7748 §6.1).
 */
export function x25519SharedSecret(privateKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array {
  const mine = privateKeyObject(privateKey);
  const theirs = publicKeyObject(peerPublicKey);
  let secret: Uint8Array;
  try {
    secret = new Uint8Array(diffieHellman({ privateKey: mine, publicKey: theirs }));
  } catch (error) {
    throw new SecureAggregationError('INVALID_INPUT', `X25519 key agreement failed: ${(error as Error).message}`);
  }
  if (secret.every((byte) => byte === 0)) {
    throw new SecureAggregationError('INVALID_INPUT', 'the peer public key is a low-order point (shared secret is zero)');
  }
  return secret;
}
