import {
  createEnvelope,
  errorEnvelope,
  expectBody,
  ProtocolError,
  replyTo,
  type Envelope,
  type ErrorReply,
  type EvalResult,
  type WeightSet,
} from '@fedsynth/protocol';
import type { Strategy } from '../strategies/strategy';
import { EvaluationRound, type EvaluationFailure } from './evaluation-round';
import { encodeModelSpec } from './model-spec';
import type { RunContext } from './run-context';
import type { FederatedRunOptions } from './run-options';

/**
 * The evaluation rounds of one run: after a round the driver hands over the new global
 * weights; EvalTasks go to the strategy's chosen sites; their EvalResults (aggregate metrics
 * and held-out record counts) are collected until every asked site answered or the deadline
 * passed, combined with `strategy.aggregateEvaluate` and stored. Runs beside the round loop
 * and never blocks or fails it: a failed site, or an evaluation nobody answered, is recorded
 * and training goes on.
 */
export class RunEvaluations {
  private readonly open = new Map<number, { evaluation: EvaluationRound; timer: NodeJS.Timeout; taskIds: Map<string, string> }>();

  constructor(
    private readonly runId: string,
    private readonly ctx: RunContext,
    private readonly strategy: Strategy,
    private readonly options: FederatedRunOptions,
    /** How long the sites have to answer (the plan's round deadline). */
    private readonly deadlineMs: number,
  ) {}

  /** Sends the global weights of `round` to the sites chosen among `siteIds`; resolves once the tasks are out. */
  async start(round: number, siteIds: readonly string[], weights: WeightSet): Promise<void> {
    const { store, sessions } = this.ctx;
    const available = siteIds.filter((id) => sessions.get(id)).map((siteId) => ({ siteId, recordCount: sessions.get(siteId)?.summary?.recordCount ?? 1 }));
    // Evaluation samples are seeded like training (the site derives nothing from other sites).
    const instructions = this.strategy.configureEvaluate({
      round,
      availableSites: available,
      globalWeights: weights,
      options: { sampleCount: 0, seed: this.options.train.seed, metrics: [], extra: {} },
    });
    if (instructions.length === 0) {
      this.ctx.logger.warn?.(`run ${this.runId}: no connected site to evaluate round ${round}`);
      return;
    }
    const deadlineAt = this.ctx.now() + this.deadlineMs;
    const evaluation = new EvaluationRound(this.runId, round, instructions.map((i) => i.siteId), deadlineAt);
    store.evaluations.begin({ runId: this.runId, round, askedSiteIds: evaluation.askedSiteIds, deadlineAt });
    const timer = setTimeout(() => this.finish(round), Math.max(0, deadlineAt - this.ctx.now()));
    const taskIds = new Map<string, string>();
    this.open.set(round, { evaluation, timer, taskIds });
    this.ctx.logger.log(`run ${this.runId}: evaluating round ${round} at ${evaluation.askedSiteIds.length} site(s)`);

    const extra = encodeModelSpec(this.options.model);
    await Promise.all(
      instructions.map(async (instruction) => {
        const task = createEnvelope('evalTask', {
          runId: this.runId,
          round,
          modelFamily: this.options.modelFamily,
          weights: instruction.weights,
          options: { ...instruction.options, extra: { ...instruction.options.extra, ...extra } },
          deadlineUnixMs: deadlineAt,
        });
        taskIds.set(instruction.siteId, task.messageId);
        try {
          const session = sessions.get(instruction.siteId);
          if (!session) throw new ProtocolError('TIMEOUT', 'the site left before its task was sent');
          expectBody(await session.request(task), 'ack');
        } catch (error) {
          const failure = new ProtocolError(error instanceof ProtocolError ? error.code : 'TIMEOUT', `did not take the evaluation task: ${(error as Error).message}`);
          this.recordFailure(round, instruction.siteId, failure.code, failure.reason);
        }
      }),
    );
  }

  /** An EvalResult from a site: recorded and answered with Ack, or refused with a typed Error. */
  submitResult(siteId: string, request: Envelope, result: EvalResult): Envelope {
    const entry = this.open.get(result.round);
    const rejection = entry
      ? entry.evaluation.screen(siteId, result, this.ctx.now())
      : { code: 'STALE_ROUND' as const, reason: `run ${this.runId} has no evaluation of round ${result.round} in progress` };
    if (rejection) {
      this.ctx.store.audit.append({ actor: `site:${siteId}`, action: 'evaluation.rejected', subject: this.runId, details: { round: result.round, ...rejection } });
      this.ctx.logger.warn?.(`run ${this.runId}: evaluation result of site ${siteId} for round ${result.round} refused (${rejection.code}): ${rejection.reason}`);
      return errorEnvelope(new ProtocolError(rejection.code, rejection.reason), request.messageId);
    }
    entry!.evaluation.accept(siteId, result);
    this.ctx.store.evaluations.recordSite({ runId: this.runId, round: result.round }, { siteId, recordCount: result.recordCount, metrics: result.metrics });
    if (entry!.evaluation.done) this.finish(result.round);
    return replyTo(request, 'ack', {});
  }

  /**
   * An Error a site sent in reply to one of this run's EvalTasks (its evaluation failed).
   * Returns false when `inReplyTo` names none of the open evaluations' tasks to that site.
   */
  submitError(siteId: string, inReplyTo: string, error: ErrorReply): boolean {
    for (const [round, entry] of this.open) {
      if (entry.taskIds.get(siteId) === inReplyTo) {
        this.recordFailure(round, siteId, error.code, error.reason);
        return true;
      }
    }
    return false;
  }

  /** A site left: it will not answer the evaluations it was asked for. */
  siteLeft(siteId: string): void {
    for (const round of [...this.open.keys()]) this.recordFailure(round, siteId, 'TIMEOUT', 'the site disconnected before answering');
  }

  /** Rounds whose evaluation is still collecting. */
  get collecting(): number[] {
    return [...this.open.keys()].sort((a, b) => a - b);
  }

  /** Stops the deadline timers (application shutdown); stored evaluations stay collecting until a restart marks them. */
  dispose(): void {
    for (const entry of this.open.values()) clearTimeout(entry.timer);
    this.open.clear();
  }

  private recordFailure(round: number, siteId: string, code: string, reason: string): void {
    const entry = this.open.get(round);
    if (!entry || !entry.evaluation.fail(siteId, code, reason)) return;
    this.ctx.store.evaluations.recordSite({ runId: this.runId, round }, { siteId, error: { code, reason } });
    this.ctx.logger.warn?.(`run ${this.runId}: site ${siteId} gave no evaluation of round ${round} (${code}): ${reason}`);
    if (entry.evaluation.done) this.finish(round);
  }

  /** Closes an evaluation (all answered, or its deadline): silent sites are noted, the rest combined. */
  private finish(round: number): void {
    const entry = this.open.get(round);
    if (!entry) return;
    this.open.delete(round);
    clearTimeout(entry.timer);
    const key = { runId: this.runId, round };
    try {
      const { results, failures, timedOut } = entry.evaluation.close();
      for (const f of timedOut) this.ctx.store.evaluations.recordSite(key, { siteId: f.siteId, error: { code: f.code, reason: f.reason } });
      const combined = this.strategy.aggregateEvaluate({ round, results, failures: failures.map((f) => ({ siteId: f.siteId, reason: f.reason })) });
      if (results.length === 0) {
        this.ctx.store.evaluations.fail(key, `no site returned an evaluation: ${describeFailures(failures)}`, combined.summary);
        this.ctx.logger.warn?.(`run ${this.runId}: evaluation of round ${round} failed: no site returned one (${describeFailures(failures)})`);
        return;
      }
      this.ctx.store.evaluations.complete(key, combined);
      this.ctx.logger.log(`run ${this.runId}: round ${round} evaluated at ${combined.summary.siteCount} site(s), ${combined.summary.recordCount} held-out records`);
    } catch (error) {
      // Never let an evaluation's bookkeeping break the run.
      this.ctx.logger.error(`run ${this.runId}: evaluation of round ${round} could not be recorded: ${(error as Error).message}`);
    }
  }
}

function describeFailures(failures: readonly EvaluationFailure[]): string {
  return failures.map((f) => `${f.siteId}: ${f.code} ${f.reason}`).join('; ') || 'none asked';
}
