import { createModel, getWeights, type Vocabulary } from '@fedsynth/gan';
import {
  createEnvelope,
  expectBody,
  ProtocolError,
  replyTo,
  errorEnvelope,
  type Envelope,
  type TrainResult,
  type WeightSet,
} from '@fedsynth/protocol';
import type { ContributionInput } from '../store/round.repository';
import type { RunRecord } from '../store/run.repository';
import type { RunCommand, RunEvent, RunState } from '../rounds/round-state';
import { restoreRunState } from '../rounds/restore-run-state';
import { createRunState, screenResult, transition } from '../rounds/round-state-machine';
import { createStrategy } from '../strategies/create-strategy';
import type { AggregateTrainOutput, SiteTrainResult, Strategy } from '../strategies/strategy';
import { validateUpdate } from '../updates/validate-update';
import { encodeModelSpec } from './model-spec';
import type { RunContext } from './run-context';
import { RunEvaluations } from './run-evaluations';
import { checkRunOptions, type FederatedRunOptions } from './run-options';
import { agreeVocabulary, proposeTo, vocabularySource } from './vocabulary-agreement';

/** A TrainResult being handled: its weights, and where its one reply goes. */
interface IncomingResult {
  readonly siteId: string;
  readonly request: Envelope;
  readonly result: TrainResult;
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
  private globalWeights: WeightSet | undefined;
  private vocabulary: Vocabulary | undefined;
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
  async admit(siteIds: readonly string[]): Promise<string[]> {
    if (!this.vocabulary) return [...siteIds];
    const { codeLevel, minCodeCount } = this.options.vocabulary;
    const source = vocabularySource(this.options.vocabulary);
    const codes = [...this.vocabulary.codes];
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
      const admitted = this.state.vocabularyAgreed ? await this.admit([siteId]) : [siteId];
      if (admitted.length === 0) return;
      await this.handle({ type: 'siteJoined', at: this.ctx.now(), siteId });
    });
  }

  /** Screens, validates and hands a TrainResult to the machine; resolves with the one reply for the site. */
  submitResult(siteId: string, request: Envelope, result: TrainResult): Promise<Envelope> {
    return new Promise<Envelope>((resolve) => {
      let replied = false;
      const reply = (envelope: Envelope) => {
        if (!replied) resolve(envelope);
        replied = true;
      };
      void this.enqueue(async () => {
        const at = this.ctx.now();
        const incoming: IncomingResult = { siteId, request, result, attempt: this.state.round?.attempt ?? 0, reply };
        const task = this.tasksSent.get(request.inReplyTo);
        const attempt = task && task.siteId === siteId && task.round === result.round ? task.attempt : null;
        // Validation is costly and needs the global weights: only results that pass screening get it.
        const screened = screenResult(this.state, { runId: result.runId, siteId, round: result.round, phase: result.phase, attempt, at });
        let verdict: Extract<RunEvent, { type: 'resultReceived' }>['verdict'];
        if (!screened) {
          const checked = validateUpdate(result.weights, this.globalWeights!, { maxRelativeNorm: this.ctx.config.rounds.maxRelativeUpdateNorm });
          verdict = checked.ok ? { ok: true } : { ok: false, code: checked.wireCode, reason: checked.reason };
        }
        const event: RunEvent = { type: 'resultReceived', at, runId: result.runId, siteId, round: result.round, phase: result.phase, attempt, recordCount: result.recordCount, ...(verdict ? { verdict } : {}) };
        await this.handle(event, incoming);
      })
        .finally(() => reply(errorEnvelope(new ProtocolError('INTERNAL', 'the result was not handled'), request.messageId)))
        .catch(() => undefined);
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
        this.kept.set(command.siteId, { siteId: command.siteId, recordCount: result.recordCount, weights: result.weights, metrics: result.metrics });
        // Written with the attempt's outcome (see acceptedRows), so no commit here.
        this.acceptedRows.set(command.siteId, { runId: command.runId, round: command.round, attempt: command.attempt, siteId: command.siteId, recordCount: result.recordCount, accepted: true, metrics: result.metrics, receivedAt: at() });
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
          this.pending = this.strategy.aggregateTrain({ round: command.round, results, failures: command.failures, globalWeights: this.globalWeights!, state: this.strategyState });
          return [{ type: 'aggregated', at: at(), ...key }];
        } catch (error) {
          return [{ type: 'aggregationFailed', at: at(), ...key, reason: (error as Error).message }];
        }
      }
      case 'writeCheckpoint': {
        const key = { runId: command.runId, round: command.round, attempt: command.attempt };
        try {
          const output = this.pending!;
          const checkpoint = await this.ctx.checkpoints.save({ runId: command.runId, round: command.round, weights: output.weights });
          const strategyState = output.state.length > 0 ? await this.ctx.checkpoints.save({ runId: command.runId, round: command.round, kind: 'strategy-state', weights: output.state }) : null;
          // Which sites the new global model came from, beside the round's record, in one commit.
          const contributors = [...this.kept.values()].map((r) => ({ siteId: r.siteId, recordCount: r.recordCount })).sort((a, b) => (a.siteId < b.siteId ? -1 : 1));
          store.transaction(() => {
            store.rounds.recordContributions([...this.acceptedRows.values()]);
            store.rounds.complete(key, { checkpoint, strategyState, metrics: { ...output.metrics, ...output.summary } });
            store.audit.append({ actor: 'coordinator', action: 'round.completed', subject: command.runId, details: { round: command.round, attempt: command.attempt, phase: command.phase, sites: contributors, checkpointSha256: checkpoint.sha256 } });
          });
          this.acceptedRows.clear();
          this.globalWeights = output.weights;
          this.strategyState = output.state;
          this.pending = undefined;
          this.ctx.logger.log(`run ${this.runId}: round ${command.round} (${command.phase}) checkpointed, ${output.summary.siteCount} sites, ${output.summary.recordCount} records`);
          return [{ type: 'checkpointed', at: at(), round: command.round, attempt: command.attempt }];
        } catch (error) {
          return [{ type: 'checkpointFailed', at: at(), round: command.round, attempt: command.attempt, reason: (error as Error).message }];
        }
      }
      case 'roundFailed': {
        this.clearDeadline();
        this.kept.clear();
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
        this.evaluations.start(command.round, command.siteIds, this.globalWeights!).catch((error: unknown) => {
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
    const outcome = await agreeVocabulary({ runId: this.runId, sessions, codeLevel, minCodeCount, ...(fixed ? { fixed } : {}) });
    if (!outcome.ok) return { type: 'vocabularyFailed', at: this.ctx.now(), reason: outcome.reason };
    this.vocabulary = outcome.vocabulary;
    this.ctx.store.runs.setVocabulary(this.runId, outcome.vocabulary);
    this.globalWeights = this.initialWeights(outcome.vocabulary.codes.length);
    this.ctx.logger.log(`run ${this.runId}: ${vocabularySource(this.options.vocabulary)} vocabulary of ${outcome.vocabulary.codes.length} codes agreed by ${sessions.length} sites`);
    return { type: 'vocabularyAgreed', at: this.ctx.now() };
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
    const { localEpochs, batchSize, learningRate, seed } = this.options.train;
    const instructions = this.strategy.configureTrain({
      round: command.round,
      availableSites: available,
      globalWeights: this.globalWeights!,
      options: { localEpochs, batchSize, learningRate, seed, extra: {} },
    });
    const extra = encodeModelSpec(this.options.model);
    // A site that does not take its task is not selected; the machine then checks the quorum.
    const taken = await Promise.all(
      instructions.map(async (instruction) => {
        const session = this.ctx.sessions.get(instruction.siteId);
        if (!session) return null;
        const task: Envelope = createEnvelope('trainTask', {
          runId: command.runId,
          round: command.round,
          phase: command.phase,
          modelFamily: this.options.modelFamily,
          weights: instruction.weights,
          options: { ...instruction.options, extra: { ...instruction.options.extra, ...extra } },
          deadlineUnixMs: command.deadlineAt,
        });
        this.tasksSent.set(task.messageId, { siteId: instruction.siteId, round: command.round, attempt: command.attempt });
        try {
          expectBody(await session.request(task), 'ack');
          return instruction.siteId;
        } catch (error) {
          this.ctx.logger.warn?.(`run ${this.runId}: site ${instruction.siteId} did not take round ${command.round}: ${(error as Error).message}`);
          return null;
        }
      }),
    );
    const selected = taken.filter((s): s is string => s !== null);
    return { type: 'roundOpened', at: this.ctx.now(), round: command.round, attempt: command.attempt, selected };
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
