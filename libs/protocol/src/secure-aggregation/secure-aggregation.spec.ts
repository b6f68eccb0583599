import { createFixedPoint, decodeWeightedMean, encodeWeightedUpdate, meanErrorBound, type FixedPointConfig } from './fixed-point';
import { addInto, expandMask, subtractInto } from './mask-prg';
import { interpolate } from './shamir';
import { checkThreshold, type SecureAggregationParticipant } from './roster';
import { SecureAggregationSite, type EncryptedShares, type RevealedShares } from './secure-aggregation-site';
import { unmaskSum } from './unmask-sum';

const context = { runId: 'run-7', round: 2 };

/** A deterministic pseudo-random update in [−1, 1) (xorshift; the values only need to vary). */
function update(length: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  return Float32Array.from({ length }, () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 31 - 1;
  });
}

function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i]! - ma) * (b[i]! - mb);
    saa += (a[i]! - ma) ** 2;
    sbb += (b[i]! - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

/** Sites that have advertised keys and exchanged shares (steps 1–2), all in the masking set. */
function setUpRound(siteIds: string[], threshold: number) {
  const sites = siteIds.map((id) => new SecureAggregationSite(id, context));
  const roster: SecureAggregationParticipant[] = sites.map((site, i) => ({ ...site.publicKeys(), index: i + 1 }));
  const boxes: EncryptedShares[] = sites.flatMap((site) => site.shareSecrets(roster, threshold));
  for (const site of sites) site.receiveShares(boxes.filter((box) => box.to === site.siteId));
  return { sites, roster, boxes };
}

interface Plain {
  values: Float32Array;
  weight: number;
}

/** Steps 3–4 for the given survivors, then the coordinator's unmasking. */
function finishRound(
  setup: ReturnType<typeof setUpRound>,
  threshold: number,
  plain: Plain[],
  config: FixedPointConfig,
  survivorIds: string[],
) {
  const { sites, roster } = setup;
  const maskingSet = sites.map((s) => s.siteId);
  const masked = new Map<string, Uint32Array>();
  sites.forEach((site, i) => {
    // Every site masks; a dropped site's masked input just never reaches the coordinator.
    const input = site.maskUpdate(encodeWeightedUpdate(plain[i]!.values, plain[i]!.weight, config), maskingSet);
    if (survivorIds.includes(site.siteId)) masked.set(site.siteId, input);
  });
  const revealed: RevealedShares[] = sites.filter((s) => survivorIds.includes(s.siteId)).map((s) => s.revealShares(survivorIds));
  return { ...unmaskSum({ context, threshold, participants: roster, masked, revealed }), masked, revealed };
}

describe('secure aggregation round', () => {
  const ids = ['hospital-a', 'hospital-b', 'hospital-c', 'hospital-d', 'hospital-e'];
  const length = 20_000;
  const plain: Plain[] = ids.map((_, i) => ({ values: update(length, 11 + i), weight: [1200, 350, 4100, 800, 2550][i]! }));
  const config = createFixedPoint({ clip: 1, maxTotalWeight: 50_000, maxSites: 20 });

  /** The exact sum of the encoded updates of the given sites: what unmasking must return. */
  function plainEncodedSum(which: number[]): Uint32Array {
    const sum = new Uint32Array(length + 1);
    for (const i of which) addInto(sum, encodeWeightedUpdate(plain[i]!.values, plain[i]!.weight, config));
    return sum;
  }

  it('gives the record-weighted mean of all sites within the quantisation error', () => {
    const setup = setUpRound(ids, 3);
    const { sum, dropped } = finishRound(setup, 3, plain, config, ids);
    expect(dropped).toEqual([]);
    expect(sum).toEqual(plainEncodedSum([0, 1, 2, 3, 4])); // masks cancel exactly
    const { mean, totalWeight } = decodeWeightedMean(sum, config);
    const W = plain.reduce((acc, p) => acc + p.weight, 0);
    expect(totalWeight).toBe(W);
    const bound = meanErrorBound(config, ids.length, W);
    expect(bound).toBeLessThan(1e-6);
    for (let j = 0; j < length; j++) {
      const exact = plain.reduce((acc, p) => acc + p.weight * p.values[j]!, 0) / W;
      expect(Math.abs(mean[j]! - exact)).toBeLessThanOrEqual(bound + Math.abs(exact) * 2 ** -24);
    }
  });

  it('hides each update: a masked input alone is uncorrelated with the update and uniform', () => {
    const n = 100_000;
    const setup = setUpRound(['s1', 's2', 's3'], 2);
    const values = update(n, 99);
    const masked = setup.sites[0]!.maskUpdate(encodeWeightedUpdate(values, 1000, config), ['s1', 's2', 's3']);
    // Read the words as the coordinator would decode them (signed, scaled).
    const asSigned = Float64Array.from(masked.subarray(0, n), (w) => w | 0);
    const r = pearson(asSigned, values);
    // Under independence r ~ N(0, 1/√n) = N(0, 0.0032); 0.02 is 6 standard deviations.
    expect(Math.abs(r)).toBeLessThan(0.02);
    // The unmasked encoding is, of course, perfectly correlated with the update.
    const encoded = encodeWeightedUpdate(values, 1000, config);
    expect(pearson(Float64Array.from(encoded.subarray(0, n), (w) => w | 0), values)).toBeGreaterThan(0.999);
    // And the words are uniform: χ² of the top byte, 255 degrees of freedom.
    const counts = new Array<number>(256).fill(0);
    for (let i = 0; i < n; i++) counts[masked[i]! >>> 24]!++;
    const expected = n / 256;
    expect(counts.reduce((acc, c) => acc + (c - expected) ** 2 / expected, 0)).toBeLessThan(372);
    // Even the weight word is masked.
    expect(masked[n]).not.toBe(1000);
  });

  it('recovers the survivors’ exact sum when one site drops after masking', () => {
    const setup = setUpRound(ids, 3);
    const survivors = ['hospital-a', 'hospital-b', 'hospital-d', 'hospital-e']; // c drops
    const { sum, dropped, revealed } = finishRound(setup, 3, plain, config, survivors);
    expect(dropped).toEqual(['hospital-c']);
    expect(sum).toEqual(plainEncodedSum([0, 1, 3, 4]));
    // Survivors revealed self-mask seed shares of survivors and the mask key share of c only.
    for (const answer of revealed) {
      expect(answer.selfMaskSeedShares.map((s) => s.siteId).sort()).toEqual([...survivors].sort());
      expect(answer.maskKeyShares.map((s) => s.siteId)).toEqual(['hospital-c']);
    }
    const { totalWeight } = decodeWeightedMean(sum, config);
    expect(totalWeight).toBe(1200 + 350 + 800 + 2550);
  });

  it('recovers the sum with two dropouts as long as t survive', () => {
    const setup = setUpRound(ids, 3);
    const { sum, dropped } = finishRound(setup, 3, plain, config, ['hospital-b', 'hospital-c', 'hospital-e']);
    expect(dropped).toEqual(['hospital-a', 'hospital-d']);
    expect(sum).toEqual(plainEncodedSum([1, 2, 4]));
  });

  it('fails cleanly when fewer than t sites survive', () => {
    const setup = setUpRound(ids, 3);
    const maskingSet = [...ids];
    const masked = new Map<string, Uint32Array>();
    setup.sites.forEach((site, i) => {
      const input = site.maskUpdate(encodeWeightedUpdate(plain[i]!.values, plain[i]!.weight, config), maskingSet);
      if (i < 2) masked.set(site.siteId, input);
    });
    const survivors = ['hospital-a', 'hospital-b'];
    expect(() => setup.sites[0]!.revealShares(survivors)).toThrow(
      expect.objectContaining({ code: 'TOO_FEW_SURVIVORS', message: '2 survivors, fewer than the threshold 3: the round cannot be unmasked' }),
    );
    expect(() => unmaskSum({ context, threshold: 3, participants: setup.roster, masked, revealed: [] })).toThrow(
      expect.objectContaining({ code: 'TOO_FEW_SURVIVORS' }),
    );
  });

  describe('a coordinator trying to unmask a single site', () => {
    it('cannot with fewer than t shares of its secrets', () => {
      const setup = setUpRound(ids, 3);
      const maskingSet = [...ids];
      const target = setup.sites[0]!;
      const targetMasked = target.maskUpdate(encodeWeightedUpdate(plain[0]!.values, plain[0]!.weight, config), maskingSet);
      setup.sites.slice(1).forEach((site, i) => site.maskUpdate(encodeWeightedUpdate(plain[i + 1]!.values, plain[i + 1]!.weight, config), maskingSet));
      // It pretends the round had survivors a, b, c (so b and c reveal a's self-mask seed
      // share) — that is 2 shares of a's seed, one short of t = 3, and no share of a's
      // mask key at all, since a counts as a survivor.
      const survivors = ['hospital-a', 'hospital-b', 'hospital-c'];
      const revealed = [setup.sites[1]!.revealShares(survivors), setup.sites[2]!.revealShares(survivors)];
      expect(revealed.flatMap((r) => r.maskKeyShares.map((s) => s.siteId))).not.toContain('hospital-a');
      const masked = new Map([
        ['hospital-a', targetMasked],
        ['hospital-b', new Uint32Array(targetMasked.length)],
        ['hospital-c', new Uint32Array(targetMasked.length)],
      ]);
      expect(() => unmaskSum({ context, threshold: 3, participants: setup.roster, masked, revealed })).toThrow(
        expect.objectContaining({ code: 'TOO_FEW_SHARES', message: "2 shares of the self-mask seed of 'hospital-a', fewer than the threshold 3" }),
      );
      // Going around the check: interpolating the 2 shares anyway yields a wrong seed, and
      // removing that "self mask" leaves a's input as uncorrelated with its update as before.
      const seedShares = revealed.map((r) => r.selfMaskSeedShares.find((s) => s.siteId === 'hospital-a')!.share);
      const guess = interpolate(seedShares, 0);
      const guessedSeed = Uint8Array.from({ length: 32 }, (_, i) => Number((guess >> BigInt(8 * (31 - i))) & 0xffn));
      const attempt = subtractInto(Uint32Array.from(targetMasked), expandMask(guessedSeed, targetMasked.length));
      const values = plain[0]!.values;
      expect(Math.abs(pearson(Float64Array.from(attempt.subarray(0, length), (w) => w | 0), values))).toBeLessThan(0.04);
    });

    it('cannot get both the self-mask seed and the mask key of one site from an honest site', () => {
      const setup = setUpRound(ids, 3);
      const maskingSet = [...ids];
      setup.sites.forEach((site, i) => site.maskUpdate(encodeWeightedUpdate(plain[i]!.values, plain[i]!.weight, config), maskingSet));
      const first = setup.sites[1]!.revealShares(['hospital-a', 'hospital-b', 'hospital-c', 'hospital-d']);
      expect(first.selfMaskSeedShares.map((s) => s.siteId)).toContain('hospital-a');
      // Asking again with a declared dropped is refused: the two answers together would
      // hold a's seed share and a's key share.
      expect(() => setup.sites[1]!.revealShares(['hospital-b', 'hospital-c', 'hospital-d'])).toThrow(
        expect.objectContaining({ code: 'REFUSED_TO_REVEAL' }),
      );
      // A site not listed among the survivors does not answer at all.
      expect(() => setup.sites[4]!.revealShares(['hospital-a', 'hospital-b', 'hospital-c'])).toThrow(
        expect.objectContaining({ code: 'REFUSED_TO_REVEAL' }),
      );
    });

    it('rebuilds a wrong key from a forged share and says so', () => {
      const setup = setUpRound(ids, 3);
      const survivors = ['hospital-a', 'hospital-b', 'hospital-d', 'hospital-e'];
      const maskingSet = [...ids];
      const masked = new Map<string, Uint32Array>();
      setup.sites.forEach((site, i) => {
        const input = site.maskUpdate(encodeWeightedUpdate(plain[i]!.values, plain[i]!.weight, config), maskingSet);
        if (survivors.includes(site.siteId)) masked.set(site.siteId, input);
      });
      const revealed = setup.sites.filter((s) => survivors.includes(s.siteId)).map((s) => s.revealShares(survivors));
      // Only t of the answers, one of them with a corrupted share of c's mask key.
      const forged = revealed.slice(0, 3).map((answer, i) =>
        i === 0 ? { ...answer, maskKeyShares: answer.maskKeyShares.map((s) => ({ ...s, share: { ...s.share, y: s.share.y + 1n } })) } : answer,
      );
      expect(() => unmaskSum({ context, threshold: 3, participants: setup.roster, masked, revealed: forged })).toThrow(
        expect.objectContaining({ code: 'BAD_SHARE' }),
      );
    });
  });

  describe('share exchange', () => {
    it('refuses tampered, foreign or misaddressed boxes', () => {
      const sites = ['x', 'y', 'z'].map((id) => new SecureAggregationSite(id, context));
      const roster = sites.map((site, i) => ({ ...site.publicKeys(), index: i + 1 }));
      const boxes = sites.flatMap((site) => site.shareSecrets(roster, 2));
      const [x, y] = sites as [SecureAggregationSite, SecureAggregationSite];
      const box = boxes.find((b) => b.from === 'y' && b.to === 'x')!;
      const tampered = { ...box, ciphertext: Uint8Array.from(box.ciphertext, (b, i) => (i === 20 ? b ^ 1 : b)) };
      expect(() => x.receiveShares([tampered])).toThrow(
        expect.objectContaining({ code: 'BAD_SHARE', message: "the encrypted shares from 'y' do not authenticate (tampered or not for this site)" }),
      );
      // Relabelled as coming from z: the associated data no longer matches.
      expect(() => x.receiveShares([{ ...box, from: 'z' }])).toThrow(expect.objectContaining({ code: 'BAD_SHARE' }));
      expect(() => y.receiveShares([box])).toThrow("shares addressed to 'x' reached site 'y'");
      x.receiveShares([box]); // the genuine box still opens
      expect(() => x.receiveShares([box])).toThrow("shares from 'y' arrived twice");
      // A box for an earlier 'x' (other keys, e.g. a restarted site) does not open.
      const restarted = new SecureAggregationSite('x', context);
      restarted.shareSecrets([{ ...restarted.publicKeys(), index: 1 }, roster[1]!, roster[2]!], 2);
      expect(() => restarted.receiveShares([box])).toThrow(expect.objectContaining({ code: 'BAD_SHARE' }));
    });

    it('checks the roster and the masking set', () => {
      const site = new SecureAggregationSite('a', context);
      const other = new SecureAggregationSite('b', context);
      const roster = [
        { ...site.publicKeys(), index: 1 },
        { ...other.publicKeys(), index: 2 },
      ];
      expect(() => site.shareSecrets(roster, 1)).toThrow('threshold must be an integer in [2, 2] (more than half of the 2 sites, at least 2), got 1');
      // t ≤ n/2 would let two disjoint survivor sets (a lying coordinator's) each unmask.
      expect(() => checkThreshold(2, 4)).toThrow('threshold must be an integer in [3, 4]');
      expect(() => checkThreshold(3, 4)).not.toThrow();
      expect(() => site.shareSecrets([{ ...roster[0]!, maskPublicKey: other.publicKeys().maskPublicKey }, roster[1]!], 2)).toThrow(
        "the roster does not carry site 'a' with the keys it advertised",
      );
      expect(() => site.shareSecrets([roster[0]!, { ...roster[1]!, index: 1 }], 2)).toThrow('index 1 is used by two sites');
      site.shareSecrets(roster, 2);
      expect(() => site.maskUpdate(new Uint32Array(3), ['a', 'b'])).toThrow(
        "site 'b' is in the masking set but its shares never arrived here",
      );
    });

    it('masks only once per round', () => {
      const setup = setUpRound(['p', 'q'], 2);
      setup.sites[0]!.maskUpdate(new Uint32Array(4), ['p', 'q']);
      expect(() => setup.sites[0]!.maskUpdate(new Uint32Array(4), ['p', 'q'])).toThrow(
        'maskUpdate runs once per round (two masked inputs would reveal their difference)',
      );
    });
  });
});
