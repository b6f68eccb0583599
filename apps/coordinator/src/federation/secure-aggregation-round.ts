import {
  createEnvelope,
  createFixedPoint,
  decodeWeightedMean,
  expectBody,
  unmaskSum,
  type EncryptedShares,
  type Envelope,
  type FixedPointConfig,
  type RevealedShares,
  type SecureAggregationParticipant,
  type SecureAggregationSettings,
} from '@fedsynth/protocol';
import { defaultSecAggThreshold } from './run-secure-aggregation-options';

/** What the protocol needs of a connected site: its requests, and its announced record count. */
export interface SecAggPeer {
  request(envelope: Envelope): Promise<Envelope>;
  readonly summary?: { readonly recordCount: number } | undefined;
}

export interface SecAggSetUpInput {
  runId: string;
  round: number;
  /** The sites selected for the round. */
  siteIds: readonly string[];
  peer(siteId: string): SecAggPeer | undefined;
  /** The run's threshold; absent: defaultSecAggThreshold of the sites that sent keys. */
  threshold?: number;
  clip: number;
  /** One line per site left out, with why. */
  warn(line: string): void;
}

/** A round's agreed protocol state: who masks with whom, and the settings of the TrainTasks. */
export interface SecAggSetUp {
  readonly runId: string;
  readonly round: number;
  readonly threshold: number;
  /** U2: sites whose shares reached every other one, with the indices and keys of U1. */
  readonly participants: readonly SecureAggregationParticipant[];
  readonly fixedPoint: FixedPointConfig;
  readonly settings: SecureAggregationSettings;
}

export type SecAggSetUpOutcome = { ok: true; setUp: SecAggSetUp } | { ok: false; reason: string };

/** The unmasked record-weighted mean update of the survivors. */
export interface UnmaskedMean {
  readonly mean: Float32Array;
  /** Σ n_i over the survivors: learnt from the sum, never per site. */
  readonly totalWeight: number;
  readonly survivors: string[];
  readonly dropped: string[];
}

/** A failure of the protocol, with the reason the round fails with. */
export class SecureAggregationFailure extends Error {
  override readonly name = 'SecureAggregationFailure';
}

async function ask<T>(peer: SecAggPeer | undefined, envelope: Envelope, read: (reply: Envelope) => T): Promise<T> {
  if (!peer) throw new Error('not connected');
  return read(await peer.request(envelope));
}

function tooFew(what: string, count: number, threshold: number): string {
  return `secure aggregation: ${count} site${count === 1 ? '' : 's'} ${what}, fewer than the threshold ${threshold}`;
}

/**
 * The coordinator's side of steps 1–2 of Bonawitz et al. (2017): collects every selected
 * site's fresh public keys (U1), sends the roster with the threshold, gathers the sealed
 * Shamir shares and relays each box to its recipient. The coordinator only relays: the
 * boxes are AES-GCM sealed under keys it cannot derive. Sites that fail a step are left
 * out; fewer than t left fails the attempt with the reason.
 */
export async function setUpSecureAggregation(input: SecAggSetUpInput): Promise<SecAggSetUpOutcome> {
  const { runId, round } = input;
  const ref = { runId, round };
  const keyed = await Promise.all(
    input.siteIds.map(async (siteId) => {
      try {
        const keys = await ask(input.peer(siteId), createEnvelope('secAggKeyRequest', ref), (r) => expectBody(r, 'secAggKeys'));
        if (keys.runId !== runId || keys.round !== round) throw new Error(`keys for run ${keys.runId} round ${keys.round}`);
        return { siteId, keys };
      } catch (error) {
        input.warn(`site ${siteId} left out of secure aggregation (keys): ${(error as Error).message}`);
        return null;
      }
    }),
  );
  const withKeys = keyed.filter((k): k is NonNullable<typeof k> => k !== null).sort((a, b) => (a.siteId < b.siteId ? -1 : 1));
  const threshold = input.threshold ?? defaultSecAggThreshold(withKeys.length);
  if (withKeys.length < 2 || withKeys.length < threshold) return { ok: false, reason: tooFew('sent keys', withKeys.length, Math.max(2, threshold)) };
  // Sites refuse t ≤ n/2 (roster.ts, checkThreshold): say so here rather than through their refusals.
  if (threshold <= withKeys.length / 2) {
    return { ok: false, reason: `secure aggregation: the threshold ${threshold} is not more than half of the ${withKeys.length} sites that sent keys; raise secureAggregation.threshold or leave it to the default` };
  }
  const roster: SecureAggregationParticipant[] = withKeys.map(({ siteId, keys }, i) => ({ siteId, index: i + 1, maskPublicKey: keys.maskPublicKey, sharePublicKey: keys.sharePublicKey }));
  const inRoster = new Set(roster.map((p) => p.siteId));

  const shared = await Promise.all(
    roster.map(async ({ siteId }) => {
      try {
        const reply = await ask(input.peer(siteId), createEnvelope('secAggRoster', { ...ref, threshold, participants: roster }), (r) => expectBody(r, 'secAggShares'));
        const to = new Set(reply.shares.map((box) => box.to));
        // One box for every other site, all from this one: anything else cannot be relayed.
        const wrong = reply.shares.find((box) => box.from !== siteId || !inRoster.has(box.to));
        if (wrong || to.size !== roster.length - 1 || to.has(siteId) || reply.shares.length !== to.size) {
          throw new Error('its shares do not address every other site of the roster exactly once');
        }
        return { siteId, boxes: reply.shares };
      } catch (error) {
        input.warn(`site ${siteId} left out of secure aggregation (shares): ${(error as Error).message}`);
        return null;
      }
    }),
  );
  const sharing = shared.filter((s): s is { siteId: string; boxes: EncryptedShares[] } => s !== null);
  if (sharing.length < threshold) return { ok: false, reason: tooFew('shared their secrets', sharing.length, threshold) };
  const senders = new Set(sharing.map((s) => s.siteId));
  const boxes = sharing.flatMap((s) => s.boxes);

  const delivered = await Promise.all(
    sharing.map(async ({ siteId }) => {
      try {
        const mine = boxes.filter((box) => box.to === siteId && senders.has(box.from));
        await ask(input.peer(siteId), createEnvelope('secAggShares', { ...ref, shares: mine }), (r) => expectBody(r, 'ack'));
        return siteId;
      } catch (error) {
        input.warn(`site ${siteId} left out of secure aggregation (receiving shares): ${(error as Error).message}`);
        return null;
      }
    }),
  );
  const maskingSet = new Set(delivered.filter((s): s is string => s !== null));
  if (maskingSet.size < threshold) return { ok: false, reason: tooFew('received the shares', maskingSet.size, threshold) };
  const participants = roster.filter((p) => maskingSet.has(p.siteId));
  // The sites' announced record counts bound the sum's weight: the tightest bound gives the finest scale.
  const maxTotalWeight = Math.max(1, participants.reduce((acc, p) => acc + Math.max(0, input.peer(p.siteId)?.summary?.recordCount ?? 0), 0));
  const fixedPoint = createFixedPoint({ clip: input.clip, maxTotalWeight, maxSites: roster.length });
  const settings: SecureAggregationSettings = {
    threshold,
    maskingSet: participants.map((p) => p.siteId),
    clip: fixedPoint.clip,
    scale: fixedPoint.scale,
    maxTotalWeight: fixedPoint.maxTotalWeight,
    maxSites: fixedPoint.maxSites,
  };
  return { ok: true, setUp: { runId, round, threshold, participants, fixedPoint, settings } };
}

/**
 * Steps 4–5: asks every survivor (masked update arrived) for the shares that remove what is
 * left of the masks — survivors' self-mask seeds, dropped sites' mask keys — and returns the
 * survivors' record-weighted mean update. Fails (SecureAggregationFailure) with fewer than
 * t survivors or answers, or shares that do not rebuild the advertised keys.
 */
export async function unmaskMean(setUp: SecAggSetUp, masked: ReadonlyMap<string, Uint32Array>, peer: (siteId: string) => SecAggPeer | undefined, warn: (line: string) => void): Promise<UnmaskedMean> {
  const { runId, round, threshold } = setUp;
  const survivors = setUp.participants.map((p) => p.siteId).filter((siteId) => masked.has(siteId));
  const dropped = setUp.participants.map((p) => p.siteId).filter((siteId) => !masked.has(siteId));
  if (survivors.length < threshold) {
    throw new SecureAggregationFailure(
      `${tooFew('delivered a masked update', survivors.length, threshold)}: the round cannot be unmasked` + (dropped.length > 0 ? ` (dropped: ${dropped.join(', ')})` : ''),
    );
  }
  const answers = await Promise.all(
    survivors.map(async (siteId): Promise<RevealedShares | null> => {
      try {
        const reply = await ask(peer(siteId), createEnvelope('unmaskRequest', { runId, round, survivors }), (r) => expectBody(r, 'unmaskResponse'));
        return { from: siteId, selfMaskSeedShares: reply.selfMaskSeedShares, maskKeyShares: reply.maskKeyShares };
      } catch (error) {
        warn(`site ${siteId} did not reveal its shares: ${(error as Error).message}`);
        return null;
      }
    }),
  );
  const revealed = answers.filter((a): a is RevealedShares => a !== null);
  if (revealed.length < threshold) throw new SecureAggregationFailure(`${tooFew('revealed their shares', revealed.length, threshold)}: the round cannot be unmasked`);
  const inputs = new Map(survivors.map((siteId) => [siteId, masked.get(siteId)!]));
  try {
    const { sum } = unmaskSum({ context: { runId, round }, threshold, participants: setUp.participants, masked: inputs, revealed });
    const { mean, totalWeight } = decodeWeightedMean(sum, setUp.fixedPoint);
    return { mean, totalWeight, survivors, dropped };
  } catch (error) {
    throw new SecureAggregationFailure(`secure aggregation: ${(error as Error).message}`);
  }
}
