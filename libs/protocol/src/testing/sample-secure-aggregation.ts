import type { SecureAggregationSettings } from '../messages/secure-aggregation-types';
import type { BodyMap } from '../messages/types';
import { FIELD_PRIME } from '../secure-aggregation/prime-field';
import type { SeededRandom } from './seeded-random';

/** Random but valid secure-aggregation bodies (see sample-messages.ts). */

type SecAggKind = 'secAggKeyRequest' | 'secAggKeys' | 'secAggRoster' | 'secAggShares' | 'maskedUpdate' | 'unmaskRequest' | 'unmaskResponse';

function ref(rng: SeededRandom) {
  return { runId: `run-${rng.text(rng.int(1, 12))}`, round: rng.int(0, 500) };
}

function siteIds(rng: SeededRandom, min: number, max: number): string[] {
  return Array.from({ length: rng.int(min, max) }, (_, i) => `site-${i}-${rng.text(4)}`);
}

/** A field element below the prime (66 random bytes reduced). */
function fieldElement(rng: SeededRandom): bigint {
  return BigInt(`0x${Buffer.from(rng.bytes(66)).toString('hex')}`) % FIELD_PRIME;
}

function revealed(rng: SeededRandom, ids: string[]) {
  return ids.map((siteId) => ({ siteId, share: { x: rng.int(1, 20), y: fieldElement(rng) } }));
}

export function sampleSecureAggregationSettings(rng: SeededRandom): SecureAggregationSettings {
  const maskingSet = siteIds(rng, 2, 8);
  return { threshold: rng.int(2, maskingSet.length), maskingSet, clip: 16, scale: 2 ** rng.int(0, 10), maxTotalWeight: rng.int(1, 100_000), maxSites: maskingSet.length + rng.int(0, 5) };
}

export const SECURE_AGGREGATION_SAMPLERS: { [K in SecAggKind]: (rng: SeededRandom) => BodyMap[K] } = {
  secAggKeyRequest: (rng) => ref(rng),
  secAggKeys: (rng) => ({ ...ref(rng), maskPublicKey: rng.bytes(32), sharePublicKey: rng.bytes(32) }),
  secAggRoster: (rng) => {
    const participants = siteIds(rng, 2, 6).map((siteId, i) => ({ siteId, index: i + 1, maskPublicKey: rng.bytes(32), sharePublicKey: rng.bytes(32) }));
    return { ...ref(rng), threshold: rng.int(2, participants.length), participants };
  },
  secAggShares: (rng) => {
    const ids = siteIds(rng, 2, 6);
    return { ...ref(rng), shares: ids.slice(1).map((to) => ({ from: ids[0]!, to, ciphertext: rng.bytes(12 + 132 + 16) })) };
  },
  maskedUpdate: (rng) => {
    const words = new Uint32Array(rng.int(2, 300));
    for (let i = 0; i < words.length; i++) words[i] = rng.int(0, 2 ** 32 - 1);
    const privacy = rng.bool() ? { privacy: { epsilon: rng.uniform(0, 20), delta: 1e-5, steps: rng.int(0, 100_000) } } : {};
    return { ...ref(rng), phase: rng.pick(['autoencoder', 'gan'] as const), metrics: { d_loss: rng.normal(0, 1) }, ...privacy, words };
  },
  unmaskRequest: (rng) => ({ ...ref(rng), survivors: siteIds(rng, 1, 6) }),
  unmaskResponse: (rng) => {
    const ids = siteIds(rng, 1, 6);
    const cut = rng.int(0, ids.length);
    return { ...ref(rng), selfMaskSeedShares: revealed(rng, ids.slice(0, cut)), maskKeyShares: revealed(rng, ids.slice(cut)) };
  },
};
