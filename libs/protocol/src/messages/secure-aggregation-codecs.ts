import { fedsynth } from '../generated/fedsynth';
import { ProtocolError } from '../errors/protocol-error';
import type { ProtocolLimits } from '../limits';
import { FIELD_BYTES, FIELD_PRIME } from '../secure-aggregation/prime-field';
import type { SecureAggregationParticipant } from '../secure-aggregation/roster';
import type { EncryptedShares } from '../secure-aggregation/secure-aggregation-site';
import { shareFromBytes, shareValueBytes } from '../secure-aggregation/shamir';
import { X25519_KEY_BYTES } from '../secure-aggregation/x25519';
import { swapBytes } from '../tensors/byte-order';
import { MASKED_UPDATE_WORDS_KEY } from '../wire/field-keys';
import type { BodyCodec } from './body-codec';
import { checkFinite, checkId, checkList, checkUint32 } from './field-checks';
import { phaseCodec } from './enum-codecs';
import { metricsFromWire, metricsToWire } from './metrics-codec';
import { checkPrivacySpent } from './privacy-codecs';
import type { MaskedUpdate, RevealedShare, SecAggKeys, SecAggRoster, SecAggShares, SecureAggregationSettings, UnmaskRequest, UnmaskResponse } from './secure-aggregation-types';
import { checkRound } from './training-codecs';

const pb = fedsynth.v1;

/** Most sites in one secure-aggregation round: the roster and share lists are bounded by it. */
export const MAX_SECAGG_SITES = 10_000;
/** nonce (12) ‖ two 66-byte share values ‖ tag (16); anything else cannot open. */
const SEALED_SHARES_BYTES = 12 + 2 * FIELD_BYTES + 16;

function checkBytes(value: Uint8Array | null | undefined, field: string, length: number): Uint8Array {
  const bytes = value ?? new Uint8Array(0);
  if (!(bytes instanceof Uint8Array)) throw new ProtocolError('INVALID_VALUE', 'not bytes', { field });
  if (bytes.length === 0) throw new ProtocolError('MISSING_FIELD', 'required', { field });
  if (bytes.length !== length) throw new ProtocolError('INVALID_VALUE', `${bytes.length} bytes, expected ${length}`, { field });
  return bytes;
}

function checkKey(value: Uint8Array | null | undefined, field: string): Uint8Array {
  return checkBytes(value, field, X25519_KEY_BYTES);
}

function checkSiteList(ids: readonly string[] | null | undefined, field: string, limits: ProtocolLimits, min: number): string[] {
  const list = checkList(ids, field, MAX_SECAGG_SITES, (id, f) => checkId(id, f, limits));
  if (new Set(list).size !== list.length) throw new ProtocolError('INVALID_VALUE', 'names a site twice', { field });
  if (list.length < min) throw new ProtocolError(list.length === 0 ? 'MISSING_FIELD' : 'INVALID_VALUE', `needs at least ${min} sites`, { field });
  return list;
}

function head(bytes: Uint8Array): { head: Uint8Array } {
  return { head: bytes };
}

function roundRef(v: { runId?: string | null; round?: number | null }, field: string, limits: ProtocolLimits) {
  return { runId: checkId(v.runId, `${field}.runId`, limits), round: checkRound(v.round, `${field}.round`) };
}

export const secAggKeyRequestCodec: BodyCodec<'secAggKeyRequest'> = {
  encode(v, ctx, field) {
    return head(pb.SecAggKeyRequest.encode(roundRef(v, field, ctx.limits)).finish());
  },
  decode(w, ctx, field) {
    return roundRef(w, field, ctx.limits);
  },
};

function checkKeys(v: fedsynth.v1.SecAggKeys.$Properties | SecAggKeys, field: string, limits: ProtocolLimits): SecAggKeys {
  return {
    ...roundRef(v, field, limits),
    maskPublicKey: checkKey(v.maskPublicKey, `${field}.maskPublicKey`),
    sharePublicKey: checkKey(v.sharePublicKey, `${field}.sharePublicKey`),
  };
}

export const secAggKeysCodec: BodyCodec<'secAggKeys'> = {
  encode(v, ctx, field) {
    return head(pb.SecAggKeys.encode(checkKeys(v, field, ctx.limits)).finish());
  },
  decode(w, ctx, field) {
    return checkKeys(w, field, ctx.limits);
  },
};

function checkParticipant(
  p: fedsynth.v1.SecAggParticipant.$Properties | SecureAggregationParticipant,
  field: string,
  limits: ProtocolLimits,
): SecureAggregationParticipant {
  return {
    siteId: checkId(p.siteId, `${field}.siteId`, limits),
    index: checkUint32(p.index, `${field}.index`, { min: 1 }),
    maskPublicKey: checkKey(p.maskPublicKey, `${field}.maskPublicKey`),
    sharePublicKey: checkKey(p.sharePublicKey, `${field}.sharePublicKey`),
  };
}

function checkRoster(v: fedsynth.v1.SecAggRoster.$Properties | SecAggRoster, field: string, limits: ProtocolLimits): SecAggRoster {
  const list = (v.participants ?? []) as readonly (fedsynth.v1.SecAggParticipant.$Properties | SecureAggregationParticipant)[];
  const participants = checkList(list, `${field}.participants`, MAX_SECAGG_SITES, (p, f) => checkParticipant(p, f, limits));
  const ids = new Set(participants.map((p) => p.siteId));
  const indices = new Set(participants.map((p) => p.index));
  if (ids.size !== participants.length || indices.size !== participants.length) {
    throw new ProtocolError('INVALID_VALUE', 'a site id or index appears twice', { field: `${field}.participants` });
  }
  // t ≥ 2: with t = 1 any one share would reveal a secret.
  const threshold = checkUint32(v.threshold, `${field}.threshold`, { min: 2 });
  if (threshold > participants.length) {
    throw new ProtocolError('INVALID_VALUE', `threshold ${threshold} exceeds the ${participants.length} participants`, { field: `${field}.threshold` });
  }
  return { ...roundRef(v, field, limits), threshold, participants };
}

export const secAggRosterCodec: BodyCodec<'secAggRoster'> = {
  encode(v, ctx, field) {
    return head(pb.SecAggRoster.encode(checkRoster(v, field, ctx.limits)).finish());
  },
  decode(w, ctx, field) {
    return checkRoster(w, field, ctx.limits);
  },
};

function checkSealed(
  s: fedsynth.v1.SecAggSealedShares.$Properties | EncryptedShares,
  field: string,
  limits: ProtocolLimits,
): EncryptedShares {
  const wire = s as fedsynth.v1.SecAggSealedShares.$Properties;
  const app = s as EncryptedShares;
  const from = checkId(app.from ?? wire.fromSiteId, `${field}.from`, limits);
  const to = checkId(app.to ?? wire.toSiteId, `${field}.to`, limits);
  if (from === to) throw new ProtocolError('INVALID_VALUE', 'shares addressed to their own sender', { field });
  return { from, to, ciphertext: checkBytes(s.ciphertext, `${field}.ciphertext`, SEALED_SHARES_BYTES) };
}

function checkShares(v: fedsynth.v1.SecAggShares.$Properties | SecAggShares, field: string, limits: ProtocolLimits): SecAggShares {
  return { ...roundRef(v, field, limits), shares: checkList((v.shares ?? []) as readonly (fedsynth.v1.SecAggSealedShares.$Properties | EncryptedShares)[], `${field}.shares`, MAX_SECAGG_SITES, (s, f) => checkSealed(s, f, limits)) };
}

export const secAggSharesCodec: BodyCodec<'secAggShares'> = {
  encode(v, ctx, field) {
    const checked = checkShares(v, field, ctx.limits);
    return head(
      pb.SecAggShares.encode({
        runId: checked.runId,
        round: checked.round,
        shares: checked.shares.map((s) => ({ fromSiteId: s.from, toSiteId: s.to, ciphertext: s.ciphertext })),
      }).finish(),
    );
  },
  decode(w, ctx, field) {
    return checkShares(w, field, ctx.limits);
  },
};

/** TrainTask.secureAggregation (field 8): absent → undefined. */
export function checkSecureAggregationSettings(
  v: fedsynth.v1.SecureAggregationSettings.$Properties | SecureAggregationSettings | null | undefined,
  field: string,
  limits: ProtocolLimits,
): SecureAggregationSettings | undefined {
  if (v === null || v === undefined) return undefined;
  const maskingSet = checkSiteList(v.maskingSet, `${field}.maskingSet`, limits, 2);
  const threshold = checkUint32(v.threshold, `${field}.threshold`, { min: 2 });
  if (threshold > maskingSet.length) {
    throw new ProtocolError('INVALID_VALUE', `threshold ${threshold} exceeds the masking set of ${maskingSet.length}`, { field: `${field}.threshold` });
  }
  const maxSites = checkUint32(v.maxSites, `${field}.maxSites`, { min: 1 });
  if (maxSites < maskingSet.length) {
    throw new ProtocolError('INVALID_VALUE', `maxSites ${maxSites} is below the masking set of ${maskingSet.length}`, { field: `${field}.maxSites` });
  }
  const clip = checkFinite(v.clip, `${field}.clip`, { min: 0 });
  const scale = checkFinite(v.scale, `${field}.scale`, { min: 0 });
  if (clip === 0) throw new ProtocolError('MISSING_FIELD', 'required (> 0)', { field: `${field}.clip` });
  if (scale === 0) throw new ProtocolError('MISSING_FIELD', 'required (> 0)', { field: `${field}.scale` });
  const maxTotalWeight = checkUint32(v.maxTotalWeight, `${field}.maxTotalWeight`, { min: 1 });
  // The same bound as checkFixedPoint: a sum that could wrap mod 2^32 would decode wrong.
  if (maxTotalWeight * clip * scale + maxSites > 2 ** 31 - 1) {
    throw new ProtocolError('INVALID_VALUE', 'maxTotalWeight × clip × scale + maxSites exceeds 2^31 − 1: the masked sum could wrap around', { field });
  }
  return { threshold, maskingSet, clip, scale, maxTotalWeight, maxSites };
}

function checkWords(bytes: Uint8Array | null | undefined, field: string, limits: ProtocolLimits): Uint8Array {
  const data = bytes ?? new Uint8Array(0);
  // At least one coordinate and the weight word.
  if (data.length < 8) throw new ProtocolError(data.length === 0 ? 'MISSING_FIELD' : 'INVALID_VALUE', `${data.length} bytes; at least 2 words needed`, { field });
  if (data.length % 4 !== 0) throw new ProtocolError('INVALID_VALUE', `${data.length} bytes is not a whole number of uint32 words`, { field });
  if (data.length > limits.maxWeightBytes + 4) throw new ProtocolError('TOO_LARGE', `${data.length} bytes, limit ${limits.maxWeightBytes + 4}`, { field });
  return data;
}

export const maskedUpdateCodec: BodyCodec<'maskedUpdate'> = {
  encode(v, ctx, field) {
    if (!(v.words instanceof Uint32Array)) throw new ProtocolError('INVALID_VALUE', 'not a Uint32Array', { field: `${field}.words` });
    const view = new Uint8Array(v.words.buffer, v.words.byteOffset, v.words.byteLength);
    const data = checkWords(ctx.hostIsLittleEndian ? view : swapBytes(view, 4), `${field}.words`, ctx.limits);
    const privacy = checkPrivacySpent(v.privacy, `${field}.privacy`);
    const encodedHead = pb.MaskedUpdate.encode({
      ...roundRef(v, field, ctx.limits),
      phase: phaseCodec.toWire(v.phase, `${field}.phase`),
      metrics: metricsToWire(v.metrics, `${field}.metrics`, ctx.limits),
      ...(privacy ? { privacy } : {}),
    }).finish();
    // The words are the last field: appended without a copy.
    return { head: encodedHead, trailing: { kind: 'bytes', key: MASKED_UPDATE_WORDS_KEY, data } };
  },
  decode(w, ctx, field): MaskedUpdate {
    const ref = roundRef(w, field, ctx.limits);
    const phase = phaseCodec.fromWire(w.phase, `${field}.phase`);
    const metrics = metricsFromWire(w.metrics, `${field}.metrics`, ctx.limits);
    const privacy = checkPrivacySpent(w.privacy, `${field}.privacy`);
    const bytes = checkWords(w.words, `${field}.words`, ctx.limits);
    // Always a copy: the bytes may sit unaligned in the envelope, and the coordinator keeps them.
    const aligned = ctx.hostIsLittleEndian ? Uint8Array.from(bytes) : swapBytes(bytes, 4);
    return { ...ref, phase, metrics, ...(privacy ? { privacy } : {}), words: new Uint32Array(aligned.buffer, 0, aligned.length / 4) };
  },
};

export const unmaskRequestCodec: BodyCodec<'unmaskRequest'> = {
  encode(v, ctx, field) {
    return head(pb.UnmaskRequest.encode({ ...roundRef(v, field, ctx.limits), survivors: checkSiteList(v.survivors, `${field}.survivors`, ctx.limits, 1) }).finish());
  },
  decode(w, ctx, field): UnmaskRequest {
    return { ...roundRef(w, field, ctx.limits), survivors: checkSiteList(w.survivors, `${field}.survivors`, ctx.limits, 1) };
  },
};

function revealedToWire(list: readonly RevealedShare[] | undefined, field: string, limits: ProtocolLimits): fedsynth.v1.SecAggRevealedShare.$Properties[] {
  return checkList(list, field, MAX_SECAGG_SITES, (r, f) => {
    if (typeof r.share?.y !== 'bigint' || r.share.y < 0n || r.share.y >= FIELD_PRIME) {
      throw new ProtocolError('INVALID_VALUE', 'share.y is not a field element', { field: `${f}.share` });
    }
    return { siteId: checkId(r.siteId, `${f}.siteId`, limits), x: checkUint32(r.share.x, `${f}.share.x`, { min: 1 }), y: shareValueBytes(r.share) };
  });
}

function revealedFromWire(list: readonly fedsynth.v1.SecAggRevealedShare.$Properties[] | null | undefined, field: string, limits: ProtocolLimits): RevealedShare[] {
  const out = checkList(list, field, MAX_SECAGG_SITES, (r, f) => {
    const siteId = checkId(r.siteId, `${f}.siteId`, limits);
    const x = checkUint32(r.x, `${f}.x`, { min: 1 });
    const y = checkBytes(r.y, `${f}.y`, FIELD_BYTES);
    try {
      return { siteId, share: shareFromBytes(x, y) };
    } catch (error) {
      throw new ProtocolError('INVALID_VALUE', (error as Error).message, { field: `${f}.y` });
    }
  });
  if (new Set(out.map((r) => r.siteId)).size !== out.length) throw new ProtocolError('INVALID_VALUE', 'names a site twice', { field });
  return out;
}

export const unmaskResponseCodec: BodyCodec<'unmaskResponse'> = {
  encode(v, ctx, field) {
    return head(
      pb.UnmaskResponse.encode({
        ...roundRef(v, field, ctx.limits),
        selfMaskSeedShares: revealedToWire(v.selfMaskSeedShares, `${field}.selfMaskSeedShares`, ctx.limits),
        maskKeyShares: revealedToWire(v.maskKeyShares, `${field}.maskKeyShares`, ctx.limits),
      }).finish(),
    );
  },
  decode(w, ctx, field): UnmaskResponse {
    const response: UnmaskResponse = {
      ...roundRef(w, field, ctx.limits),
      selfMaskSeedShares: revealedFromWire(w.selfMaskSeedShares, `${field}.selfMaskSeedShares`, ctx.limits),
      maskKeyShares: revealedFromWire(w.maskKeyShares, `${field}.maskKeyShares`, ctx.limits),
    };
    // The invariant that protects a single update: never both shares for one site.
    const seeds = new Set(response.selfMaskSeedShares.map((r) => r.siteId));
    const both = response.maskKeyShares.find((r) => seeds.has(r.siteId));
    if (both) throw new ProtocolError('INVALID_VALUE', `reveals both the self-mask seed and the mask key of '${both.siteId}'`, { field });
    return response;
  },
};
