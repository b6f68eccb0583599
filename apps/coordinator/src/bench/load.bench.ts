/**
 * `npm run bench:load`: one coordinator under many sites. The coordinator is the real
 * `fedsynth coordinator` in a process of its own (its memory is measured alone, from
 * /proc/<pid>/status); the sites are lightweight protocol-level clients in this process, a
 * real Socket.IO client each (faults/protocol-site.ts), which do not train: they answer each
 * TrainTask at once with the task's weights plus a fixed per-site change, so the coordinator's
 * every aggregate can be predicted. For each site count:
 *
 *   rounds completed, round latency p50/p95 (round opened → checkpoint recorded, from the
 *   coordinator's store), coordinator peak RSS (VmHWM), and lost updates: updates sent minus
 *   updates accepted into the round's aggregate, with each checkpoint compared against the
 *   record-weighted mean of what the sites sent (max |difference| must be float32 rounding).
 *
 *   node apps/coordinator/dist/bench/load.bench.js [--sites 100,500] [--rounds 5] [--codes 20] [--json]
 *
 * The coordinator runs with FEDSYNTH_CONNECT_LIMIT=0: every client here shares 127.0.0.1,
 * which the per-IP connection limit would otherwise (rightly) hold back.
 */
import type { TrainResult, TrainTask } from '@fedsynth/protocol';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CheckpointStore } from '../checkpoints/checkpoint-store';
import { loadCoordinatorConfig } from '../config/coordinator-config';
import { AdminClient } from '../faults/admin-client';
import { startCoordinatorProcess } from '../faults/cli-process';
import { deterministicUpdate, maxDifference } from '../faults/deterministic-update';
import { ProtocolSite } from '../faults/protocol-site';
import { readStore } from '../faults/read-store';
import { CoordinatorStore } from '../store/coordinator-store';
import { percentile } from './percentile';

const CONNECT_BATCH = 50;
const MiB = 1024 * 1024;

interface LoadResult {
  sites: number;
  roundsPlanned: number;
  roundsCompleted: number;
  connectMs: number;
  roundLatencyMs: number[];
  p50Ms: number;
  p95Ms: number;
  runMs: number;
  coordinatorIdleRssMiB: number;
  coordinatorPeakRssMiB: number;
  benchPeakRssMiB: number;
  updatesSent: number;
  updatesAcked: number;
  updatesAccepted: number;
  lostUpdates: number;
  maxAbsDifference: number;
  parameters: number;
}

function parse() {
  const { values } = parseArgs({
    options: {
      sites: { type: 'string', default: '100,500' },
      rounds: { type: 'string', default: '5' },
      codes: { type: 'string', default: '20' },
      json: { type: 'boolean', default: false },
    },
  });
  const counts = values.sites.split(',').map((s) => Number(s.trim()));
  if (counts.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--sites must be whole numbers ≥ 1 separated by commas, got '${values.sites}'`);
  const rounds = Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 2) throw new Error(`--rounds must be a whole number ≥ 2 (one autoencoder round, then GAN rounds), got '${values.rounds}'`);
  const codes = Number(values.codes);
  if (!Number.isInteger(codes) || codes < 2 || codes > 900) throw new Error(`--codes must be a whole number from 2 to 900, got '${values.codes}'`);
  return { counts, rounds, codes, json: values.json };
}

/** Resident and peak resident memory of a process, from the kernel (Linux). */
function memoryOf(pid: number): { rssMiB: number; peakMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMiB: kib('VmRSS') / 1024, peakMiB: kib('VmHWM') / 1024 };
}

/** Per round: Σ nₖ wₖ (float64) and Σ nₖ over the updates the sites sent. */
class ExpectedMeans {
  private readonly sums = new Map<number, { total: number; tensors: Map<string, Float64Array> }>();

  add(result: TrainResult): void {
    const round = this.sums.get(result.round) ?? { total: 0, tensors: new Map<string, Float64Array>() };
    round.total += result.recordCount;
    for (const tensor of result.weights) {
      const acc = round.tensors.get(tensor.name) ?? new Float64Array(tensor.data.length);
      for (let i = 0; i < acc.length; i++) acc[i]! += result.recordCount * tensor.data[i]!;
      round.tensors.set(tensor.name, acc);
    }
    this.sums.set(result.round, round);
  }

  mean(round: number): Map<string, Float64Array> {
    const sum = this.sums.get(round);
    if (!sum) return new Map();
    return new Map([...sum.tensors].map(([name, acc]) => [name, acc.map((v) => v / sum.total)]));
  }
}

async function runLoad(siteCount: number, rounds: number, codeCount: number): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), `fedsynth-load-${siteCount}-`));
  const adminToken = randomBytes(24).toString('base64url');
  const config = loadCoordinatorConfig({ FEDSYNTH_ADMIN_TOKEN: adminToken, FEDSYNTH_DATA_DIR: join(dir, 'data') });
  const codes = Array.from({ length: codeCount }, (_, i) => String(100 + i));
  const siteIds = Array.from({ length: siteCount }, (_, i) => `site-${String(i).padStart(4, '0')}`);
  const records = (i: number) => 20 + (i % 37);

  // Provisioned as `fedsynth coordinator add-site` does, in one transaction.
  const setup = CoordinatorStore.open({ path: config.databasePath });
  const tokens = setup.transaction(() =>
    siteIds.map((id) => {
      const { token } = setup.sites.register({ name: id, id });
      setup.audit.append({ actor: 'admin', action: 'site.registered', subject: id });
      return token;
    }),
  );
  setup.close();

  const coordinator = await startCoordinatorProcess({ dataDir: config.dataDir, env: { FEDSYNTH_ADMIN_TOKEN: adminToken, FEDSYNTH_CONNECT_LIMIT: '0', FEDSYNTH_LOG_LEVEL: 'warn' } });
  const admin = new AdminClient(coordinator.url, adminToken);
  const idle = memoryOf(coordinator.process.pid);
  const expected = new ExpectedMeans();
  let sent = 0;
  let acked = 0;
  const refusals: string[] = [];
  let benchPeak = process.memoryUsage().rss;
  const sampler = setInterval(() => (benchPeak = Math.max(benchPeak, process.memoryUsage().rss)), 200);

  const sites = siteIds.map(
    (siteId, i) =>
      new ProtocolSite({
        url: coordinator.url,
        siteId,
        token: tokens[i]!,
        summary: { recordCount: records(i), recordUnit: 'patient', codeLevel: 'category', minCodeCount: 1, codes },
        ackTimeoutMs: 120_000,
        answer: (task: TrainTask) => {
          const result = deterministicUpdate(task, i, records(i));
          expected.add(result);
          sent++;
          return result;
        },
        onAnswered: (_task, reply) => {
          if (reply.body.kind === 'ack') acked++;
          else refusals.push(`${siteId}: ${reply.body.kind === 'error' ? `${reply.body.value.code}: ${reply.body.value.reason}` : reply.body.kind}`);
        },
      }),
  );
  try {
    const connectStarted = Date.now();
    for (let start = 0; start < sites.length; start += CONNECT_BATCH) {
      await Promise.all(sites.slice(start, start + CONNECT_BATCH).map(async (site) => {
        await site.connect();
        await site.introduce();
      }));
    }
    await admin.waitForSites(siteIds, 60_000);
    const connectMs = Date.now() - connectStarted;

    const runStarted = Date.now();
    const runId = await admin.createAndStart({
      plan: { phases: [{ phase: 'autoencoder', rounds: 1 }, { phase: 'gan', rounds: rounds - 1 }], minSites: siteCount, roundDeadlineMs: 600_000, maxRoundRetries: 0, evaluateEvery: 0 },
      options: {
        modelFamily: 'medgan',
        model: { latentDim: 8, generatorBlocks: 1, discriminatorDims: [16, 8] },
        strategy: { name: 'fedavg' },
        train: { localEpochs: 1, batchSize: 16, learningRate: 1e-3, seed: 1 },
        vocabulary: { codeLevel: 'category', minCodeCount: 1 },
      },
    });
    const done = await admin.waitForRun(runId, (v) => v.run.status !== 'running', 30 * 60_000, `the ${siteCount}-site run`);
    const runMs = Date.now() - runStarted;
    const peak = memoryOf(coordinator.process.pid);
    if (done.run.status !== 'completed') throw new Error(`the ${siteCount}-site run ${done.run.status}: ${done.run.error}`);

    const completed = done.rounds.filter((r) => r.status === 'completed');
    const checkpoints = new CheckpointStore({ directory: config.checkpointDir });
    let maxAbsDifference = 0;
    let parameters = 0;
    for (const round of completed) {
      const global = await checkpoints.load(round.checkpoint!);
      parameters = global.reduce((n, t) => n + t.data.length, 0);
      maxAbsDifference = Math.max(maxAbsDifference, maxDifference(global, expected.mean(round.round)));
    }
    const accepted = readStore(config.databasePath, (store) =>
      completed.reduce((n, r) => n + store.rounds.contributions({ runId, round: r.round, attempt: r.attempt }).filter((c) => c.accepted).length, 0),
    );
    const latencies = completed.map((r) => r.completedAt! - r.startedAt);
    if (refusals.length > 0) console.error(`refused updates (${refusals.length}), first: ${refusals.slice(0, 3).join(' | ')}`);
    return {
      sites: siteCount,
      roundsPlanned: rounds,
      roundsCompleted: completed.length,
      connectMs,
      roundLatencyMs: latencies,
      p50Ms: percentile(latencies, 50),
      p95Ms: percentile(latencies, 95),
      runMs,
      coordinatorIdleRssMiB: idle.rssMiB,
      coordinatorPeakRssMiB: peak.peakMiB,
      benchPeakRssMiB: benchPeak / MiB,
      updatesSent: sent,
      updatesAcked: acked,
      updatesAccepted: accepted,
      lostUpdates: sent - accepted,
      maxAbsDifference,
      parameters,
    };
  } finally {
    clearInterval(sampler);
    sites.forEach((s) => s.close());
    await coordinator.process.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

function table(results: readonly LoadResult[]): string {
  const rows = [
    ['sites', 'rounds', 'connect s', 'round p50 ms', 'round p95 ms', 'coord. RSS idle→peak MiB', 'sent', 'accepted', 'lost', 'max |Δ mean|'],
    ...results.map((r) => [
      String(r.sites),
      `${r.roundsCompleted}/${r.roundsPlanned}`,
      (r.connectMs / 1000).toFixed(1),
      r.p50Ms.toFixed(0),
      r.p95Ms.toFixed(0),
      `${r.coordinatorIdleRssMiB.toFixed(0)} → ${r.coordinatorPeakRssMiB.toFixed(0)}`,
      String(r.updatesSent),
      String(r.updatesAccepted),
      String(r.lostUpdates),
      r.maxAbsDifference.toExponential(1),
    ]),
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  return rows.map((row) => row.map((cell, c) => cell.padStart(widths[c]!)).join('  ')).join('\n');
}

async function main(): Promise<void> {
  const { counts, rounds, codes, json } = parse();
  console.log(`bench:load — coordinator process vs protocol-level sites; ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log(`model: medGAN latentDim 8, 1 generator block, discriminator [16, 8], vocabulary of ${codes} codes; ${rounds} rounds (1 autoencoder + ${rounds - 1} GAN), quorum = every site`);
  const results: LoadResult[] = [];
  for (const count of counts) {
    const result = await runLoad(count, rounds, codes);
    results.push(result);
    console.log(
      `${count} sites: ${result.roundsCompleted}/${rounds} rounds in ${(result.runMs / 1000).toFixed(1)} s; round latency ${result.roundLatencyMs.map((ms) => ms.toFixed(0)).join(', ')} ms; ` +
        `${result.parameters} parameters per update; bench process peak RSS ${result.benchPeakRssMiB.toFixed(0)} MiB`,
    );
  }
  console.log(`\n${table(results)}`);
  console.log('\nround latency: round opened → checkpoint recorded (coordinator store); RSS: the coordinator process, /proc VmRSS (idle, sites not yet connected) and VmHWM (peak)');
  console.log('lost = updates sent − updates accepted into the aggregate; max |Δ mean| = largest |checkpoint − Σ nₖwₖ/Σ nₖ of what the sites sent| over every round (float32 rounding)');
  if (json) console.log(JSON.stringify(results));
  const failed = results.filter((r) => r.lostUpdates !== 0 || r.roundsCompleted !== r.roundsPlanned || r.maxAbsDifference > 1e-5);
  if (failed.length > 0) {
    console.error(`FAILED: ${failed.map((r) => `${r.sites} sites`).join(', ')} lost updates, missed rounds or aggregated something else`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
