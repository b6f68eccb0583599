import type { SecureAggregationContext } from './key-derivation';
import { addInto, expandMask, SEED_BYTES, subtractInto } from './mask-prg';
import { checkThreshold, indexRoster, type SecureAggregationParticipant } from './roster';
import { pairSeed, type RevealedShares } from './secure-aggregation-site';
import { SecureAggregationError } from './secure-aggregation-error';
import { combineShares, type Share } from './shamir';
import { x25519PublicKey, X25519_KEY_BYTES } from './x25519';

export interface UnmaskSumOptions {
  readonly context: SecureAggregationContext;
  readonly threshold: number;
  /** The masking set U2 with the keys every site used. */
  readonly participants: readonly SecureAggregationParticipant[];
  /** Masked inputs that arrived, by site id: the survivors U3. */
  readonly masked: ReadonlyMap<string, Uint32Array>;
  /** The survivors' answers to the unmasking request. */
  readonly revealed: readonly RevealedShares[];
}

export interface UnmaskedSum {
  /** Σ of the survivors' encoded updates (mod 2^32): decode with decodeWeightedMean. */
  readonly sum: Uint32Array;
  readonly survivors: string[];
  readonly dropped: string[];
}

function invalid(message: string): SecureAggregationError {
  return new SecureAggregationError('INVALID_INPUT', message);
}

/**
 * The coordinator's last step: sums the survivors' masked inputs and removes what is left
 * of the masks. Each survivor's self mask is rebuilt from ≥ t shares of its seed; each
 * dropped site's mask key is rebuilt from ≥ t shares (and checked against the public key
 * it advertised), and its pairwise masks with every survivor are recomputed and taken
 * back out with the sign the survivor used. Pairwise masks between survivors cancel on
 * their own. Fails cleanly (TOO_FEW_SURVIVORS, TOO_FEW_SHARES, BAD_SHARE) instead of
 * returning a sum that is not the survivors' exact sum.
 */
export function unmaskSum(options: UnmaskSumOptions): UnmaskedSum {
  const { context, threshold, masked, revealed } = options;
  const roster = indexRoster(options.participants);
  checkThreshold(threshold, roster.size);

  const survivors = Array.from(masked.keys());
  for (const siteId of survivors) if (!roster.has(siteId)) throw invalid(`a masked input came from '${siteId}', outside the masking set`);
  if (survivors.length < threshold) {
    throw new SecureAggregationError(
      'TOO_FEW_SURVIVORS',
      `${survivors.length} masked inputs arrived, fewer than the threshold ${threshold}: the round cannot be unmasked`,
    );
  }
  const alive = new Set(survivors);
  const dropped = Array.from(roster.keys()).filter((siteId) => !alive.has(siteId));
  const length = masked.get(survivors[0]!)!.length;

  // Gather shares per target secret, checking each revealer's share sits at its own x.
  const seedShares = new Map<string, Share[]>(survivors.map((id) => [id, []]));
  const keyShares = new Map<string, Share[]>(dropped.map((id) => [id, []]));
  const answered = new Set<string>();
  for (const answer of revealed) {
    const revealer = roster.get(answer.from);
    if (!revealer || !alive.has(answer.from)) throw invalid(`shares were revealed by '${answer.from}', which is not a survivor`);
    if (answered.has(answer.from)) throw invalid(`'${answer.from}' answered twice`);
    answered.add(answer.from);
    const collect = (into: Map<string, Share[]>, entries: RevealedShares['selfMaskSeedShares'], what: string) => {
      for (const { siteId, share } of entries) {
        const list = into.get(siteId);
        if (!list) throw invalid(`'${answer.from}' revealed a ${what} share for '${siteId}', which is not expected`);
        if (share.x !== revealer.index) {
          throw new SecureAggregationError('BAD_SHARE', `'${answer.from}' revealed a share at x = ${share.x}, not its index ${revealer.index}`);
        }
        list.push(share);
      }
    };
    collect(seedShares, answer.selfMaskSeedShares, 'self-mask seed');
    collect(keyShares, answer.maskKeyShares, 'mask key');
  }

  const sum = new Uint32Array(length);
  for (const siteId of survivors) {
    const input = masked.get(siteId)!;
    if (input.length !== length) throw invalid(`masked input of '${siteId}' has ${input.length} words, expected ${length}`);
    addInto(sum, input);
  }

  for (const siteId of survivors) {
    const seed = rebuild(seedShares.get(siteId)!, threshold, SEED_BYTES, `self-mask seed of '${siteId}'`);
    subtractInto(sum, expandMask(seed, length));
  }

  for (const siteId of dropped) {
    const site = roster.get(siteId)!;
    const privateKey = rebuild(keyShares.get(siteId)!, threshold, X25519_KEY_BYTES, `mask key of '${siteId}'`);
    const publicKey = x25519PublicKey(privateKey);
    if (!publicKey.every((byte, i) => byte === site.maskPublicKey[i])) {
      throw new SecureAggregationError('BAD_SHARE', `the shares of the mask key of '${siteId}' rebuild a key that is not the one it advertised`);
    }
    for (const survivorId of survivors) {
      const survivor = roster.get(survivorId)!;
      const mask = expandMask(pairSeed(privateKey, site, survivor, context), length);
      // The survivor added the pair's mask if it came first in the roster, else subtracted it.
      if (survivor.index < site.index) subtractInto(sum, mask);
      else addInto(sum, mask);
    }
  }
  return { sum, survivors, dropped };
}

function rebuild(shares: Share[], threshold: number, byteLength: number, what: string): Uint8Array {
  if (shares.length < threshold) {
    throw new SecureAggregationError('TOO_FEW_SHARES', `${shares.length} shares of the ${what}, fewer than the threshold ${threshold}`);
  }
  try {
    return combineShares(shares, threshold, byteLength);
  } catch (error) {
    if (error instanceof SecureAggregationError) throw new SecureAggregationError(error.code, `${what}: ${error.message}`);
    throw error;
  }
}
