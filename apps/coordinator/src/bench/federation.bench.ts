/**
 * `npm run bench:federation`: what a federated round costs beyond the training itself. A real
 * coordinator (this process: Nest, Socket.IO, SQLite, checkpoints) and three real site agents,
 * each in a process of its own, run medGAN rounds on a simulated cohort. Per round:
 *
 *   overhead = (round wall time − slowest site's local training time) / round wall time
 *
 * with the round's wall time from the coordinator's store (opened → checkpoint recorded) and
 * each site's local training time from its own TrainResult (metric `localTrainMs`). Then the
 * aggregation throughput of FedAvg and FedAdam (parameters × sites per second) on the run's
 * real weight layout.
 *
 *   node apps/coordinator/dist/bench/federation.bench.js [--out DIR] [--patients 27500]
 *       [--codes 1071] [--skew 0.5] [--ae-rounds 1] [--gan-rounds 5] [--local-epochs N]
 *       [--batch-size N] [--min-code-count 1] [--repeats 10] [--json]
 *
 * Local epochs, batch size and learning rate default to the coordinator's run defaults. The
 * vocabulary takes every whole code some site holds (k = 1), so the model has all the
 * simulated codes it can (1,071 at the default size).
 */
import { createRng, initBackend } from '@fedsynth/gan';
import type { WeightSet } from '@fedsynth/protocol';
import { LOCAL_TRAIN_MS_METRIC } from '@fedsynth/site-agent';
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { checkRunOptions, DEFAULT_RUN_OPTIONS } from '../federation/run-options';
import type { PhasePlan } from '../rounds/run-plan';
import { createStrategy } from '../strategies/create-strategy';
import type { SiteTrainResult } from '../strategies/strategy';
import { timeAggregation, type AggregationTiming } from './aggregation-throughput';
import { simulateSites } from './experiment-cohort';
import { FederationHarness } from './federation-harness';
import { median, roundOverhead, type RoundOverhead } from './round-overhead';

const SITE_PROCESS = join(__dirname, 'site-process.js');

function wholeNumber(name: string, raw: string, min: number): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || n < min) throw new Error(`--${name} must be a whole number ≥ ${min}, got '${raw}'`);
  return n;
}

function parse() {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: '/tmp/fedsynth-federation-bench' },
      patients: { type: 'string', default: '27500' },
      codes: { type: 'string', default: '1071' },
      skew: { type: 'string', default: '0.5' },
      'ae-rounds': { type: 'string', default: '1' },
      'gan-rounds': { type: 'string', default: '5' },
      'local-epochs': { type: 'string', default: String(DEFAULT_RUN_OPTIONS.train.localEpochs) },
      'batch-size': { type: 'string', default: String(DEFAULT_RUN_OPTIONS.train.batchSize) },
      'min-code-count': { type: 'string', default: '1' },
      repeats: { type: 'string', default: '10' },
      json: { type: 'boolean', default: false },
    },
  });
  const skew = Number(values.skew);
  if (!(skew >= 0 && skew <= 1)) throw new Error(`--skew must be a number from 0 to 1, got '${values.skew}'`);
  return {
    out: values.out,
    patients: wholeNumber('patients', values.patients, 3),
    codes: wholeNumber('codes', values.codes, 2),
    skew,
    aeRounds: wholeNumber('ae-rounds', values['ae-rounds'], 0),
    ganRounds: wholeNumber('gan-rounds', values['gan-rounds'], 1),
    localEpochs: wholeNumber('local-epochs', values['local-epochs'], 1),
    batchSize: wholeNumber('batch-size', values['batch-size'], 1),
    minCodeCount: wholeNumber('min-code-count', values['min-code-count'], 1),
    repeats: wholeNumber('repeats', values.repeats, 1),
    json: values.json === true,
  };
}

/** Starts one site agent process; its progress lines go to a log file beside the results. */
function startSite(input: { url: string; siteId: string; token: string; dir: string; minCodeCount: number; logPath: string }): ChildProcess {
  const logFd = openSync(input.logPath, 'w');
  return spawn(process.execPath, [SITE_PROCESS, '--url', input.url, '--site', input.siteId, '--input', input.dir, '--code-level', 'full', '--min-code-count', String(input.minCodeCount)], {
    env: { ...process.env, FEDSYNTH_SITE_TOKEN: input.token },
    stdio: ['ignore', logFd, logFd],
  });
}

/** SIGTERM (the agent disconnects cleanly), then SIGKILL if it has not exited within 10 s. */
async function stopSite(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Site updates for the throughput measurement: the run's final weights, each element nudged by seeded noise. */
function siteUpdates(global: WeightSet, recordCounts: readonly number[]): SiteTrainResult[] {
  return recordCounts.map((recordCount, k) => {
    const rng = createRng(1000 + k);
    return {
      siteId: `site-${k + 1}`,
      recordCount,
      // One epoch's batches of 50 (FedNova's τ; the other strategies ignore it).
      localSteps: Math.max(1, Math.ceil(recordCount / 50)),
      metrics: {},
      weights: global.map((t) => ({ name: t.name, shape: [...t.shape], data: t.data.map((v) => v + 0.01 * rng.normal()) })),
    };
  });
}

async function main(): Promise<void> {
  const args = parse();
  const started = performance.now();
  const load = [loadavg()[0]];
  const backend = await initBackend({ log: () => undefined });
  await mkdir(args.out, { recursive: true });
  const { siteDirs, summary } = await simulateSites({ dir: join(args.out, 'cohort'), patients: args.patients, codes: args.codes, sites: 3, skew: args.skew, seed: 1 });
  const siteIds = siteDirs.map((_, k) => `site-${k + 1}`);
  const dataDir = join(args.out, 'coordinator');
  await rm(dataDir, { recursive: true, force: true });

  const harness = await FederationHarness.start({ dataDir, siteIds });
  const children = siteIds.map((siteId, k) =>
    startSite({ url: harness.url, siteId, token: harness.tokens.get(siteId)!, dir: siteDirs[k], minCodeCount: args.minCodeCount, logPath: join(args.out, `${siteId}.log`) }),
  );
  let overheads: RoundOverhead[];
  let timings: AggregationTiming[];
  let vocabularySize: number;
  let recordCounts: number[];
  try {
    await harness.waitForSites(siteIds, 120_000);
    const phases: PhasePlan[] = [
      { phase: 'autoencoder', rounds: args.aeRounds },
      { phase: 'gan', rounds: args.ganRounds },
    ].filter((p): p is PhasePlan => p.rounds > 0);
    const options = checkRunOptions({ train: { ...DEFAULT_RUN_OPTIONS.train, localEpochs: args.localEpochs, batchSize: args.batchSize }, vocabulary: { codeLevel: 'full', minCodeCount: args.minCodeCount } });
    const runId = await harness.createAndStart({ plan: { phases, minSites: siteIds.length }, options });
    const run = await harness.waitForRun(runId, {
      timeoutMs: 3_600_000,
      onRound: (r) => process.stderr.write(`round ${r.round} (${r.phase}) done in ${((r.completedAt! - r.startedAt) / 1000).toFixed(1)} s\n`),
    });
    vocabularySize = run.vocabulary?.length ?? 0;
    const rounds = harness.rounds(runId).filter((r) => r.status === 'completed');
    recordCounts = [];
    overheads = rounds.map((round) => {
      const contributions = harness.contributions(round).filter((c) => c.accepted);
      recordCounts = contributions.map((c) => c.recordCount);
      const siteTrainMs = contributions.map((c) => {
        const ms = c.metrics?.[LOCAL_TRAIN_MS_METRIC];
        if (typeof ms !== 'number') throw new Error(`site ${c.siteId} reported no ${LOCAL_TRAIN_MS_METRIC} for round ${round.round}`);
        return ms;
      });
      return roundOverhead({ round: round.round, phase: round.phase, wallMs: round.completedAt! - round.startedAt, siteTrainMs });
    });
    load.push(loadavg()[0]);

    // Aggregation on the run's own layout, in this process after the sites are idle.
    const global = await harness.finalWeights(runId);
    const updates = siteUpdates(global, recordCounts);
    timings = [createStrategy({ name: 'fedavg' }), createStrategy({ name: 'fedadam' }), createStrategy({ name: 'fednova' })].map((strategy) => timeAggregation(strategy, updates, global, args.repeats));
  } finally {
    await Promise.all(children.map(stopSite));
    await harness.close();
  }

  const gan = overheads.filter((o) => o.phase === 'gan');
  const result = {
    command: `node apps/coordinator/dist/bench/federation.bench.js ${process.argv.slice(2).join(' ')}`.trim(),
    date: new Date().toISOString(),
    backend: backend.name,
    machine: { cpus: cpus().length, loadAverage1m: load },
    cohort: { patients: summary.totals.patients, simulatedCodes: summary.vocabulary.codes, vocabularySize, siteTrainingRecords: recordCounts },
    rounds: overheads,
    medianOverheadShare: { gan: gan.length > 0 ? median(gan.map((o) => o.overheadShare)) : null, all: median(overheads.map((o) => o.overheadShare)) },
    aggregation: timings,
    wallSeconds: (performance.now() - started) / 1000,
  };
  await writeFile(join(args.out, 'results.json'), JSON.stringify(result, null, 2) + '\n');
  if (args.json) {
    process.stdout.write(JSON.stringify(result, null, 2) + '\n');
    return;
  }
  const s = (ms: number) => (ms / 1000).toFixed(2);
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const lines = [
    `bench:federation — medgan, ${vocabularySize.toLocaleString('en-US')} codes (whole ICD-9 codes; ${summary.vocabulary.codes.toLocaleString('en-US')} simulated), 3 sites with ${recordCounts.map((n) => n.toLocaleString('en-US')).join(' / ')} training records, on ${backend.name}`,
    `  coordinator in this process, each site agent in its own process: 4 processes on ${cpus().length} CPU(s), so the sites' training contends for the cores (load average ${load.map((l) => l.toFixed(1)).join(' → ')})`,
    '',
    '| round | phase | wall time (s) | slowest site training (s) | sites\' training (s) | overhead (s) | overhead |',
    '|---:|---|---:|---:|---|---:|---:|',
    ...overheads.map((o) => `| ${o.round} | ${o.phase} | ${s(o.wallMs)} | ${s(o.slowestSiteMs)} | ${o.siteTrainMs.map(s).join(' / ')} | ${s(o.overheadMs)} | ${pct(o.overheadShare)} |`),
    '',
    `  median round overhead: GAN rounds ${result.medianOverheadShare.gan === null ? '–' : pct(result.medianOverheadShare.gan)}, all rounds ${pct(result.medianOverheadShare.all)}   (target ≤ 5%)`,
    '',
    '| strategy | parameters | sites | median time (ms) | min (ms) | parameters × sites / s |',
    '|---|---:|---:|---:|---:|---:|',
    ...timings.map((t) => `| ${t.strategy} | ${t.parameters.toLocaleString('en-US')} | ${t.sites} | ${t.medianMs.toFixed(1)} | ${t.minMs.toFixed(1)} | ${(t.parameterSitesPerSec / 1e6).toFixed(1)} M |`),
    '',
    `  wall time ${result.wallSeconds.toFixed(0)} s; results in ${join(args.out, 'results.json')}, site logs in ${args.out}/site-N.log`,
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:federation failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
