import type { WeightSet } from '@fedsynth/protocol';
import { randomBytes } from 'node:crypto';
import { CheckpointStore } from '../checkpoints/checkpoint-store';
import { loadCoordinatorConfig, type CoordinatorConfig } from '../config/coordinator-config';
import type { RunPlan } from '../rounds/run-plan';
import { SiteSessions } from '../sites/site-sessions';
import { addSite, startCoordinator, type RunningCoordinator } from '../start-coordinator';
import { CoordinatorStore } from '../store/coordinator-store';
import { checkRunOptions } from '../federation/run-options';
import { averagedGeneratorWeights } from '../generator/averaged-generator';
import type { ContributionRecord, RoundRecord } from '../store/round.repository';
import type { RunPrivacySummary } from '../store/privacy.repository';
import type { RunRecord } from '../store/run.repository';

export interface HarnessOptions {
  /** The coordinator's data directory (SQLite, checkpoints). */
  dataDir: string;
  siteIds: readonly string[];
  /** Per-round deadline; generous, since a benchmark round must not fail on a busy machine. */
  roundDeadlineMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A real coordinator (Nest, Socket.IO on a free port, SQLite, checkpoints) for the benchmark
 * and the experiment: sites are provisioned as `fedsynth coordinator add-site` does, runs are
 * created, started and watched over the admin REST API, and the results are read back from
 * the coordinator's own store and checkpoints.
 */
export class FederationHarness {
  private constructor(
    readonly coordinator: RunningCoordinator,
    readonly config: CoordinatorConfig,
    readonly tokens: ReadonlyMap<string, string>,
    private readonly adminToken: string,
  ) {}

  static async start(options: HarnessOptions): Promise<FederationHarness> {
    const adminToken = randomBytes(24).toString('base64url');
    const config = loadCoordinatorConfig({
      FEDSYNTH_ADMIN_TOKEN: adminToken,
      FEDSYNTH_DATA_DIR: options.dataDir,
      FEDSYNTH_HOST: '127.0.0.1',
      FEDSYNTH_PORT: '0',
      FEDSYNTH_LOG_LEVEL: 'error',
      FEDSYNTH_ROUND_DEADLINE_MS: String(options.roundDeadlineMs ?? 3_600_000),
      FEDSYNTH_MAX_ROUND_RETRIES: '0',
    });
    const tokens = new Map(options.siteIds.map((id) => [id, addSite(config, { name: id, id }).token]));
    const coordinator = await startCoordinator(config, { logger: false });
    return new FederationHarness(coordinator, config, tokens, adminToken);
  }

  get url(): string {
    return this.coordinator.url;
  }

  private get store(): CoordinatorStore {
    return this.coordinator.app.get(CoordinatorStore, { strict: false });
  }

  /** Resolves once every given site has connected and sent its DataSummary. */
  async waitForSites(siteIds: readonly string[], timeoutMs: number): Promise<void> {
    const sessions = this.coordinator.app.get(SiteSessions, { strict: false });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const ready = new Set(sessions.readySiteIds());
      const missing = siteIds.filter((id) => !ready.has(id));
      if (missing.length === 0) return;
      if (Date.now() > deadline) throw new Error(`site(s) ${missing.join(', ')} did not connect within ${timeoutMs} ms`);
      await sleep(100);
    }
  }

  private async api<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(this.url + path, {
      method,
      headers: { authorization: `Bearer ${this.adminToken}`, 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status}: ${text}`);
    return JSON.parse(text) as T;
  }

  /** POST /api/runs then POST /api/runs/:id/start; returns the run id. */
  async createAndStart(body: { plan?: Partial<RunPlan>; options?: unknown }): Promise<string> {
    const run = await this.api<RunRecord>('POST', '/api/runs', body);
    await this.api('POST', `/api/runs/${run.id}/start`);
    return run.id;
  }

  /**
   * Polls GET /api/runs/:id until the run ends; `onRound` sees each newly completed round.
   * Throws when the run does not complete, with the coordinator's reason.
   */
  async waitForRun(runId: string, options: { timeoutMs: number; onRound?: (round: RoundRecord) => void }): Promise<RunRecord> {
    const deadline = Date.now() + options.timeoutMs;
    let reported = 0;
    for (;;) {
      const { run, rounds } = await this.api<{ run: RunRecord; rounds: RoundRecord[] }>('GET', `/api/runs/${runId}`);
      const completed = rounds.filter((r) => r.status === 'completed');
      for (; reported < completed.length; reported++) options.onRound?.(completed[reported]);
      if (run.status === 'completed') return run;
      if (run.status !== 'running' && run.status !== 'created') throw new Error(`run ${runId} ended ${run.status}: ${run.error ?? 'no reason given'}`);
      if (Date.now() > deadline) throw new Error(`run ${runId} did not finish within ${options.timeoutMs} ms`);
      await sleep(200);
    }
  }

  /** Every attempt of every round, as stored. */
  rounds(runId: string): RoundRecord[] {
    return this.store.rounds.list(runId);
  }

  /** The sites' contributions (record counts, metrics) to one round attempt. */
  contributions(round: Pick<RoundRecord, 'runId' | 'round' | 'attempt'>): ContributionRecord[] {
    return this.store.rounds.contributions({ runId: round.runId, round: round.round, attempt: round.attempt });
  }

  /** ε the sites reported for a DP run: per site the latest, and the largest. */
  privacy(runId: string): RunPrivacySummary {
    return this.store.privacy.summary(runId);
  }

  run(runId: string): RunRecord {
    return this.store.runs.get(runId);
  }

  /** The global weights after the run's last completed round, read from its checkpoint (sha256 checked). */
  async finalWeights(runId: string): Promise<WeightSet> {
    const last = this.store.rounds.lastCompleted(runId);
    if (!last?.checkpoint) throw new Error(`run ${runId} has no completed round`);
    return new CheckpointStore({ directory: this.config.checkpointDir }).load(last.checkpoint);
  }

  /**
   * The weights of the generator the run exports after its last GAN round (the generator
   * averaged over the GAN rounds, see averaged-generator.ts): what `fedsynth pull` would get.
   */
  async exportedWeights(runId: string): Promise<WeightSet> {
    const run = this.store.runs.get(runId);
    const gan = this.store.rounds.list(runId).filter((r) => r.status === 'completed' && r.phase === 'gan');
    const last = gan[gan.length - 1];
    if (!last || !run.vocabulary) throw new Error(`run ${runId} has no completed GAN round`);
    return averagedGeneratorWeights({
      rounds: this.store.rounds,
      checkpoints: new CheckpointStore({ directory: this.config.checkpointDir }),
      runId,
      round: last.round,
      options: checkRunOptions(run.options),
      vocabularySize: run.vocabulary.length,
    });
  }

  close(): Promise<void> {
    return this.coordinator.close();
  }
}
