/**
 * `npm run bench:privacy` (second part): what secure aggregation (Bonawitz et al. 2017, as
 * the coordinator and site agents run it) adds to a federated round, for 3 and 20 sites with
 * medGAN-sized updates (the real medGAN layout for 1,071 codes: 890,800 parameters).
 *
 * In process, no network: the protocol's own computations, timed with the same library
 * code the apps call. Per round:
 *   keys     one site: two fresh X25519 key pairs
 *   shares   one site: Shamir-split its two secrets for the n − 1 others and seal them
 *            (AES-GCM), then open the n − 1 boxes it receives
 *   mask     one site: update (trained − global) → record-weighted fixed point → self mask
 *            + n − 1 pairwise ChaCha20 masks, 890,801 words mod 2^32
 *   unmask   the coordinator: sum the masked updates, rebuild t-of-n secrets from the
 *            revealed shares, remove the masks, decode, new global weights, validate the
 *            aggregate (the survivors' share reveal is included); "1 dropped" also rebuilds
 *            the dropped site's key and re-expands its n − 1 pairwise masks
 * against the plain FedAvg step it replaces at the coordinator: validate each of the n
 * updates, then FedAvg.aggregateTrain. Sites work in parallel, so the round's extra wall
 * time is about keys + shares + mask (one site) + unmask − plain. Local training (seconds
 * to minutes per round) and the transfers are not included; the masked update is as large
 * as a float32 update (4 bytes per parameter), and the shares add (n − 1) × 160 bytes per
 * site.
 *
 *   node apps/coordinator/dist/bench/secagg.bench.js [--sites 3,20] [--repeats 3] [--json]
 */
import { createModel, getWeights } from '@fedsynth/gan';
import {
  applyUpdate,
  createFixedPoint,
  decodeWeightedMean,
  encodeWeightedUpdate,
  flattenUpdate,
  SecureAggregationSite,
  unmaskSum,
  type EncryptedShares,
  type SecureAggregationParticipant,
  type WeightSet,
} from '@fedsynth/protocol';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { defaultSecAggThreshold, DEFAULT_SECAGG_CLIP } from '../federation/run-secure-aggregation-options';
import { FedAvg } from '../strategies/fed-avg.strategy';
import { validateUpdate } from '../updates/validate-update';
import { median } from './round-overhead';

const VOCABULARY = 1071;
const RECORDS_PER_SITE = 2000;

interface Timings {
  sites: number;
  threshold: number;
  parameters: number;
  plainMs: number;
  keysMs: number;
  sharesMs: number;
  maskMs: number;
  unmaskMs: number;
  unmaskDroppedMs: number;
  extraMs: number;
}

function time<T>(work: () => T): [T, number] {
  const started = performance.now();
  const out = work();
  return [out, performance.now() - started];
}

/** A site's trained weights: the global ones moved by a small deterministic step. */
function trained(global: WeightSet, site: number): WeightSet {
  return global.map((t) => ({ name: t.name, shape: [...t.shape], data: t.data.map((v, i) => v + 1e-3 * Math.sin(i * 0.37 + site)) }));
}

type RoundTimings = Pick<Timings, 'sites' | 'threshold' | 'plainMs' | 'keysMs' | 'sharesMs' | 'maskMs' | 'unmaskMs'>;

function oneRound(global: WeightSet, updates: WeightSet[], n: number): RoundTimings {
  const context = { runId: 'bench', round: 1 };
  const ids = Array.from({ length: n }, (_, i) => `site-${String(i).padStart(2, '0')}`);
  const threshold = defaultSecAggThreshold(n);
  const config = createFixedPoint({ clip: DEFAULT_SECAGG_CLIP, maxTotalWeight: n * RECORDS_PER_SITE, maxSites: n });
  const maxRelativeNorm = 4;

  // Plain FedAvg at the coordinator: each update validated, then the weighted mean.
  const [, plainMs] = time(() => {
    for (const weights of updates) validateUpdate(weights, global, { maxRelativeNorm });
    new FedAvg().aggregateTrain({ round: 1, results: updates.map((weights, i) => ({ siteId: ids[i]!, recordCount: RECORDS_PER_SITE, weights, metrics: {} })), failures: [], globalWeights: global });
  });

  const keyTimes: number[] = [];
  const sites = ids.map((id) => {
    const [site, ms] = time(() => {
      const s = new SecureAggregationSite(id, context);
      s.publicKeys();
      return s;
    });
    keyTimes.push(ms);
    return site;
  });
  const roster: SecureAggregationParticipant[] = sites.map((s, i) => ({ ...s.publicKeys(), index: i + 1 }));
  const shareTimes: number[] = [];
  const boxes: EncryptedShares[] = [];
  sites.forEach((s, i) => {
    const [made, ms] = time(() => s.shareSecrets(roster, threshold));
    boxes.push(...made);
    shareTimes[i] = ms;
  });
  sites.forEach((s, i) => {
    const [, ms] = time(() => s.receiveShares(boxes.filter((b) => b.to === s.siteId)));
    shareTimes[i]! += ms;
  });
  const maskTimes: number[] = [];
  const masked = new Map<string, Uint32Array>();
  sites.forEach((s, i) => {
    const [words, ms] = time(() => s.maskUpdate(encodeWeightedUpdate(flattenUpdate(updates[i]!, global), RECORDS_PER_SITE, config), ids));
    masked.set(s.siteId, words);
    maskTimes.push(ms);
  });

  // Revealing runs once per site and round: the dropout case (droppedRound) has sites of its own.
  const unmask = (survivorIds: string[]) =>
    time(() => {
      const alive = new Map(survivorIds.map((id) => [id, masked.get(id)!]));
      const revealed = sites.filter((s) => alive.has(s.siteId)).map((s) => s.revealShares(survivorIds));
      const { sum } = unmaskSum({ context, threshold, participants: roster, masked: alive, revealed });
      const { mean } = decodeWeightedMean(sum, config);
      const weights = applyUpdate(global, mean);
      validateUpdate(weights, global, { maxRelativeNorm });
      return weights;
    })[1];
  const unmaskMs = unmask(ids);
  return { sites: n, threshold, plainMs, keysMs: median(keyTimes), sharesMs: median(shareTimes), maskMs: median(maskTimes), unmaskMs };
}

/** The same round with the last site dropping after masking (fresh sites: revealing runs once). */
function droppedRound(global: WeightSet, updates: WeightSet[], n: number): number {
  const context = { runId: 'bench', round: 2 };
  const ids = Array.from({ length: n }, (_, i) => `site-${String(i).padStart(2, '0')}`);
  const threshold = defaultSecAggThreshold(n);
  const config = createFixedPoint({ clip: DEFAULT_SECAGG_CLIP, maxTotalWeight: n * RECORDS_PER_SITE, maxSites: n });
  const sites = ids.map((id) => new SecureAggregationSite(id, context));
  const roster: SecureAggregationParticipant[] = sites.map((s, i) => ({ ...s.publicKeys(), index: i + 1 }));
  const boxes = sites.flatMap((s) => s.shareSecrets(roster, threshold));
  for (const s of sites) s.receiveShares(boxes.filter((b) => b.to === s.siteId));
  const masked = new Map(sites.map((s, i) => [s.siteId, s.maskUpdate(encodeWeightedUpdate(flattenUpdate(updates[i]!, global), RECORDS_PER_SITE, config), ids)]));
  const survivorIds = ids.slice(0, -1);
  return time(() => {
    const alive = new Map(survivorIds.map((id) => [id, masked.get(id)!]));
    const revealed = sites.filter((s) => alive.has(s.siteId)).map((s) => s.revealShares(survivorIds));
    const { sum } = unmaskSum({ context, threshold, participants: roster, masked: alive, revealed });
    const weights = applyUpdate(global, decodeWeightedMean(sum, config).mean);
    validateUpdate(weights, global, { maxRelativeNorm: 4 });
  })[1];
}

function main(): void {
  const { values } = parseArgs({ options: { sites: { type: 'string', default: '3,20' }, repeats: { type: 'string', default: '3' }, json: { type: 'boolean', default: false } } });
  const siteCounts = values.sites.split(',').map((s) => Number(s));
  const repeats = Number(values.repeats);
  if (siteCounts.some((n) => !Number.isInteger(n) || n < 2) || !Number.isInteger(repeats) || repeats < 1) {
    throw new Error(`--sites takes whole numbers ≥ 2 (got ${values.sites}) and --repeats a whole number ≥ 1 (got ${values.repeats})`);
  }
  const model = createModel('medgan', { vocabularySize: VOCABULARY, initSeed: 1 });
  const global: WeightSet = getWeights(model).map((w) => ({ name: w.name, shape: [...w.shape], data: w.values }));
  model.dispose();
  const parameters = global.reduce((n, t) => n + t.data.length, 0);
  const results: Timings[] = [];
  for (const n of siteCounts) {
    const updates = Array.from({ length: n }, (_, i) => trained(global, i));
    const rounds = Array.from({ length: repeats }, () => oneRound(global, updates, n));
    const dropped = Array.from({ length: repeats }, () => droppedRound(global, updates, n));
    const pick = (key: 'plainMs' | 'keysMs' | 'sharesMs' | 'maskMs' | 'unmaskMs') => median(rounds.map((r) => r[key]));
    const t: Timings = {
      sites: n,
      threshold: rounds[0]!.threshold,
      parameters,
      plainMs: pick('plainMs'),
      keysMs: pick('keysMs'),
      sharesMs: pick('sharesMs'),
      maskMs: pick('maskMs'),
      unmaskMs: pick('unmaskMs'),
      unmaskDroppedMs: median(dropped),
      extraMs: 0,
    };
    t.extraMs = t.keysMs + t.sharesMs + t.maskMs + t.unmaskMs - t.plainMs;
    results.push(t);
  }
  if (values.json) {
    process.stdout.write(JSON.stringify({ cpus: cpus().length, repeats, results }, null, 2) + '\n');
    return;
  }
  const ms = (v: number) => `${v.toFixed(v < 10 ? 1 : 0)} ms`.padStart(10);
  process.stdout.write(`secure aggregation overhead per round, medGAN ${VOCABULARY} codes (${parameters.toLocaleString('en')} parameters), in process, ${cpus().length} CPUs, median of ${repeats}\n`);
  process.stdout.write('per site (sites run in parallel): keys, shares (split+seal+open), mask; at the coordinator: unmask (incl. reveal) vs plain FedAvg (validate n updates + mean)\n');
  process.stdout.write(`${'sites'.padEnd(6)}${'t'.padStart(4)}${'keys'.padStart(10)}${'shares'.padStart(10)}${'mask'.padStart(10)}${'unmask'.padStart(10)}${'1 dropped'.padStart(10)}${'plain'.padStart(10)}${'extra/round'.padStart(12)}\n`);
  for (const t of results) {
    process.stdout.write(`${String(t.sites).padEnd(6)}${String(t.threshold).padStart(4)}${ms(t.keysMs)}${ms(t.sharesMs)}${ms(t.maskMs)}${ms(t.unmaskMs)}${ms(t.unmaskDroppedMs)}${ms(t.plainMs)}${ms(t.extraMs).padStart(12)}\n`);
  }
  process.stdout.write('extra/round = keys + shares + mask (one site) + unmask − plain: the wall time secure aggregation adds to a round, besides transfer (masked update: 4 bytes/parameter, as float32).\n');
}

main();
