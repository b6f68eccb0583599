import { createModel, getWeights, type Vocabulary } from '@fedsynth/gan';
import {
  applyUpdate,
  createEnvelope,
  expectBody,
  ProtocolError,
  replyTo,
  errorEnvelope,
  SECURE_AGGREGATION_CAPABILITY,
  updateLength,
  type Envelope,
  type MaskedUpdate,
  type TrainResult,
  type WeightSet,
} from '@fedsynth/protocol';
import type { ContributionInput } from '../store/round.repository';
import type { RunRecord } from '../store/run.repository';
import type { RunCommand, RunEvent, RunState } from '../rounds/round-state';
import { restoreRunState } from '../rounds/restore-run-state';
import { createRunState, screenResult, transition } from '../rounds/round-state-machine';
import { createStrategy } from '../strategies/create-strategy';
import type { AggregateTrainInput, AggregateTrainOutput, SiteTrainResult, Strategy } from '../strategies/strategy';
import { localStepsProblem } from '../updates/local-steps';
import { validateUpdate } from '../updates/validate-update';
import { encodeModelSpec } from './model-spec';
import type { RunContext } from './run-context';
import { RunEvaluations } from './run-evaluations';
import { checkRunOptions, type FederatedRunOptions } from './run-options';
import { pooledPrevalence, type SiteCodeCounts } from './pooled-prevalence';
import { agreeVocabulary, proposeTo, vocabularySource } from './vocabulary-agreement';
import { averagedGeneratorWeights } from '../generator/averaged-generator';
import { weightedMetrics } from '../strategies/weighted-metrics';
import { DEFAULT_SECAGG_CLIP } from './run-secure-aggregation-options';
import { setUpSecureAggregation, unmaskMean, type SecAggSetUpOutcome, type SecAggSetUp } from './secure-aggregation-round';

/** A TrainResult being handled: its weights, and where its one reply goes. */
interface IncomingResult {
  readonly siteId: string;
  readonly request: Envelope;
  readonly result: TrainResult;
  /** Secure aggregation: the masked words (then `result` carries no weights). */
  readonly masked?: Uint32Array;
  /** The attempt current when the result was screened (contributions are keyed by it). */
  readonly attempt: number;
  reply(envelope: Envelope): void;
}

/**
 * Owns one run: its state machine, its global weights and its strategy state. Events are
 * handled one at a time (a promise chain); each transition's commands are carried out in
 * order and the events they produce are handled before the next queued event, so a result
 * can never overtake the roundOpened of its own round. Commands map one to one onto
 * the table in README.md ("Driving the state machine").
 */
export class RunDriver {
  private state: RunState;
  private readonly options: FederatedRunOptions;
  private readonly strategy: Strategy;
  private strategyState: WeightSet = [];
  /** The round attempt whose secure-aggregation shares were asked for (see unmaskedFinality). */
  private unmaskedAt: { round: number; attempt: number } | undefined;
  private globalWeights: WeightSet | undefined;
  private vocabulary: Vocabulary | undefined;
  /**
   * Runs matching the pooled prevalences (marginals.target 'pooled'): Σ counts ÷ Σ records of
   * the sites that agreed to the vocabulary, computed once and stored with the run (a restored
   * run, and a site joining later, match the same vector, whoever is connected).
   */
  private pooledTarget: Float32Array | undefined;
  /** Accepted results of the current attempt, by site. */
  private readonly kept = new Map<string, SiteTrainResult>();
  /**
   * The contribution rows of those results, written with the attempt's outcome (in the
   * commit that completes it, or the one that fails it) rather than one fsynced commit per
   * result. A crash loses only rows of an attempt that never finished, which a restart
   * marks failed and runs again anyway; rejected results are still written at once.
   */
  private readonly acceptedRows = new Map<string, ContributionInput>();
  /**
   * The TrainTasks sent for the current round, by message id: which site and attempt each
   * went to. A result names its task in inReplyTo, which tells its attempt (the wire's
   * TrainResult carries only the round).
   */
  private readonly tasksSent = new Map<string, { siteId: string; round: number; attempt: number }>();
  private pending: AggregateTrainOutput | undefined;
  /** Secure aggregation: the current attempt's roster, threshold and fixed point, and the masked updates kept. */
  private secAgg: SecAggSetUp | undefined;
  private readonly maskedKept = new Map<string, Uint32Array>();
  private timer: NodeJS.Timeout | undefined;
  /** Fails the run when its quorum of sites is not connected within plan.siteWaitMs. */
  private siteWaitTimer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  /** Evaluation rounds: beside the round loop, never gating it (the round service routes EvalResults here). */
  readonly evaluations: RunEvaluations;

  constructor(
    run: RunRecord,
    private readonly ctx: RunContext,
  ) {
    this.options = checkRunOptions(run.options);
    this.strategy = createStrategy(this.options.strategy);
    this.state = createRunState({ runId: run.id, plan: run.plan });
    this.evaluations = new RunEvaluations(run.id, ctx, this.strategy, this.options, run.plan.roundDeadlineMs);
  }

  /**
   * A driver for a stored run that is running again (after a stop, or a coordinator
   * restart): the state machine is rebuilt from the store (restoreRunState), attempts the
   * interruption left open are marked failed, and the global weights (and strategy state)
   * are those of the last completed round, or the seeded initial ones before round 0.
   */
  static async restore(run: RunRecord, ctx: RunContext): Promise<RunDriver> {
    const driver = new RunDriver(run, ctx);
    const rounds = ctx.store.rounds.list(run.id);
    driver.state = restoreRunState({ run, rounds });
    ctx.store.rounds.failUnfinished(run.id, 'interrupted: the run was stopped or the coordinator restarted');
    ctx.store.evaluations.failUnfinished(run.id, 'interrupted: the run was stopped or the coordinator restarted');
    if (run.vocabulary && run.vocabularyHash) {
      driver.vocabulary = { codes: run.vocabulary, hash: run.vocabularyHash };
      driver.pooledTarget = ctx.store.runs.marginalTarget(run.id);
      const last = ctx.store.rounds.lastCompleted(run.id);
      driver.globalWeights = last?.checkpoint ? await ctx.checkpoints.load(last.checkpoint) : driver.initialWeights(run.vocabulary.length);
      driver.strategyState = last?.strategyState ? await ctx.checkpoints.load(last.strategyState) : [];
    }
    return driver;
  }

  /**
   * The given ready sites that agree to the run's stored vocabulary (all of them when the
   * run has none yet: the vocabulary step will ask them). Used before resuming a run.
   */
  async admit(candidates: readonly string[]): Promise<string[]> {
    const siteIds = this.capable(candidates);
    if (!this.vocabulary) return [...siteIds];
    const { codeLevel, minCodeCount } = this.options.vocabulary;
    const source = vocabularySource(this.options.vocabulary);
    const codes = [...this.vocabulary.codes];
    // The pooled target, if any, was fixed with the vocabulary: sites admitted later (on resume
    // or joining) send no counts and train with it.
    const admitted = await Promise.all(
      siteIds.map(async (siteId) => {
        const session = this.ctx.sessions.get(siteId);
        if (!session) return null;
        try {
          await proposeTo(session, { runId: this.runId, codes, source, codeLevel, minCodeCount });
          return siteId;
        } catch (error) {
          this.ctx.logger.warn?.(`run ${this.runId}: site ${siteId} not admitted: ${(error as Error).message}`);
          return null;
        }
      }),
    );
    return admitted.filter((s): s is string => s !== null);
  }

  private get wantsPooledTarget(): boolean {
    return this.options.marginals?.target === 'pooled';
  }

  /** Pools the sites' code counts into the run's marginal target; the reason when they cannot be pooled. */
  private setPooledTarget(counts: readonly SiteCodeCounts[], vocabularySize: number): string | undefined {
    const pooled = pooledPrevalence(counts, vocabularySize);
    if (!pooled.ok) return `pooled marginal matching: ${pooled.reason}`;
    this.pooledTarget = pooled.prevalence;
    // Stored before the vocabulary: a run with a stored vocabulary always has its target.
    this.ctx.store.runs.setMarginalTarget(this.runId, pooled.prevalence);
    this.ctx.logger.log(`run ${this.runId}: pooled prevalences of ${vocabularySize} codes from ${pooled.sites} sites (${pooled.records} training records) for marginal matching`);
    this.ctx.store.audit.append({ actor: 'coordinator', action: 'marginals.pooled', subject: this.runId, details: { sites: counts.map((c) => c.siteId), records: pooled.records } });
    return undefined;
  }

  get runId(): string {
    return this.state.runId;
  }

  get snapshot(): RunState {
    return this.state;
  }

  get agreedVocabulary(): Vocabulary | undefined {
    return this.vocabulary;
  }

  /** Queues an event; resolves when it and everything it caused have been handled. */
  dispatch(event: RunEvent): Promise<void> {
    return this.enqueue(() => this.handle(event));
  }

  /**
   * A site joined while the run holds a vocabulary: it must agree to it before it is
   * counted, or its matrix would have other columns than the model.
   */
  siteReady(siteId: string): Promise<void> {
    return this.enqueue(async () => {
      if (this.state.stage === 'completed' || this.state.stage === 'failed' || this.state.stage === 'stopped') return;
      const admitted = this.state.vocabularyAgreed ? await this.admit([siteId]) : this.capable([siteId]);
      if (admitted.length === 0) return;
      await this.handle({ type: 'siteJoined', at: this.ctx.now(), siteId });
    });
  }

  /** Screens, validates and hands a TrainResult to the machine; resolves with the one reply for the site. */
  submitResult(siteId: string, request: Envelope, result: TrainResult): Promise<Envelope> {
    return this.queueWithReply(request, 'the result was not handled', async (reply) => {
      const at = this.ctx.now();
      const incoming: IncomingResult = { siteId, request, result, attempt: this.state.round?.attempt ?? 0, reply };
      const task = this.tasksSent.get(request.inReplyTo);
      const attempt = task && task.siteId === siteId && task.round === result.round ? task.attempt : null;
      // Validation is costly and needs the global weights: only results that pass screening get it.
      const screened = screenResult(this.state, { runId: result.runId, siteId, round: result.round, phase: result.phase, attempt, at });
      this.recordPrivacy(siteId, task, result);
      let verdict: Extract<RunEvent, { type: 'resultReceived' }>['verdict'];
      const stepsProblem = !screened && this.strategy.needsLocalSteps ? localStepsProblem(result, this.options) : undefined;
      if (!screened && this.options.secureAggregation) {
        // Its masks are what the round's sum needs: a plain update cannot be counted (nor kept).
        verdict = { ok: false, code: 'SECURE_AGGREGATION_FAILED', reason: `run ${this.runId} aggregates securely: answer its TrainTask with a MaskedUpdate, not a plain TrainResult` };
      } else if (!screened && this.options.dp && !result.privacy) {
        verdict = this.withoutPrivacy();
      } else if (stepsProblem) {
        verdict = { ok: false, code: 'UPDATE_REJECTED', reason: `run ${this.runId} aggregates with ${this.strategy.name}, which divides each update by its local step count: ${stepsProblem}` };
      } else if (!screened) {
        const checked = validateUpdate(result.weights, this.globalWeights!, { maxRelativeNorm: this.ctx.config.rounds.maxRelativeUpdateNorm });
        verdict = checked.ok ? { ok: true } : { ok: false, code: checked.wireCode, reason: checked.reason };
      }
      const event: RunEvent = { type: 'resultReceived', at, runId: result.runId, siteId, round: result.round, phase: result.phase, attempt, recordCount: result.recordCount, ...(verdict ? { verdict } : {}) };
      await this.handle(event, incoming);
    });
  }

  /**
   * Secure aggregation: a masked update answering a TrainTask. Screened like a TrainResult;
   * its only possible check is its length (the coordinator cannot see the update itself —
   * the unmasked aggregate is validated instead, see secureAggregate).
   */
  submitMaskedUpdate(siteId: string, request: Envelope, update: MaskedUpdate): Promise<Envelope> {
    return this.queueWithReply(request, 'the masked update was not handled', async (reply) => {
      const at = this.ctx.now();
      const task = this.tasksSent.get(request.inReplyTo);
      const attempt = task && task.siteId === siteId && task.round === update.round ? task.attempt : null;
      const screened = screenResult(this.state, { runId: update.runId, siteId, round: update.round, phase: update.phase, attempt, at });
      this.recordPrivacy(siteId, task, update);
      // The weight is inside the masked sum; the announced record count stands in for the round's bookkeeping.
      const recordCount = Math.max(1, this.ctx.sessions.get(siteId)?.summary?.recordCount ?? 1);
      let verdict: Extract<RunEvent, { type: 'resultReceived' }>['verdict'];
      if (!screened) verdict = this.checkMasked(siteId, update);
      const result: TrainResult = { runId: update.runId, round: update.round, phase: update.phase, recordCount, weights: [], metrics: update.metrics };
      const incoming: IncomingResult = { siteId, request, result, masked: update.words, attempt: this.state.round?.attempt ?? 0, reply };
      const event: RunEvent = { type: 'resultReceived', at, runId: update.runId, siteId, round: update.round, phase: update.phase, attempt, recordCount, ...(verdict ? { verdict } : {}) };
      await this.handle(event, incoming);
    });
  }

  /**
   * Queues `work` for a site's message and resolves with the one reply it gives; if the work
   * ends (or throws) without replying, the site still gets an INTERNAL error saying `unhandled`.
   */
  private queueWithReply(request: Envelope, unhandled: string, work: (reply: (envelope: Envelope) => void) => Promise<void>): Promise<Envelope> {
    return new Promise<Envelope>((resolve) => {
      let replied = false;
      const reply = (envelope: Envelope) => {
        if (!replied) resolve(envelope);
        replied = true;
      };
      void this.enqueue(() => work(reply))
        .finally(() => reply(errorEnvelope(new ProtocolError('INTERNAL', unhandled), request.messageId)))
        .catch(() => undefined);
    });
  }

  /**
   * Keeps a site's privacy report with the attempt whose task it answers, whether or not the
   * update is then accepted: a late or stale-attempt result was trained all the same, so its
   * ε is spent, and dropping the report would under-state the run's privacy loss. Only for a
   * task this run sent this site in that round (the report then names a real attempt).
   */
  private recordPrivacy(siteId: string, task: { siteId: string; round: number; attempt: number } | undefined, report: { runId: string; round: number; privacy?: TrainResult['privacy'] }): void {
    if (!report.privacy || !task || task.siteId !== siteId || task.round !== report.round || report.runId !== this.runId) return;
    this.ctx.store.privacy.record({ runId: this.runId, round: task.round, attempt: task.attempt, siteId, ...report.privacy });
  }

  private checkMasked(siteId: string, update: MaskedUpdate): Extract<RunEvent, { type: 'resultReceived' }>['verdict'] {
    const setUp = this.secAgg;
    if (!this.options.secureAggregation || !setUp || setUp.round !== update.round) {
      return { ok: false, code: 'SECURE_AGGREGATION_FAILED', reason: `no secure-aggregation round ${update.round} is open for this site` };
    }
    if (!setUp.settings.maskingSet.includes(siteId)) return { ok: false, code: 'SECURE_AGGREGATION_FAILED', reason: `site ${siteId} is not in the masking set of round ${update.round}` };
    if (this.options.dp && !update.privacy) return this.withoutPrivacy();
    const expected = updateLength(this.globalWeights!) + 1;
    if (update.words.length !== expected) {
      return { ok: false, code: 'SHAPE_MISMATCH', reason: `the masked update has ${update.words.length} words; the model's ${expected - 1} coordinates and the weight make ${expected}` };
    }
    return { ok: true };
  }

  /**
   * In a DP run every site that trained with DP-SGD reports what it spent; an update without
   * that report was trained without DP (an agent that ignores TrainTask.dp), so counting it
   * would void the guarantee the run's ε states.
   */
  private withoutPrivacy(): { ok: false; code: 'UPDATE_REJECTED'; reason: string } {
    return { ok: false, code: 'UPDATE_REJECTED', reason: `run ${this.runId} trains with differential privacy, but the update reports no privacy spent: it was not trained with DP-SGD (update the site agent)` };
  }

  /** Sites that may join this run: under secure aggregation, only those announcing the capability. */
  private capable(siteIds: readonly string[]): string[] {
    if (!this.options.secureAggregation) return [...siteIds];
    return siteIds.filter((siteId) => {
      if (this.ctx.sessions.get(siteId)?.capabilities?.includes(SECURE_AGGREGATION_CAPABILITY)) return true;
      const reason = `site ${siteId} cannot join run ${this.runId}: the run uses secure aggregation and the site did not announce the ${SECURE_AGGREGATION_CAPABILITY} capability (update its agent)`;
      this.ctx.logger.warn?.(reason);
      this.ctx.store.audit.append({ actor: 'coordinator', action: 'site.not-admitted', subject: this.runId, details: { siteId, reason } });
      return false;
    });
  }

  /** Resolves once every event queued so far has been handled (replies go out earlier). */
  settled(): Promise<void> {
    return this.chain;
  }

  /** Stops the deadline timer (application shutdown). */
  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.clearSiteWait();
    this.evaluations.dispose();
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    const next = this.chain.then(work, work);
    this.chain = next.catch((error: unknown) => this.ctx.logger.error(`run ${this.runId}: ${(error as Error).stack ?? String(error)}`));
    return next;
  }

  private async handle(event: RunEvent, incoming?: IncomingResult): Promise<void> {
    const { state, commands, ignored } = transition(this.state, event);
    this.state = state;
    if (ignored) this.ctx.logger.debug?.(`run ${this.runId}: ${ignored}`);
    for (const command of commands) {
      const followUps = await this.execute(command, incoming);
      for (const followUp of followUps) await this.handle(followUp);
    }
  }

  private async execute(command: RunCommand, incoming?: IncomingResult): Promise<RunEvent[]> {
    const { store } = this.ctx;
    const at = () => this.ctx.now();
    switch (command.type) {
      case 'waitForSites': {
        this.clearSiteWait();
        if (command.deadlineAt !== null) {
          this.siteWaitTimer = setTimeout(() => void this.dispatch({ type: 'siteWaitExpired', at: this.ctx.now() }), Math.max(0, command.deadlineAt - this.ctx.now()));
        }
        const limit = command.deadlineAt === null ? 'no time limit' : `until ${new Date(command.deadlineAt).toISOString()}`;
        this.ctx.logger.log(`run ${this.runId}: waiting for sites (${command.connected}/${command.needed} connected, ${limit})`);
        return [];
      }
      case 'proposeVocabulary':
        this.clearSiteWait();
        return [await this.proposeVocabulary(command.siteIds)];
      case 'beginAttempt': {
        store.rounds.open({ runId: command.runId, round: command.round, attempt: command.attempt, phase: command.phase, deadlineAt: command.deadlineAt });
        this.kept.clear();
        this.acceptedRows.clear();
        this.maskedKept.clear();
        this.secAgg = undefined;
        // Tasks of this round's earlier attempts stay known, so their late results are named as such.
        for (const [id, task] of this.tasksSent) if (task.round !== command.round) this.tasksSent.delete(id);
        this.armDeadline(command.round, command.attempt, command.deadlineAt);
        this.ctx.logger.log(`run ${this.runId}: round ${command.round} (${command.phase}, attempt ${command.attempt}) begins`);
        return [];
      }
      case 'openRound':
        return [await this.openRound(command)];
      case 'acceptResult': {
        const { result } = incoming!;
        this.kept.set(command.siteId, { siteId: command.siteId, recordCount: result.recordCount, ...(result.localSteps !== undefined ? { localSteps: result.localSteps } : {}), weights: result.weights, metrics: result.metrics });
        // Written with the attempt's outcome (see acceptedRows), so no commit here.
        this.acceptedRows.set(command.siteId, { runId: command.runId, round: command.round, attempt: command.attempt, siteId: command.siteId, recordCount: result.recordCount, accepted: true, metrics: result.metrics, receivedAt: at() });
        if (incoming!.masked) this.maskedKept.set(command.siteId, incoming!.masked);
        incoming!.reply(replyTo(incoming!.request, 'ack', {}));
        return [];
      }
      case 'rejectResult': {
        const { rejection } = command;
        incoming?.reply(errorEnvelope(new ProtocolError(rejection.code, rejection.reason), incoming.request.messageId));
        store.transaction(() => {
          store.audit.append({ actor: `site:${command.siteId}`, action: 'result.rejected', subject: command.runId, details: { round: command.round, kind: rejection.kind, code: rejection.code, reason: rejection.reason } });
          // Only an invalid update belongs to this attempt; stale and duplicate results are audited only.
          if (rejection.kind === 'invalidUpdate' && incoming) {
            store.rounds.recordContribution({ runId: command.runId, round: command.round, attempt: incoming.attempt, siteId: command.siteId, recordCount: incoming.result.recordCount, accepted: false, rejection: { code: rejection.code, reason: rejection.reason } });
          }
        });
        this.ctx.logger.warn?.(`run ${this.runId}: result of site ${command.siteId} for round ${command.round} rejected (${rejection.code}): ${rejection.reason}`);
        return [];
      }
      case 'aggregate': {
        const key = { round: command.round, attempt: command.attempt };
        try {
          store.rounds.markAggregating({ runId: command.runId, ...key });
          const results = command.results.map((r) => this.kept.get(r.siteId)!);
          this.pending = this.options.secureAggregation
            ? await this.secureAggregate(results, command.failures, key)
            : this.strategy.aggregateTrain({ round: command.round, results, failures: command.failures, globalWeights: this.globalWeights!, state: this.strategyState });
          return [{ type: 'aggregated', at: at(), ...key }];
        } catch (error) {
          return [{ type: 'aggregationFailed', at: at(), ...key, reason: (error as Error).message, ...this.unmaskedFinality(key) }];
        }
      }
      case 'writeCheckpoint': {
        const key = { runId: command.runId, round: command.round, attempt: command.attempt };
        try {
          const output = this.pending!;
          const checkpoint = await this.ctx.checkpoints.save({ runId: command.runId, round: command.round, weights: output.weights });
          const strategyState = output.state.length > 0 ? await this.ctx.checkpoints.save({ runId: command.runId, round: command.round, kind: 'strategy-state', weights: output.state }) : null;
          // Which sites the new global model came from, beside the round's record, in one commit.
          // With their local steps when reported: FedNova's weights, so its checkpoint can be re-derived.
          const contributors = [...this.kept.values()]
            .map((r) => ({ siteId: r.siteId, recordCount: r.recordCount, ...(r.localSteps !== undefined ? { localSteps: r.localSteps } : {}) }))
            .sort((a, b) => (a.siteId < b.siteId ? -1 : 1));
          store.transaction(() => {
            store.rounds.recordContributions([...this.acceptedRows.values()]);
            store.rounds.complete(key, { checkpoint, strategyState, metrics: { ...output.metrics, ...output.summary } });
            store.audit.append({ actor: 'coordinator', action: 'round.completed', subject: command.runId, details: { round: command.round, attempt: command.attempt, phase: command.phase, sites: contributors, checkpointSha256: checkpoint.sha256 } });
          });
          this.acceptedRows.clear();
          this.maskedKept.clear();
          this.globalWeights = output.weights;
          this.strategyState = output.state;
          this.pending = undefined;
          this.ctx.logger.log(`run ${this.runId}: round ${command.round} (${command.phase}) checkpointed, ${output.summary.siteCount} sites, ${output.summary.recordCount} records`);
          return [{ type: 'checkpointed', at: at(), round: command.round, attempt: command.attempt }];
        } catch (error) {
          return [{ type: 'checkpointFailed', at: at(), round: command.round, attempt: command.attempt, reason: (error as Error).message, ...this.unmaskedFinality(command) }];
        }
      }
      case 'roundFailed': {
        this.clearDeadline();
        this.kept.clear();
        this.maskedKept.clear();
        const rows = [...this.acceptedRows.values()];
        this.acceptedRows.clear();
        store.transaction(() => {
          // Absent when the attempt was never opened in the store (e.g. a stop during the vocabulary).
          const status = store.rounds.findByKey(command)?.status;
          if (status === 'open' || status === 'aggregating') {
            // The failed attempt's accepted results stay on record, as the completed ones do.
            store.rounds.recordContributions(rows);
            store.rounds.fail(command, command.reason);
          }
          store.audit.append({ actor: 'coordinator', action: 'round.failed', subject: command.runId, details: { round: command.round, attempt: command.attempt, reason: command.reason, willRetry: command.willRetry } });
        });
        this.ctx.logger.warn?.(`run ${this.runId}: round ${command.round} attempt ${command.attempt} failed: ${command.reason}`);
        return [];
      }
      case 'evaluate':
        // Not awaited: the next round begins while the sites evaluate this one.
        this.evaluationWeights(command.round, this.globalWeights!)
          .then((weights) => this.evaluations.start(command.round, command.siteIds, weights))
          .catch((error: unknown) => {
            this.ctx.logger.error(`run ${this.runId}: evaluation of round ${command.round} not started: ${(error as Error).message}`);
          });
        return [];
      case 'completeRun':
        return this.finish('completed');
      case 'failRun':
        return this.finish('failed', command.reason);
      case 'stopRun':
        return this.finish('stopped', command.reason);
    }
  }

  private async proposeVocabulary(siteIds: readonly string[]): Promise<RunEvent> {
    const sessions = siteIds.map((id) => this.ctx.sessions.get(id)).filter((s) => s?.summary !== undefined).map((s) => s!);
    const { codeLevel, minCodeCount, fixed } = this.options.vocabulary;
    const outcome = await agreeVocabulary({ runId: this.runId, sessions, codeLevel, minCodeCount, ...(fixed ? { fixed } : {}), ...(this.wantsPooledTarget ? { codeCountsWanted: true } : {}) });
    if (!outcome.ok) return { type: 'vocabularyFailed', at: this.ctx.now(), reason: outcome.reason };
    if (this.wantsPooledTarget) {
      const problem = this.setPooledTarget(outcome.counts, outcome.vocabulary.codes.length);
      if (problem) return { type: 'vocabularyFailed', at: this.ctx.now(), reason: problem };
    }
    this.vocabulary = outcome.vocabulary;
    this.ctx.store.runs.setVocabulary(this.runId, outcome.vocabulary);
    this.globalWeights = this.initialWeights(outcome.vocabulary.codes.length);
    this.ctx.logger.log(`run ${this.runId}: ${vocabularySource(this.options.vocabulary)} vocabulary of ${outcome.vocabulary.codes.length} codes agreed by ${sessions.length} sites`);
    return { type: 'vocabularyAgreed', at: this.ctx.now() };
  }

  /**
   * What the sites score after a GAN round: the generator the run exports at that round
   * (averaged over its GAN rounds, see generator/averaged-generator.ts). After an autoencoder
   * round, the round's global weights.
   */
  private async evaluationWeights(round: number, global: WeightSet): Promise<WeightSet> {
    const record = this.ctx.store.rounds.list(this.runId).find((r) => r.round === round && r.status === 'completed');
    if (record?.phase !== 'gan' || !this.vocabulary) return global;
    return averagedGeneratorWeights({ rounds: this.ctx.store.rounds, checkpoints: this.ctx.checkpoints, runId: this.runId, round, options: this.options, vocabularySize: this.vocabulary.codes.length });
  }

  /**
   * Round 0 starts from createModel with the run's architecture, seeded by train.seed. Not
   * checkpointed: the same options, vocabulary and seed rebuild exactly these weights.
   */
  private initialWeights(vocabularySize: number): WeightSet {
    const model = createModel(this.options.modelFamily, { ...this.options.model, vocabularySize, initSeed: this.options.train.seed });
    try {
      return getWeights(model).map((w) => ({ name: w.name, shape: [...w.shape], data: w.values }));
    } finally {
      model.dispose();
    }
  }

  private async openRound(command: Extract<RunCommand, { type: 'openRound' }>): Promise<RunEvent> {
    const available = command.availableSiteIds.map((siteId) => ({ siteId, recordCount: this.ctx.sessions.get(siteId)?.summary?.recordCount ?? 1 }));
    const { localEpochs, localSteps, batchSize, learningRate, seed } = this.options.train;
    const instructions = this.strategy.configureTrain({
      round: command.round,
      availableSites: available,
      globalWeights: this.globalWeights!,
      options: { localEpochs, ...(localSteps !== undefined ? { localSteps } : {}), batchSize, learningRate, seed, extra: {} },
    });
    const extra = encodeModelSpec(this.options.model);
    // Never fall back to the sites' own prevalences silently: that would be another run.
    if (this.wantsPooledTarget && !this.pooledTarget && command.phase === 'gan') {
      return { type: 'roundOpened', at: this.ctx.now(), round: command.round, attempt: command.attempt, selected: [], failure: 'pooled marginal matching: the run has no pooled prevalences' };
    }
    // Secure aggregation: keys, roster and shares before any task; only the masking set trains.
    const secAgg = await this.setUpSecureAggregation(command, instructions.map((i) => i.siteId));
    if (secAgg && !secAgg.ok) return { type: 'roundOpened', at: this.ctx.now(), round: command.round, attempt: command.attempt, selected: [], failure: secAgg.reason };
    const secureAggregation = secAgg?.ok ? secAgg.setUp.settings : undefined;
    // Under DP the strategy's batch size is the expected Poisson batch; each site derives q from its record count.
    const dp = this.options.dp ? { ...this.options.dp, expectedBatchSize: batchSize } : undefined;
    // Marginal matching: noise 0 asks for the sites' exact prevalences (runs without dp only).
    const marginals = this.options.marginals
      ? { weight: this.options.marginals.weight, noiseMultiplier: this.options.marginals.noiseMultiplier ?? 0, ...(this.pooledTarget ? { pooledPrevalence: this.pooledTarget, ...(this.options.marginals.correctBatchMeans ? { correctBatchMeans: true } : {}) } : {}) }
      : undefined;
    const refused: { siteId: string; reason: string }[] = [];
    // A site that does not take its task is not selected; the machine then checks the quorum.
    const taken = await Promise.all(
      instructions.map(async (instruction) => {
        const session = this.ctx.sessions.get(instruction.siteId);
        if (!session) return null;
        if (secureAggregation && !secureAggregation.maskingSet.includes(instruction.siteId)) return null;
        const task: Envelope = createEnvelope('trainTask', {
          runId: command.runId,
          round: command.round,
          phase: command.phase,
          modelFamily: this.options.modelFamily,
          weights: instruction.weights,
          options: { ...instruction.options, extra: { ...instruction.options.extra, ...extra } },
          deadlineUnixMs: command.deadlineAt,
          ...(dp ? { dp } : {}),
          ...(marginals && command.phase === 'gan' ? { marginals } : {}),
          ...(secureAggregation ? { secureAggregation } : {}),
        });
        this.tasksSent.set(task.messageId, { siteId: instruction.siteId, round: command.round, attempt: command.attempt });
        try {
          expectBody(await session.request(task), 'ack');
          return instruction.siteId;
        } catch (error) {
          this.ctx.logger.warn?.(`run ${this.runId}: site ${instruction.siteId} did not take round ${command.round}: ${(error as Error).message}`);
          // Only the site's own Error answer is a refusal; a timeout or a disconnect is not.
          if (error instanceof ProtocolError && error.code !== 'TIMEOUT') {
            refused.push({ siteId: instruction.siteId, reason: `${error.code}: ${error.reason}` });
            // A site's refusal (its privacy budget spent, ...) is part of the run's record.
            this.ctx.store.audit.append({ actor: `site:${instruction.siteId}`, action: 'task.refused', subject: command.runId, details: { round: command.round, attempt: command.attempt, code: error.code, reason: error.reason } });
          }
          return null;
        }
      }),
    );
    const selected = taken.filter((s): s is string => s !== null);
    refused.sort((a, b) => (a.siteId < b.siteId ? -1 : a.siteId > b.siteId ? 1 : 0));
    return { type: 'roundOpened', at: this.ctx.now(), round: command.round, attempt: command.attempt, selected, ...(refused.length > 0 ? { refused } : {}) };
  }

  /** Steps 1–2 of secure aggregation for the selected sites (undefined when the run does not use it). */
  private async setUpSecureAggregation(command: Extract<RunCommand, { type: 'openRound' }>, siteIds: string[]): Promise<SecAggSetUpOutcome | undefined> {
    const options = this.options.secureAggregation;
    if (!options) return undefined;
    const outcome = await setUpSecureAggregation({
      runId: command.runId,
      round: command.round,
      siteIds,
      peer: (siteId) => this.ctx.sessions.get(siteId),
      ...(options.threshold !== undefined ? { threshold: options.threshold } : {}),
      clip: options.clip ?? DEFAULT_SECAGG_CLIP,
      warn: (line) => this.ctx.logger.warn?.(`run ${this.runId}: round ${command.round}: ${line}`),
    });
    if (outcome.ok) {
      this.secAgg = outcome.setUp;
      const { threshold, maskingSet, scale } = outcome.setUp.settings;
      this.ctx.logger.log(`run ${this.runId}: round ${command.round} secure aggregation: ${maskingSet.length} sites masking, threshold ${threshold}, fixed-point scale ${scale}`);
    }
    return outcome;
  }

  /**
   * The round's new global weights from the masked updates: survivors reveal what removes
   * the masks, the coordinator learns Σ n_i·Δ_i and Σ n_i only, and sets global + the mean.
   * The aggregate (not any single update: those stay hidden) is then checked for layout,
   * finite values and the update-norm bound.
   */
  /**
   * A failure after this attempt's survivors revealed their shares is final: retrying the round
   * over another survivor set would give the coordinator two sums whose difference is close to
   * one site's update (the sites train from the same weights on the same records again).
   */
  private unmaskedFinality(key: { round: number; attempt: number }): { final?: true } {
    return this.unmaskedAt?.round === key.round && this.unmaskedAt.attempt === key.attempt ? { final: true } : {};
  }

  private async secureAggregate(results: readonly SiteTrainResult[], failures: AggregateTrainInput['failures'], key: { round: number; attempt: number }): Promise<AggregateTrainOutput> {
    const setUp = this.secAgg;
    if (!setUp) throw new Error('secure aggregation: the round has no set-up');
    const global = this.globalWeights!;
    // From here a retry of this round could unmask a second sum over other survivors.
    this.unmaskedAt = { ...key };
    const unmasked = await unmaskMean(setUp, this.maskedKept, (siteId) => this.ctx.sessions.get(siteId), (line) => this.ctx.logger.warn?.(`run ${this.runId}: round ${setUp.round}: ${line}`));
    const weights = applyUpdate(global, unmasked.mean);
    const checked = validateUpdate(weights, global, { maxRelativeNorm: this.ctx.config.rounds.maxRelativeUpdateNorm, label: 'the unmasked aggregate' });
    if (!checked.ok) throw new Error(`secure aggregation: the unmasked aggregate was refused (${checked.code}): ${checked.reason}`);
    const survivors = new Set(unmasked.survivors);
    const contributing = results.filter((r) => survivors.has(r.siteId));
    this.ctx.logger.log(`run ${this.runId}: round ${setUp.round} unmasked: ${unmasked.survivors.length} sites, ${unmasked.totalWeight} records${unmasked.dropped.length > 0 ? `, dropped after sharing: ${unmasked.dropped.join(', ')}` : ''}`);
    return {
      weights,
      metrics: weightedMetrics(contributing),
      summary: { siteCount: unmasked.survivors.length, recordCount: unmasked.totalWeight, failureCount: failures.length },
      state: [],
    };
  }

  private finish(status: 'completed' | 'failed' | 'stopped', reason?: string): RunEvent[] {
    this.clearDeadline();
    this.clearSiteWait();
    this.tasksSent.clear();
    const run = this.ctx.store.runs.get(this.runId);
    if (run.status === 'running' || (status !== 'completed' && run.status === 'created')) {
      this.ctx.store.runs.finish(this.runId, { status, ...(reason ? { error: reason } : {}) });
    }
    this.ctx.store.audit.append({ actor: 'coordinator', action: `run.${status}`, subject: this.runId, ...(reason ? { details: { reason } } : {}) });
    this.ctx.logger.log(`run ${this.runId} ${status}${reason ? `: ${reason}` : ''}`);
    return [];
  }

  private armDeadline(round: number, attempt: number, deadlineAt: number): void {
    this.clearDeadline();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.dispatch({ type: 'deadlineExpired', at: this.ctx.now(), round, attempt });
    }, Math.max(0, deadlineAt - this.ctx.now()));
  }

  private clearDeadline(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private clearSiteWait(): void {
    if (this.siteWaitTimer) clearTimeout(this.siteWaitTimer);
    this.siteWaitTimer = undefined;
  }
}
