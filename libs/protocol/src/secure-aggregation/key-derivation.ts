import { hkdfSync } from 'node:crypto';

/** Which round a key belongs to: masks and share keys never repeat across runs or rounds. */
export interface SecureAggregationContext {
  readonly runId: string;
  readonly round: number;
}

const SALT = Buffer.from('fedsynth/secure-aggregation/v1', 'utf8');

/**
 * HKDF-SHA256 (RFC 5869) of an X25519 shared secret into a 32-byte key. The info string
 * binds the key to its purpose, run, round and the two sites (JSON, so ids containing any
 * character cannot make two different labels collide).
 */
function derive(sharedSecret: Uint8Array, label: readonly (string | number)[]): Uint8Array {
  const info = Buffer.from(JSON.stringify(label), 'utf8');
  return new Uint8Array(hkdfSync('sha256', sharedSecret, SALT, info, 32));
}

/**
 * Seed of the pairwise mask between two sites. `first`/`second` are the pair in roster
 * order, so both sites derive the same seed from the same shared secret.
 */
export function pairwiseMaskSeed(
  sharedSecret: Uint8Array,
  context: SecureAggregationContext,
  first: string,
  second: string,
): Uint8Array {
  return derive(sharedSecret, ['pairwise-mask', context.runId, context.round, first, second]);
}

/**
 * AES-256-GCM key for the shares `from` sends `to`. Directional, so the two sites of a
 * pair never encrypt under the same key.
 */
export function shareEncryptionKey(
  sharedSecret: Uint8Array,
  context: SecureAggregationContext,
  from: string,
  to: string,
): Uint8Array {
  return derive(sharedSecret, ['share-encryption', context.runId, context.round, from, to]);
}
