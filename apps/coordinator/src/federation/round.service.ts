import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { errorEnvelope, ProtocolError, replyTo, type Envelope, type ErrorReply, type EvalResult, type MaskedUpdate, type TrainResult } from '@fedsynth/protocol';
import { CheckpointStore } from '../checkpoints/checkpoint-store';
import { COORDINATOR_CONFIG } from '../config/config.module';
import type { CoordinatorConfig } from '../config/coordinator-config';
import { CoordinatorError } from '../errors/coordinator-error';
import { checkRunPlan, type RunPlan } from '../rounds/run-plan';
import type { RunState } from '../rounds/round-state';
import { CoordinatorStore } from '../store/coordinator-store';
import type { RunRecord } from '../store/run.repository';
import { SiteSessions } from '../sites/site-sessions';
import type { RunContext } from './run-context';
import { RunDriver } from './run-driver';
import { checkRunOptions, DEFAULT_PHASES } from './run-options';

/**
 * The federated loop: creates runs, owns one RunDriver (state machine + global weights) per
 * active run, and routes site arrivals, departures and results to them. Inject it where a
 * run must be started or stopped (REST) or a result handed over (the sites gateway).
 */
@Injectable()
export class RoundService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly drivers = new Map<string, RunDriver>();
  private readonly logger = new Logger('RoundService');
  private readonly context: RunContext;

  constructor(
    @Inject(CoordinatorStore) private readonly store: CoordinatorStore,
    @Inject(CheckpointStore) checkpoints: CheckpointStore,
    @Inject(SiteSessions) private readonly sessions: SiteSessions,
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
  ) {
    this.context = { store, checkpoints, sessions, config, logger: this.logger, now: Date.now };
    sessions.listen({
      siteReady: (siteId) => this.drivers.forEach((d) => void d.siteReady(siteId)),
      siteLeft: (siteId) =>
        this.drivers.forEach((d) => {
          d.evaluations.siteLeft(siteId);
          void d.dispatch({ type: 'siteLeft', at: Date.now(), siteId });
        }),
    });
  }

  /** Creates a run; the plan's rules default to the configuration's, the options to DEFAULT_RUN_OPTIONS. */
  createRun(input: { plan?: Partial<RunPlan>; options?: unknown }): RunRecord {
    const plan = checkRunPlan({
      phases: DEFAULT_PHASES.map((p) => ({ ...p })),
      minSites: this.config.rounds.minSites,
      roundDeadlineMs: this.config.rounds.deadlineMs,
      maxRoundRetries: this.config.rounds.maxRetries,
      evaluateEvery: 0,
      ...input.plan,
    });
    const options = checkRunOptions(input.options);
    const run = this.store.runs.create({ plan, options: options as unknown as Record<string, unknown> });
    this.store.audit.append({ actor: 'admin', action: 'run.created', subject: run.id });
    return run;
  }

  /**
   * Starts a created run with the sites connected now, or resumes a stopped one at the round
   * after its last completed one (the connected sites first agree to its stored vocabulary).
   */
  async startRun(runId: string): Promise<RunRecord> {
    const run = this.store.runs.get(runId);
    if (run.status !== 'created' && run.status !== 'stopped') {
      throw new CoordinatorError(`run ${runId} is ${run.status}; only a created or stopped run can be started`, 'RUN_STATE');
    }
    this.drivers.get(runId)?.dispose();
    const running = this.store.runs.start(runId);
    this.store.audit.append({ actor: 'admin', action: run.status === 'created' ? 'run.started' : 'run.resumed', subject: runId });
    await this.launch(running, run.status === 'stopped');
    return this.store.runs.get(runId);
  }

  /** A restarted coordinator resumes its running runs; their sites join as they reconnect. */
  async onApplicationBootstrap(): Promise<void> {
    // No evaluation is in progress at start-up: any left collecting was cut short (its run may be over).
    this.store.evaluations.failAllUnfinished('interrupted: the coordinator restarted before every site answered');
    for (const run of this.store.runs.list({ status: 'running' })) {
      this.logger.log(`resuming run ${run.id}`);
      this.store.audit.append({ actor: 'coordinator', action: 'run.resumed', subject: run.id, details: { reason: 'the coordinator restarted' } });
      await this.launch(run, true);
    }
  }

  private async launch(run: RunRecord, resume: boolean): Promise<void> {
    const driver = resume ? await RunDriver.restore(run, this.context) : new RunDriver(run, this.context);
    this.drivers.set(run.id, driver);
    const connected = await driver.admit(this.sessions.readySiteIds());
    void driver.dispatch({ type: 'start', at: Date.now(), connected });
  }

  async stopRun(runId: string, reason = 'stopped by an administrator'): Promise<RunRecord> {
    const run = this.store.runs.get(runId);
    const driver = this.drivers.get(runId);
    if (!driver && run.status !== 'created' && run.status !== 'running') throw new CoordinatorError(`run ${runId} is ${run.status} and cannot be stopped`, 'RUN_STATE');
    this.store.audit.append({ actor: 'admin', action: 'run.stop-requested', subject: runId, details: { reason } });
    if (driver) await driver.dispatch({ type: 'stop', at: Date.now(), reason });
    else this.store.runs.finish(runId, { status: 'stopped', error: reason });
    return this.store.runs.get(runId);
  }

  /** The live state of an active run (undefined when no driver holds it). */
  liveState(runId: string): RunState | undefined {
    return this.drivers.get(runId)?.snapshot;
  }

  /** Hands a decoded TrainResult to its run; resolves with the one reply for the site. */
  submitResult(siteId: string, request: Envelope, result: TrainResult): Promise<Envelope> {
    const driver = this.drivers.get(result.runId);
    if (!driver) {
      const reason = `run ${result.runId} is not running on this coordinator`;
      this.store.audit.append({ actor: `site:${siteId}`, action: 'result.rejected', subject: result.runId, details: { round: result.round, code: 'STALE_ROUND', reason } });
      return Promise.resolve(errorEnvelope(new ProtocolError('STALE_ROUND', reason), request.messageId));
    }
    return driver.submitResult(siteId, request, result);
  }

  /** Hands a decoded MaskedUpdate (secure aggregation) to its run; resolves with the one reply for the site. */
  submitMaskedUpdate(siteId: string, request: Envelope, update: MaskedUpdate): Promise<Envelope> {
    const driver = this.drivers.get(update.runId);
    if (!driver) {
      const reason = `run ${update.runId} is not running on this coordinator`;
      this.store.audit.append({ actor: `site:${siteId}`, action: 'result.rejected', subject: update.runId, details: { round: update.round, code: 'STALE_ROUND', reason } });
      return Promise.resolve(errorEnvelope(new ProtocolError('STALE_ROUND', reason), request.messageId));
    }
    return driver.submitMaskedUpdate(siteId, request, update);
  }

  /** Hands a decoded EvalResult to its run's evaluations; returns the one reply for the site. */
  submitEvalResult(siteId: string, request: Envelope, result: EvalResult): Envelope {
    const driver = this.drivers.get(result.runId);
    if (!driver) {
      const reason = `run ${result.runId} is not running on this coordinator`;
      this.store.audit.append({ actor: `site:${siteId}`, action: 'evaluation.rejected', subject: result.runId, details: { round: result.round, code: 'STALE_ROUND', reason } });
      return errorEnvelope(new ProtocolError('STALE_ROUND', reason), request.messageId);
    }
    return driver.evaluations.submitResult(siteId, request, result);
  }

  /**
   * An Error a site sent on its own (not as an ack): the failure of a task it had taken. Only
   * evaluation tasks are answered this way; it is recorded there, and acknowledged.
   */
  submitSiteError(siteId: string, request: Envelope, error: ErrorReply): Envelope {
    const matched = [...this.drivers.values()].some((d) => d.evaluations.submitError(siteId, request.inReplyTo, error));
    if (!matched) this.logger.warn(`site ${siteId} reported an error for no open task (${error.code}): ${error.reason}`);
    return replyTo(request, 'ack', {});
  }

  onModuleDestroy(): void {
    this.drivers.forEach((d) => d.dispose());
  }
}
