import type { SecureAggregationParticipant } from '../secure-aggregation/roster';
import type { EncryptedShares } from '../secure-aggregation/secure-aggregation-site';
import type { Share } from '../secure-aggregation/shamir';
import type { Metrics, Phase, PrivacySpent } from './types';

/**
 * The secure-aggregation bodies (Bonawitz et al. 2017) as the apps use them. Order of one
 * round: SecAggKeyRequest → SecAggKeys, SecAggRoster → SecAggShares (the site's boxes),
 * SecAggShares (the boxes for the site) → Ack, TrainTask{secureAggregation} → Ack then
 * MaskedUpdate → Ack, UnmaskRequest → UnmaskResponse.
 */

/** The capability a site lists in Hello when it can take part in secure aggregation. */
export const SECURE_AGGREGATION_CAPABILITY = 'secagg-v1';

/** Coordinator → site: make fresh keys for this round and answer with SecAggKeys. */
export interface SecAggKeyRequest {
  runId: string;
  round: number;
}

/** A site's two X25519 public keys (32 bytes each) for one round. */
export interface SecAggKeys {
  runId: string;
  round: number;
  maskPublicKey: Uint8Array;
  sharePublicKey: Uint8Array;
}

/** Coordinator → site: every site that sent keys, with indices, and the threshold t. */
export interface SecAggRoster {
  runId: string;
  round: number;
  threshold: number;
  participants: SecureAggregationParticipant[];
}

/** Sealed shares: a site's outgoing boxes, or the boxes the coordinator relays to a site. */
export interface SecAggShares {
  runId: string;
  round: number;
  shares: EncryptedShares[];
}

/** In a TrainTask: answer with a MaskedUpdate made under these settings. */
export interface SecureAggregationSettings {
  threshold: number;
  /** Sites whose shares reached every other one (U2): the pairwise masks run between them. */
  maskingSet: string[];
  /** Fixed point of the update (trained − global weights), see fixed-point.ts. */
  clip: number;
  scale: number;
  maxTotalWeight: number;
  maxSites: number;
}

/** Site → coordinator: the masked record-weighted update (answers a TrainTask by inReplyTo). */
export interface MaskedUpdate {
  runId: string;
  round: number;
  phase: Phase;
  metrics: Metrics;
  /** Masked words mod 2^32: the task's tensors flattened in order, then the record count. */
  words: Uint32Array;
  /** Present when the site trained under DP: its privacy loss after this round. */
  privacy?: PrivacySpent;
}

/** Coordinator → survivor: reveal what unmasks the survivors' sum. */
export interface UnmaskRequest {
  runId: string;
  round: number;
  survivors: string[];
}

export interface RevealedShare {
  siteId: string;
  share: Share;
}

/** Survivor → coordinator: shares of survivors' self-mask seeds and dropped sites' mask keys. */
export interface UnmaskResponse {
  runId: string;
  round: number;
  selfMaskSeedShares: RevealedShare[];
  maskKeyShares: RevealedShare[];
}
