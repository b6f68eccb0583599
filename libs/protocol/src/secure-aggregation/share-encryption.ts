import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { SecureAggregationError } from './secure-aggregation-error';

/**
 * Shares travel through the coordinator, which must not read them (t of them would give
 * it a site's secrets). Each is sealed with AES-256-GCM under a key only the two sites
 * can derive; the additional data binds it to the run, round, sender and recipient, so
 * the coordinator cannot replay it elsewhere or pass it off as another site's.
 */
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export function sealShares(key: Uint8Array, associatedData: Uint8Array, plaintext: Uint8Array): Uint8Array {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  cipher.setAAD(associatedData);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  const out = new Uint8Array(NONCE_BYTES + body.length + TAG_BYTES);
  out.set(nonce, 0);
  out.set(body, NONCE_BYTES);
  out.set(cipher.getAuthTag(), NONCE_BYTES + body.length);
  return out;
}

/** Opens a sealed box; any tampering, wrong key or wrong associated data is BAD_SHARE. */
export function openShares(key: Uint8Array, associatedData: Uint8Array, sealed: Uint8Array, from: string): Uint8Array {
  if (sealed.length < NONCE_BYTES + TAG_BYTES) {
    throw new SecureAggregationError('BAD_SHARE', `the encrypted shares from '${from}' are too short (${sealed.length} bytes)`);
  }
  const nonce = sealed.subarray(0, NONCE_BYTES);
  const body = sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce);
    decipher.setAAD(associatedData);
    decipher.setAuthTag(tag);
    return new Uint8Array(Buffer.concat([decipher.update(body), decipher.final()]));
  } catch {
    throw new SecureAggregationError('BAD_SHARE', `the encrypted shares from '${from}' do not authenticate (tampered or not for this site)`);
  }
}
