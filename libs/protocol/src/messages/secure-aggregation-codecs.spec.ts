import { decodeEnvelope } from '../envelope/decode-envelope';
import { encodeEnvelope } from '../envelope/encode-envelope';
import { createEnvelope } from '../envelope/create-envelope';
import { SecureAggregationSite } from '../secure-aggregation/secure-aggregation-site';
import type { BodyKind, BodyMap } from './types';

function roundTrip<K extends BodyKind>(kind: K, value: BodyMap[K]): BodyMap[K] {
  const decoded = decodeEnvelope(encodeEnvelope(createEnvelope(kind, value)));
  expect(decoded.body.kind).toBe(kind);
  return decoded.body.value as BodyMap[K];
}

function refusal<K extends BodyKind>(kind: K, value: BodyMap[K]): string {
  try {
    encodeEnvelope(createEnvelope(kind, value));
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`${kind} was encoded`);
}

const ref = { runId: 'run-1', round: 4 };

describe('secure-aggregation messages on the wire', () => {
  it('carry a real round: keys, roster, sealed shares and revealed shares survive the wire', () => {
    const ids = ['site-a', 'site-b', 'site-c'];
    const sites = ids.map((id) => new SecureAggregationSite(id, ref));
    const keys = sites.map((s) => roundTrip('secAggKeys', { ...ref, maskPublicKey: s.publicKeys().maskPublicKey, sharePublicKey: s.publicKeys().sharePublicKey }));
    const roster = roundTrip('secAggRoster', { ...ref, threshold: 2, participants: keys.map((k, i) => ({ siteId: ids[i]!, index: i + 1, maskPublicKey: k.maskPublicKey, sharePublicKey: k.sharePublicKey })) });
    const boxes = sites.flatMap((s) => roundTrip('secAggShares', { ...ref, shares: s.shareSecrets(roster.participants, roster.threshold) }).shares);
    for (const site of sites) site.receiveShares(roundTrip('secAggShares', { ...ref, shares: boxes.filter((b) => b.to === site.siteId) }).shares);
    const words = sites[0]!.maskUpdate(Uint32Array.from([1, 2, 3, 4]), ids);
    expect(roundTrip('maskedUpdate', { ...ref, phase: 'gan', metrics: {}, words }).words).toEqual(words);
    const request = roundTrip('unmaskRequest', { ...ref, survivors: ['site-a', 'site-b'] });
    const revealed = sites[0]!.revealShares(request.survivors);
    const response = roundTrip('unmaskResponse', { ...ref, selfMaskSeedShares: [...revealed.selfMaskSeedShares], maskKeyShares: [...revealed.maskKeyShares] });
    expect(response.selfMaskSeedShares).toEqual(revealed.selfMaskSeedShares);
    expect(response.maskKeyShares).toEqual(revealed.maskKeyShares);
  });

  it('sends a model-sized masked update as payload, not structure (890,801 words)', () => {
    const words = new Uint32Array(890_801);
    for (let i = 0; i < words.length; i++) words[i] = (i * 2654435761) >>> 0;
    const decoded = roundTrip('maskedUpdate', { ...ref, phase: 'autoencoder', metrics: { loss: 0.5 }, words });
    expect(decoded.words).toHaveLength(words.length);
    // Byte comparison: jest's deep equality over 890k elements takes seconds.
    expect(Buffer.compare(Buffer.from(decoded.words.buffer, decoded.words.byteOffset, decoded.words.byteLength), Buffer.from(words.buffer))).toBe(0);
  });

  it('carries Hello capabilities and TrainTask secure-aggregation settings', () => {
    expect(roundTrip('hello', { siteId: 's', agentVersion: '1', acceptedDtypes: [], capabilities: ['secagg-v1'] }).capabilities).toEqual(['secagg-v1']);
    expect(roundTrip('hello', { siteId: 's', agentVersion: '1', acceptedDtypes: [] }).capabilities).toBeUndefined();
  });

  it.each<[string, () => string, string]>([
    ['a short key', () => refusal('secAggKeys', { ...ref, maskPublicKey: new Uint8Array(31), sharePublicKey: new Uint8Array(32) }), 'secAggKeys.maskPublicKey: 31 bytes, expected 32'],
    ['a threshold above the roster', () => refusal('secAggRoster', { ...ref, threshold: 3, participants: [1, 2].map((i) => ({ siteId: `s${i}`, index: i, maskPublicKey: new Uint8Array(32), sharePublicKey: new Uint8Array(32) })) }), 'secAggRoster.threshold: threshold 3 exceeds the 2 participants'],
    ['a threshold of 1', () => refusal('secAggRoster', { ...ref, threshold: 1, participants: [1, 2].map((i) => ({ siteId: `s${i}`, index: i, maskPublicKey: new Uint8Array(32), sharePublicKey: new Uint8Array(32) })) }), 'secAggRoster.threshold: must be ≥ 2'],
    ['a roster index used twice', () => refusal('secAggRoster', { ...ref, threshold: 2, participants: ['a', 'b'].map((siteId) => ({ siteId, index: 1, maskPublicKey: new Uint8Array(32), sharePublicKey: new Uint8Array(32) })) }), 'secAggRoster.participants: a site id or index appears twice'],
    ['shares sealed for their sender', () => refusal('secAggShares', { ...ref, shares: [{ from: 'a', to: 'a', ciphertext: new Uint8Array(160) }] }), 'secAggShares.shares[0]: shares addressed to their own sender'],
    ['a wrong-size sealed box', () => refusal('secAggShares', { ...ref, shares: [{ from: 'a', to: 'b', ciphertext: new Uint8Array(10) }] }), 'secAggShares.shares[0].ciphertext: 10 bytes, expected 160'],
    ['a masked update of one word', () => refusal('maskedUpdate', { ...ref, phase: 'gan', metrics: {}, words: new Uint32Array(1) }), 'maskedUpdate.words: 4 bytes; at least 2 words needed'],
    ['both shares of one site', () => {
      try {
        const share = { x: 1, y: 5n };
        decodeEnvelope(encodeEnvelope(createEnvelope('unmaskResponse', { ...ref, selfMaskSeedShares: [{ siteId: 'a', share }], maskKeyShares: [{ siteId: 'a', share }] })));
      } catch (error) {
        return (error as Error).message;
      }
      return 'decoded';
    }, "unmaskResponse: reveals both the self-mask seed and the mask key of 'a'"],
    ['settings whose sum could wrap', () => refusal('trainTask', { ...ref, phase: 'gan', modelFamily: 'medgan', weights: [], options: { localEpochs: 1, batchSize: 1, learningRate: 0.1, seed: 1, extra: {} }, secureAggregation: { threshold: 2, maskingSet: ['a', 'b'], clip: 16, scale: 2 ** 20, maxTotalWeight: 1000, maxSites: 2 } }), 'trainTask.secureAggregation: maxTotalWeight × clip × scale + maxSites exceeds 2^31 − 1: the masked sum could wrap around'],
    ['a threshold above the masking set', () => refusal('trainTask', { ...ref, phase: 'gan', modelFamily: 'medgan', weights: [], options: { localEpochs: 1, batchSize: 1, learningRate: 0.1, seed: 1, extra: {} }, secureAggregation: { threshold: 3, maskingSet: ['a', 'b'], clip: 1, scale: 1, maxTotalWeight: 1000, maxSites: 2 } }), 'trainTask.secureAggregation.threshold: threshold 3 exceeds the masking set of 2'],
  ])('refuses %s, naming the field', (_, attempt, message) => {
    expect(attempt()).toContain(message);
  });
});
