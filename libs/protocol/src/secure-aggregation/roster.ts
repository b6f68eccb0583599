import { X25519_KEY_BYTES } from './x25519';
import { SecureAggregationError } from './secure-aggregation-error';

/**
 * A site taking part in a secure-aggregation round, as the coordinator relays it to every
 * other site: its id, its position and its two public keys for this round.
 */
export interface SecureAggregationParticipant {
  readonly siteId: string;
  /** 1-based position in the round's roster: the x of its Shamir shares and the mask sign order. */
  readonly index: number;
  /** X25519 key whose pairwise agreements seed the masks. */
  readonly maskPublicKey: Uint8Array;
  /** X25519 key whose pairwise agreements encrypt the shares. */
  readonly sharePublicKey: Uint8Array;
}

function invalid(message: string): SecureAggregationError {
  return new SecureAggregationError('INVALID_INPUT', message);
}

/** Checks a roster (unique ids and indices, 32-byte keys) and indexes it by site id. */
export function indexRoster(
  participants: readonly SecureAggregationParticipant[],
): Map<string, SecureAggregationParticipant> {
  const byId = new Map<string, SecureAggregationParticipant>();
  const indices = new Set<number>();
  for (const p of participants) {
    if (typeof p.siteId !== 'string' || p.siteId.length === 0) throw invalid('a participant needs a non-empty siteId');
    if (byId.has(p.siteId)) throw invalid(`site '${p.siteId}' appears twice in the roster`);
    if (!Number.isSafeInteger(p.index) || p.index < 1) {
      throw invalid(`site '${p.siteId}' has index ${p.index}; indices are integers ≥ 1`);
    }
    if (indices.has(p.index)) throw invalid(`index ${p.index} is used by two sites`);
    if (p.maskPublicKey.length !== X25519_KEY_BYTES || p.sharePublicKey.length !== X25519_KEY_BYTES) {
      throw invalid(`site '${p.siteId}' has a public key that is not ${X25519_KEY_BYTES} bytes`);
    }
    byId.set(p.siteId, p);
    indices.add(p.index);
  }
  return byId;
}

/** Fails unless 2 ≤ t ≤ n (t = 1 would let any one share reveal a secret). */
export function checkThreshold(threshold: number, sites: number): void {
  // Above n/2 (Bonawitz et al.): two disjoint groups of survivors, as a coordinator lying about
  // who dropped could form, can then never both reach t and unmask one site between them.
  const lowest = Math.max(2, Math.floor(sites / 2) + 1);
  if (!Number.isSafeInteger(threshold) || threshold < lowest || threshold > sites) {
    throw invalid(`threshold must be an integer in [${lowest}, ${sites}] (more than half of the ${sites} sites, at least 2), got ${threshold}`);
  }
}
