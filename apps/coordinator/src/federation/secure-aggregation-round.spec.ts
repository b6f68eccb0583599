import { createEnvelope, decodeEnvelope, encodeEnvelope, errorEnvelope, replyTo, type Envelope, type TrainResult, type TrainTask, type WeightSet } from '@fedsynth/protocol';
import { SiteSecureAggregation } from '@fedsynth/site-agent';
import { SecureAggregationFailure, setUpSecureAggregation, unmaskMean, type SecAggPeer } from './secure-aggregation-round';

/** A site's secure-aggregation side behind the real wire codecs (encode → decode both ways). */
function peer(siteId: string, recordCount: number, options: { failKeys?: boolean; dropBox?: boolean } = {}) {
  const site = new SiteSecureAggregation(siteId);
  const answer = (request: Envelope): Envelope => {
    const body = request.body;
    switch (body.kind) {
      case 'secAggKeyRequest':
        if (options.failKeys) return errorEnvelope(new Error('no keys today'), request.messageId);
        return replyTo(request, 'secAggKeys', site.keys(body.value));
      case 'secAggRoster': {
        const shares = site.shares(body.value);
        return replyTo(request, 'secAggShares', options.dropBox ? { ...shares, shares: shares.shares.slice(1) } : shares);
      }
      case 'secAggShares':
        site.receive(body.value);
        return replyTo(request, 'ack', {});
      case 'unmaskRequest':
        return replyTo(request, 'unmaskResponse', site.reveal(body.value));
      default:
        throw new Error(`unexpected ${body.kind}`);
    }
  };
  const wire = (envelope: Envelope) => decodeEnvelope(encodeEnvelope(envelope));
  const p: SecAggPeer & { site: SiteSecureAggregation } = {
    site,
    summary: { recordCount },
    request: async (envelope) => {
      const reply = wire(answer(wire(envelope)));
      if (reply.body.kind === 'error') throw new Error(reply.body.value.reason);
      return reply;
    },
  };
  return p;
}

const global: WeightSet = [{ name: 'w', shape: [4], data: Float32Array.from([0.5, -1, 2, 0]) }];

function trainResult(siteId: number, recordCount: number): TrainResult {
  return { runId: 'r', round: 3, phase: 'gan', recordCount, metrics: {}, weights: [{ name: 'w', shape: [4], data: global[0]!.data.map((v, i) => v + 0.01 * (siteId + 1) * (i - 1.5)) }] };
}

describe('the coordinator side of a secure-aggregation round', () => {
  const warnings: string[] = [];
  const warn = (line: string) => warnings.push(line);
  beforeEach(() => warnings.splice(0));

  it('leaves out a site without keys, masks with the rest, and unmasks the survivors\' weighted mean after a dropout', async () => {
    const counts = { a: 100, b: 300, c: 50, d: 10 };
    const peers = new Map([['a', peer('a', counts.a)], ['b', peer('b', counts.b)], ['c', peer('c', counts.c)], ['d', peer('d', counts.d, { failKeys: true })]]);
    const outcome = await setUpSecureAggregation({ runId: 'r', round: 3, siteIds: ['a', 'b', 'c', 'd'], peer: (id) => peers.get(id), clip: 16, warn });
    if (!outcome.ok) throw new Error(outcome.reason);
    const { setUp } = outcome;
    expect(setUp.settings).toMatchObject({ threshold: 2, maskingSet: ['a', 'b', 'c'], maxTotalWeight: 450, maxSites: 3 });
    expect(warnings).toEqual(['site d left out of secure aggregation (keys): no keys today']);
    // Each site masks its update; c's masked update never arrives.
    const masked = new Map<string, Uint32Array>();
    const results = new Map<string, TrainResult>();
    for (const [i, id] of ['a', 'b', 'c'].entries()) {
      const task = { runId: 'r', round: 3, phase: 'gan', modelFamily: 'medgan', weights: global, options: { localEpochs: 1, batchSize: 1, learningRate: 0.1, seed: 1, extra: {} }, secureAggregation: setUp.settings } as TrainTask;
      peers.get(id)!.site.accept(task, `task-${id}`);
      const result = trainResult(i, counts[id as 'a' | 'b' | 'c']);
      results.set(id, result);
      const { masked: update } = peers.get(id)!.site.mask(task, `task-${id}`, result);
      if (id !== 'c') masked.set(id, update.words);
    }
    const unmasked = await unmaskMean(setUp, masked, (id) => peers.get(id), warn);
    expect(unmasked).toMatchObject({ survivors: ['a', 'b'], dropped: ['c'], totalWeight: 400 });
    for (let j = 0; j < 4; j++) {
      const exact = (100 * (results.get('a')!.weights[0]!.data[j]! - global[0]!.data[j]!) + 300 * (results.get('b')!.weights[0]!.data[j]! - global[0]!.data[j]!)) / 400;
      expect(Math.abs(unmasked.mean[j]! - exact)).toBeLessThan(1e-6);
    }
  });

  it('refuses a threshold of at most half the sites before asking for shares', async () => {
    const four = new Map(['a', 'b', 'c', 'd'].map((id) => [id, peer(id, 10)]));
    expect(await setUpSecureAggregation({ runId: 'r', round: 0, siteIds: ['a', 'b', 'c', 'd'], peer: (id) => four.get(id), threshold: 2, clip: 16, warn })).toEqual({
      ok: false,
      reason: 'secure aggregation: the threshold 2 is not more than half of the 4 sites that sent keys; raise secureAggregation.threshold or leave it to the default',
    });
  });

  it('fails with the reason when fewer than t sites send keys or shares', async () => {
    const few = new Map([['a', peer('a', 10)], ['b', peer('b', 10, { failKeys: true })]]);
    expect(await setUpSecureAggregation({ runId: 'r', round: 0, siteIds: ['a', 'b'], peer: (id) => few.get(id), clip: 16, warn })).toEqual({ ok: false, reason: 'secure aggregation: 1 site sent keys, fewer than the threshold 2' });
    const sloppy = new Map([['a', peer('a', 10)], ['b', peer('b', 10)], ['c', peer('c', 10, { dropBox: true })]]);
    expect(await setUpSecureAggregation({ runId: 'r', round: 0, siteIds: ['a', 'b', 'c'], peer: (id) => sloppy.get(id), threshold: 3, clip: 16, warn })).toEqual({ ok: false, reason: 'secure aggregation: 2 sites shared their secrets, fewer than the threshold 3' });
    expect(warnings).toContain('site c left out of secure aggregation (shares): its shares do not address every other site of the roster exactly once');
  });

  it('refuses to unmask fewer than t masked updates', async () => {
    const peers = new Map([['a', peer('a', 10)], ['b', peer('b', 10)], ['c', peer('c', 10)]]);
    const outcome = await setUpSecureAggregation({ runId: 'r', round: 1, siteIds: ['a', 'b', 'c'], peer: (id) => peers.get(id), threshold: 3, clip: 16, warn });
    if (!outcome.ok) throw new Error(outcome.reason);
    const attempt = unmaskMean(outcome.setUp, new Map([['a', new Uint32Array(5)], ['b', new Uint32Array(5)]]), (id) => peers.get(id), warn);
    await expect(attempt).rejects.toThrow(SecureAggregationFailure);
    await expect(attempt).rejects.toThrow('secure aggregation: 2 sites delivered a masked update, fewer than the threshold 3: the round cannot be unmasked (dropped: c)');
  });
});
