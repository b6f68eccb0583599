import { randomBytes } from 'node:crypto';
import { pairwiseMaskSeed, shareEncryptionKey, type SecureAggregationContext } from './key-derivation';
import { addInto, expandMask, SEED_BYTES, subtractInto } from './mask-prg';
import { FIELD_BYTES } from './prime-field';
import { checkThreshold, indexRoster, type SecureAggregationParticipant } from './roster';
import { SecureAggregationError } from './secure-aggregation-error';
import { openShares, sealShares } from './share-encryption';
import { shareFromBytes, shareValueBytes, splitSecret, type Share } from './shamir';
import { generateX25519KeyPair, x25519SharedSecret, type X25519KeyPair } from './x25519';

/** What a site publishes at the start of a round (relayed by the coordinator). */
export interface AdvertisedKeys {
  readonly siteId: string;
  readonly maskPublicKey: Uint8Array;
  readonly sharePublicKey: Uint8Array;
}

/** Shares of one site's two secrets for one recipient, sealed for that recipient only. */
export interface EncryptedShares {
  readonly from: string;
  readonly to: string;
  /** nonce (12) ‖ AES-256-GCM ciphertext of two 66-byte share values ‖ tag (16). */
  readonly ciphertext: Uint8Array;
}

/** One site's answer to the unmasking request. */
export interface RevealedShares {
  readonly from: string;
  /** Shares of the self-mask seeds of the sites that survived (their masked input arrived). */
  readonly selfMaskSeedShares: readonly { readonly siteId: string; readonly share: Share }[];
  /** Shares of the mask private keys of the sites that dropped out after sharing. */
  readonly maskKeyShares: readonly { readonly siteId: string; readonly share: Share }[];
}

/** Shares this site holds of another site's (or its own) secrets. */
interface HeldShares {
  readonly maskKey: Share;
  readonly selfMaskSeed: Share;
}

function invalid(message: string): SecureAggregationError {
  return new SecureAggregationError('INVALID_INPUT', message);
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

/** The additional data sealing shares: who, to whom, for which round. */
function shareLabel(context: SecureAggregationContext, from: string, to: string): Uint8Array {
  return Buffer.from(JSON.stringify(['fedsynth/secure-aggregation/v1/shares', context.runId, context.round, from, to]));
}

/**
 * The pairwise mask seed of sites a and b (order-independent): both derive it from their
 * X25519 agreement; the pair is labelled in roster order.
 */
export function pairSeed(
  myPrivateKey: Uint8Array,
  me: SecureAggregationParticipant,
  peer: SecureAggregationParticipant,
  context: SecureAggregationContext,
): Uint8Array {
  const [first, second] = me.index < peer.index ? [me, peer] : [peer, me];
  return pairwiseMaskSeed(x25519SharedSecret(myPrivateKey, peer.maskPublicKey), context, first.siteId, second.siteId);
}

/**
 * One site's side of a secure-aggregation round (Bonawitz et al. 2017, "Practical Secure
 * Aggregation for Privacy-Preserving Machine Learning", semi-honest variant):
 *
 * 1. `publicKeys()` → the coordinator relays everyone's keys as the roster U1.
 * 2. `shareSecrets(roster, t)` → t-of-n Shamir shares of this site's mask private key and
 *    self-mask seed, one sealed box per other site; `receiveShares(...)` takes the boxes
 *    addressed here. Sites whose shares went round form the masking set U2.
 * 3. `maskUpdate(encoded, U2)` → y = x + PRG(b) + Σ_{v after me} PRG(s_uv) − Σ_{v before me} PRG(s_uv)
 *    (mod 2^32). Pairwise masks cancel in the sum; the self mask b protects y even if the
 *    coordinator later learns this site's pairwise seeds.
 * 4. `revealShares(U3)` for the survivors U3 ⊆ U2 whose masked input arrived: shares of the
 *    survivors' self-mask seeds and of the dropped sites' mask keys, never both for one
 *    site — so the coordinator can remove exactly the masks left in the sum and nothing
 *    more.
 *
 * Keys and seeds are fresh for every round: once a dropped site's mask key is rebuilt it
 * is known to the coordinator. Each step runs once; masking twice would reveal the
 * difference of two inputs.
 */
export class SecureAggregationSite {
  private readonly maskKeys: X25519KeyPair = generateX25519KeyPair();
  private readonly shareKeys: X25519KeyPair = generateX25519KeyPair();
  private readonly selfMaskSeed: Uint8Array = new Uint8Array(randomBytes(SEED_BYTES));
  private roster: Map<string, SecureAggregationParticipant> | undefined;
  private threshold = 0;
  private readonly held = new Map<string, HeldShares>();
  private maskingSet: Set<string> | undefined;
  private revealed = false;

  constructor(
    readonly siteId: string,
    readonly context: SecureAggregationContext,
  ) {
    if (siteId.length === 0) throw invalid('siteId must not be empty');
    if (!Number.isSafeInteger(context.round) || context.round < 0) throw invalid(`round must be an integer ≥ 0, got ${context.round}`);
  }

  publicKeys(): AdvertisedKeys {
    return { siteId: this.siteId, maskPublicKey: this.maskKeys.publicKey, sharePublicKey: this.shareKeys.publicKey };
  }

  private me(): SecureAggregationParticipant {
    const me = this.roster?.get(this.siteId);
    if (!me) throw invalid('shareSecrets must run first (it fixes the roster)');
    return me;
  }

  /** Step 2: sealed shares for every other site in the roster, threshold t. */
  shareSecrets(participants: readonly SecureAggregationParticipant[], threshold: number): EncryptedShares[] {
    if (this.roster) throw invalid('shareSecrets runs once per round');
    const roster = indexRoster(participants);
    const me = roster.get(this.siteId);
    if (!me || !bytesEqual(me.maskPublicKey, this.maskKeys.publicKey) || !bytesEqual(me.sharePublicKey, this.shareKeys.publicKey)) {
      throw invalid(`the roster does not carry site '${this.siteId}' with the keys it advertised`);
    }
    checkThreshold(threshold, roster.size);
    const xs = participants.map((p) => p.index);
    const maskKeyShares = splitSecret(this.maskKeys.privateKey, threshold, xs);
    const seedShares = splitSecret(this.selfMaskSeed, threshold, xs);
    this.roster = roster;
    this.threshold = threshold;

    const boxes: EncryptedShares[] = [];
    participants.forEach((p, i) => {
      const shares = { maskKey: maskKeyShares[i]!, selfMaskSeed: seedShares[i]! };
      if (p.siteId === this.siteId) {
        this.held.set(this.siteId, shares);
        return;
      }
      const plaintext = new Uint8Array(2 * FIELD_BYTES);
      plaintext.set(shareValueBytes(shares.maskKey), 0);
      plaintext.set(shareValueBytes(shares.selfMaskSeed), FIELD_BYTES);
      const key = shareEncryptionKey(x25519SharedSecret(this.shareKeys.privateKey, p.sharePublicKey), this.context, this.siteId, p.siteId);
      boxes.push({ from: this.siteId, to: p.siteId, ciphertext: sealShares(key, shareLabel(this.context, this.siteId, p.siteId), plaintext) });
    });
    return boxes;
  }

  /** Step 2 (receiving): opens the boxes addressed to this site and keeps the shares. */
  receiveShares(boxes: readonly EncryptedShares[]): void {
    const me = this.me();
    if (this.maskingSet) throw invalid('shares arrive before masking');
    for (const box of boxes) {
      if (box.to !== this.siteId) throw invalid(`shares addressed to '${box.to}' reached site '${this.siteId}'`);
      const sender = this.roster!.get(box.from);
      if (!sender || box.from === this.siteId) throw invalid(`shares from '${box.from}', which is not another site of the roster`);
      if (this.held.has(box.from)) throw invalid(`shares from '${box.from}' arrived twice`);
      const key = shareEncryptionKey(x25519SharedSecret(this.shareKeys.privateKey, sender.sharePublicKey), this.context, box.from, this.siteId);
      const plaintext = openShares(key, shareLabel(this.context, box.from, this.siteId), box.ciphertext, box.from);
      if (plaintext.length !== 2 * FIELD_BYTES) throw new SecureAggregationError('BAD_SHARE', `shares from '${box.from}' have the wrong size`);
      this.held.set(box.from, {
        maskKey: shareFromBytes(me.index, plaintext.subarray(0, FIELD_BYTES)),
        selfMaskSeed: shareFromBytes(me.index, plaintext.subarray(FIELD_BYTES)),
      });
    }
  }

  /**
   * Step 3: masks an encoded update (see encodeWeightedUpdate) for the masking set U2 —
   * the sites whose shares reached everyone, this site included. Runs once.
   */
  maskUpdate(encoded: Uint32Array, maskingSet: readonly string[]): Uint32Array {
    const me = this.me();
    if (this.maskingSet) throw invalid('maskUpdate runs once per round (two masked inputs would reveal their difference)');
    const set = new Set(maskingSet);
    if (set.size !== maskingSet.length) throw invalid('the masking set lists a site twice');
    if (!set.has(this.siteId)) throw invalid(`the masking set does not include site '${this.siteId}'`);
    if (set.size < this.threshold) {
      throw new SecureAggregationError('TOO_FEW_SURVIVORS', `the masking set has ${set.size} sites, fewer than the threshold ${this.threshold}`);
    }
    for (const siteId of set) {
      if (!this.roster!.has(siteId)) throw invalid(`site '${siteId}' of the masking set is not in the roster`);
      // Without its shares this site could not help recover that site's masks.
      if (!this.held.has(siteId)) throw invalid(`site '${siteId}' is in the masking set but its shares never arrived here`);
    }
    this.maskingSet = set;

    const masked = Uint32Array.from(encoded);
    addInto(masked, expandMask(this.selfMaskSeed, masked.length));
    for (const siteId of set) {
      if (siteId === this.siteId) continue;
      const peer = this.roster!.get(siteId)!;
      const mask = expandMask(pairSeed(this.maskKeys.privateKey, me, peer, this.context), masked.length);
      // Sign by roster order: the earlier site of a pair adds the mask, the later subtracts it.
      if (me.index < peer.index) addInto(masked, mask);
      else subtractInto(masked, mask);
    }
    return masked;
  }

  /**
   * Step 4: the shares that let the coordinator unmask the survivors' sum, given the
   * survivors U3 (sites of U2 whose masked input arrived). Refuses when U3 is smaller
   * than t, when this site is not among the survivors, or on a second request.
   */
  revealShares(survivors: readonly string[]): RevealedShares {
    if (!this.maskingSet) throw invalid('revealShares comes after maskUpdate');
    if (this.revealed) {
      throw new SecureAggregationError('REFUSED_TO_REVEAL', 'shares were already revealed for this round; a second answer could unmask a single site');
    }
    const alive = new Set(survivors);
    if (alive.size !== survivors.length) throw invalid('the survivor list names a site twice');
    for (const siteId of alive) {
      if (!this.maskingSet.has(siteId)) throw invalid(`survivor '${siteId}' was not in the masking set`);
    }
    if (!alive.has(this.siteId)) {
      throw new SecureAggregationError('REFUSED_TO_REVEAL', `site '${this.siteId}' is not listed as a survivor, so it does not take part in unmasking`);
    }
    if (alive.size < this.threshold) {
      throw new SecureAggregationError('TOO_FEW_SURVIVORS', `${alive.size} survivors, fewer than the threshold ${this.threshold}: the round cannot be unmasked`);
    }
    this.revealed = true;
    const selfMaskSeedShares: { siteId: string; share: Share }[] = [];
    const maskKeyShares: { siteId: string; share: Share }[] = [];
    for (const siteId of this.maskingSet) {
      const shares = this.held.get(siteId)!;
      // The invariant that protects every single update: a survivor's self-mask seed or a
      // dropped site's mask key, never both for the same site.
      if (alive.has(siteId)) selfMaskSeedShares.push({ siteId, share: shares.selfMaskSeed });
      else maskKeyShares.push({ siteId, share: shares.maskKey });
    }
    return { from: this.siteId, selfMaskSeedShares, maskKeyShares };
  }
}
