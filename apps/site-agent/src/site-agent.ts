import { columnCounts, createVocabulary, type BinaryMatrix } from '@fedsynth/gan';
import {
  createEnvelope,
  DEFAULT_ACK_TIMEOUT_MS,
  encodeEnvelope,
  errorEnvelope,
  expectBody,
  FrameReceiver,
  handshakeAuth,
  ProtocolError,
  replyTo,
  SITES_NAMESPACE,
  vocabularyDigest,
  WIRE_EVENTS,
  type ClientToServerEvents,
  type Envelope,
  type EvalTask,
  type DataSummary,
  type Heartbeat,
  type ServerToClientEvents,
  type TrainResult,
  type TrainTask,
  SECURE_AGGREGATION_CAPABILITY,
  type VocabularyAgreement,
  type VocabularyProposal,
} from '@fedsynth/protocol';
import { io, type Socket } from 'socket.io-client';
import { requestOverFrames } from './frame-channel';
import { LocalEvaluator } from './local-evaluator';
import { LocalTrainer, type LocalDpPlan } from './local-trainer';
import { ProgressHeartbeats, trainProgress } from './progress-heartbeats';
import { refusalMessage, refusalReason } from './refusal-message';
import type { SiteAgentEvent, SiteAgentOptions, SiteAgentStop } from './site-agent-options';
import { coveredRecords, dataSummaryOf, droppedByVocabulary, loadSiteData, matrixOnVocabulary, type SiteData } from './site-data';
import { PrevalenceReleases } from './prevalence-release';
import { SitePrivacyLedger } from './site-privacy';
import { SiteSecureAggregation } from './site-secure-aggregation';
import { releaseVocabulary } from './vocabulary-release';

const AGENT_VERSION = '0.1.0';

/**
 * A connect_error's message, with the transport's own cause when there is one: Socket.IO
 * says only "websocket error", the cause says why (an untrusted certificate, a refused
 * port, plain http against an https coordinator...).
 */
function describeConnectError(error: Error): string {
  const description = (error as Error & { description?: unknown }).description;
  const cause = description instanceof Error ? description.message : (description as { message?: unknown } | undefined)?.message;
  return typeof cause === 'string' && cause !== '' && cause !== error.message ? `${error.message} (${cause})` : error.message;
}

/**
 * A hospital's agent: holds the site's records, announces only aggregates (record count,
 * codes held by ≥ k records), builds its matrix on the agreed vocabulary and answers each
 * TrainTask with locally trained weights. Tasks are acknowledged at once and trained one
 * after the other; the result goes back as a request of its own.
 *
 * Connection loss: network drops are retried by Socket.IO with backoff. A disconnect by the
 * coordinator is final for Socket.IO, so the agent decides: after an UNAUTHORIZED answer (the
 * site was revoked) it stops, and `stopped` resolves with the reason; otherwise (e.g. the
 * coordinator shutting down) it reconnects with backoff. A reconnection refused at the
 * handshake (revoked or replaced token, protocol version) stops it too, rather than leaving
 * it idle forever.
 */
export class SiteAgent {
  private socket: Socket<ServerToClientEvents, ClientToServerEvents> | undefined;
  private data: SiteData | undefined;
  private matrix: BinaryMatrix | undefined;
  /** The held-out records on the agreed vocabulary: evaluation only, never trained on. */
  private holdoutMatrix: BinaryMatrix | undefined;
  private readonly evaluator: LocalEvaluator;
  /** TrainTasks received but not started, and EvalTasks waiting for the training to be done. */
  private trainTasksWaiting = 0;
  private readonly evalTasksWaiting: Array<{ task: EvalTask; messageId: string }> = [];
  private readonly trainer: LocalTrainer;
  /** Keys, shares and masking of secure-aggregation rounds (Bonawitz et al.). */
  private readonly secureAggregation: SiteSecureAggregation;
  /** Everything this agent released from its records, and its budget (when it has one). */
  readonly privacy: SitePrivacyLedger;
  /** Code prevalences for marginal matching, one per run (a noisy release is charged to `privacy`). */
  private readonly prevalences = new PrevalenceReleases();
  /** The DataSummary announced on every (re)connection: computed once, so a noisy release is paid once. */
  private summary: DataSummary | undefined;
  /** The current task's progress, for the coordinator's dashboard. */
  private readonly heartbeats: ProgressHeartbeats;
  private work: Promise<void> = Promise.resolve();
  private closed = false;
  /** The reconnection after a BUSY refusal (connection-rate limit), pending. */
  private busyRetry: NodeJS.Timeout | undefined;
  /** The reconnection after a server-side disconnect, pending. */
  private serverDisconnectRetry: NodeJS.Timeout | undefined;
  /** Server-side disconnects since the last successful introduction: the exponent of their backoff. */
  private serverDisconnects = 0;
  /** An UNAUTHORIZED answer on this connection: the coordinator closes it next, and the agent stops. */
  private refusal: { code: string; reason: string } | undefined;
  private closing: Promise<void> | undefined;
  private resolveStopped: (stop: SiteAgentStop) => void = () => undefined;
  /**
   * Resolves (after `close()`) when the agent stopped on its own because the coordinator
   * revoked or refused this site once it had been in; pending while it runs, and after an
   * ordinary `close()`. A refusal of the first connection rejects `start()` instead.
   */
  readonly stopped: Promise<SiteAgentStop>;

  constructor(private readonly options: SiteAgentOptions) {
    this.stopped = new Promise((resolve) => {
      this.resolveStopped = resolve;
    });
    this.evaluator = new LocalEvaluator(options.evaluation);
    this.secureAggregation = new SiteSecureAggregation(options.siteId);
    this.privacy = new SitePrivacyLedger(options.privacy ? { epsilon: options.privacy.epsilon, delta: options.privacy.delta } : undefined, options.privacy?.ledgerFile);
    this.heartbeats = new ProgressHeartbeats({ send: (heartbeat) => this.sendHeartbeat(heartbeat), minIntervalMs: options.progressIntervalMs });
    this.trainer = new LocalTrainer({
      onLog: (log) => {
        this.heartbeats.update(trainProgress(log));
        this.emit({ type: 'trainLog', log });
      },
    });
  }

  /**
   * Reads the records, connects and introduces the site. Resolves once the coordinator has
   * taken the DataSummary; rejects when the first connection is refused (wrong token,
   * revoked site, protocol version), with the coordinator's message.
   */
  async start(): Promise<void> {
    this.data ??= await loadSiteData(this.options.data);
    const summary = (this.summary ??= this.announcement(this.data));
    this.log(`site ${this.options.siteId}: ${summary.recordCount} training records, ${summary.codes.length} codes held by ≥ ${summary.minCodeCount} records`);
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(this.options.url + SITES_NAMESPACE, {
      auth: handshakeAuth(this.options.siteId, this.options.token),
      reconnectionDelay: this.options.reconnectDelayMs ?? 1000,
      reconnectionDelayMax: this.options.reconnectDelayMaxMs ?? 30_000,
      transports: ['websocket'],
      ...(this.options.ca ? { ca: this.options.ca } : {}),
    });
    this.socket = socket;
    const receiver = new FrameReceiver();
    socket.on(WIRE_EVENTS.frame, (frame, ack) => {
      void this.onFrame(receiver, frame, ack);
    });
    socket.on('disconnect', (reason) => this.onDisconnect(socket, reason));
    await new Promise<void>((resolve, reject) => {
      let first = true;
      // Every (re)connection starts a new session: introduce the site again.
      socket.on('connect', () => {
        this.refusal = undefined;
        this.introduce().then(
          () => {
            this.serverDisconnects = 0;
            this.emit({ type: 'connected' });
            if (first) resolve();
            first = false;
          },
          (error: unknown) => {
            this.emit({ type: 'error', message: (error as Error).message });
            if (first) reject(error);
            first = false;
          },
        );
      });
      socket.on('connect_error', (error) => {
        // The coordinator's connection-rate limit (BUSY) says when to come back: wait, then retry.
        const refusal = (error as Error & { data?: { code?: unknown; retryAfterMs?: unknown } }).data;
        if (refusal?.code === 'BUSY' && !this.closed) {
          this.emit({ type: 'error', message: error.message });
          const wait = Math.min(Math.max(Number(refusal.retryAfterMs) || 1000, 100), this.options.reconnectDelayMaxMs ?? 30_000);
          clearTimeout(this.busyRetry);
          this.busyRetry = setTimeout(() => {
            if (!this.closed && !socket.connected) socket.connect();
          }, wait);
          return;
        }
        // Any other refusal by the coordinator's middleware is final (socket.io does not retry it).
        if (!socket.active || first) {
          const message = describeConnectError(error);
          this.emit({ type: 'error', message });
          if (first) {
            first = false;
            socket.disconnect();
            reject(new Error(`coordinator refused site ${this.options.siteId}: ${message}`));
          } else {
            // Refused on a reconnection: the token was revoked or replaced while the site was away.
            const code = typeof refusal?.code === 'string' ? refusal.code : 'UNKNOWN';
            this.stopFor(code, refusalReason(error.message, code));
          }
        }
      });
    });
  }

  /** Disconnects, then waits for the task in progress. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    clearTimeout(this.busyRetry);
    clearTimeout(this.serverDisconnectRetry);
    this.socket?.disconnect();
    await this.work.catch(() => undefined);
    this.trainer.dispose();
    this.evaluator.dispose();
  }

  private onDisconnect(socket: Socket<ServerToClientEvents, ClientToServerEvents>, reason: string): void {
    if (this.closed) return this.emit({ type: 'disconnected', reason, reconnecting: false });
    // Network drops, ping timeouts, a coordinator process gone: Socket.IO reconnects with its backoff.
    if (reason !== 'io server disconnect') return this.emit({ type: 'disconnected', reason, reconnecting: true });
    // The coordinator's UNAUTHORIZED answer and its disconnect can arrive in one read: the
    // answer is decoded in promise callbacks, so decide once those have run.
    setImmediate(() => this.afterServerDisconnect(socket, reason));
  }

  private afterServerDisconnect(socket: Socket<ServerToClientEvents, ClientToServerEvents>, reason: string): void {
    if (this.closed) return;
    const refusal = this.refusal;
    if (refusal) {
      this.emit({ type: 'disconnected', reason, reconnecting: false });
      this.stopFor(refusal.code, refusal.reason);
      return;
    }
    // Closed by the coordinator without a word (shutting down, or a revocation over its REST API):
    // come back with backoff. A revoked site is then refused at the handshake, which stops the agent.
    this.emit({ type: 'disconnected', reason, reconnecting: true });
    const base = this.options.reconnectDelayMs ?? 1000;
    const wait = Math.min(base * 2 ** this.serverDisconnects, this.options.reconnectDelayMaxMs ?? 30_000);
    this.serverDisconnects++;
    clearTimeout(this.serverDisconnectRetry);
    this.serverDisconnectRetry = setTimeout(() => {
      if (!this.closed && !socket.connected) socket.connect();
    }, wait);
  }

  /** The coordinator turned this site away for good: log why, close, and resolve `stopped`. */
  private stopFor(code: string, reason: string): void {
    if (this.closed) return;
    const message = refusalMessage(code, reason);
    this.log(`site ${this.options.siteId}: stopping: ${message}`);
    this.emit({ type: 'stopped', code, message });
    void this.close().then(() => this.resolveStopped({ code, reason, message }));
  }

  private async introduce(): Promise<void> {
    const welcome = expectBody(
      await this.request(createEnvelope('hello', { siteId: this.options.siteId, agentVersion: this.options.agentVersion ?? AGENT_VERSION, acceptedDtypes: [], capabilities: this.capabilities() })),
      'welcome',
    );
    this.log(`site ${this.options.siteId}: session ${welcome.sessionId} with coordinator ${welcome.coordinatorVersion}`);
    expectBody(await this.request(createEnvelope('dataSummary', { ...this.summary!, ...(this.privacy.budget ? { privacy: this.privacy.spent() } : {}) })), 'ack');
  }

  /**
   * What the site announces. With a privacy budget: codes from noisy counts, charged to the
   * budget (refused at start when that alone exceeds it); without: the exact k threshold.
   */
  private announcement(data: SiteData): DataSummary {
    const exact = dataSummaryOf(data);
    const budget = this.privacy.budget;
    if (!budget) return exact;
    const release = releaseVocabulary(data, exact.codeLevel, this.options.privacy?.vocabulary ?? {});
    const before = this.privacy.spent();
    // Checked before charging: a release refused here is never sent, so it costs nothing.
    const planned = this.privacy.epsilonWith(release.cost);
    if (!(planned <= budget.epsilon)) {
      throw new Error(
        `privacy budget exceeded: announcing this site's codes from noisy counts (z = ${release.cost.noiseMultiplier}) costs ε = ${planned.toFixed(3)} ` +
          `(from ${before.epsilon.toFixed(3)}), above the budget ε = ${budget.epsilon} (δ = ${budget.delta}); raise the budget or the vocabulary noise`,
      );
    }
    this.privacy.chargeRelease(release.cost);
    const spent = this.privacy.spent();
    this.log(
      `site ${this.options.siteId}: codes announced from noisy counts (noise sd ${release.noiseStd.toFixed(1)}, threshold ${release.threshold}): ` +
        `${release.codes.length} codes, ε spent ${spent.epsilon.toFixed(3)} of ${budget.epsilon} (δ = ${budget.delta})`,
    );
    return { ...exact, codes: release.codes };
  }

  /** Best effort: a lost heartbeat only delays the dashboard's progress bar. */
  private sendHeartbeat(heartbeat: Heartbeat): void {
    if (!this.socket?.connected) return;
    this.request(createEnvelope('heartbeat', heartbeat)).catch(() => undefined);
  }

  private async request(envelope: Envelope): Promise<Envelope> {
    // Not buffered for a later connection: the coordinator drops a site from the rounds and
    // evaluations it left, so an answer sent after a reconnection would only be refused.
    if (!this.socket?.connected) throw new Error(`not connected to the coordinator: ${envelope.body.kind} not sent`);
    const reply = await requestOverFrames(this.socket!, envelope, this.options.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS);
    // The coordinator answers UNAUTHORIZED once the site is revoked (e.g. by `fedsynth
    // coordinator revoke-site`), then closes the connection: remembered for the disconnect.
    if (reply.body.kind === 'error' && reply.body.value.code === 'UNAUTHORIZED') this.refusal = { code: 'UNAUTHORIZED', reason: reply.body.value.reason };
    return reply;
  }

  /** Every frame is acknowledged with exactly one envelope: the answer, an Ack or an Error. */
  private async onFrame(receiver: FrameReceiver, frame: Uint8Array, ack: (reply: Uint8Array) => void): Promise<void> {
    let envelope: Envelope | undefined;
    try {
      envelope = receiver.accept(new Uint8Array(frame));
      if (!envelope) return ack(encodeEnvelope(createEnvelope('ack', {})));
      ack(encodeEnvelope(this.handle(envelope)));
    } catch (error) {
      ack(encodeEnvelope(errorEnvelope(error, envelope?.messageId)));
    }
  }

  private handle(envelope: Envelope): Envelope {
    switch (envelope.body.kind) {
      case 'vocabularyProposal':
        return replyTo(envelope, 'vocabularyAgreement', this.agree(envelope.body.value));
      case 'trainTask': {
        if (!this.matrix) throw new ProtocolError('UNEXPECTED_MESSAGE', 'a TrainTask before any vocabulary was agreed', { messageId: envelope.messageId });
        const task = envelope.body.value;
        // Checked and planned first (pure): a refused task binds no secure-aggregation secrets.
        this.prevalences.check(task, this.matrix);
        const releases = this.prevalences.needed(task);
        const plan = this.privacy.plan(task, this.matrix.rows, releases);
        if (plan.kind === 'refuse') {
          this.emit({ type: 'taskRefused', runId: task.runId, round: task.round, code: 'PRIVACY_BUDGET_EXCEEDED', reason: plan.reason });
          this.log(`site ${this.options.siteId}: round ${task.round} refused: ${plan.reason}`);
          throw new ProtocolError('PRIVACY_BUDGET_EXCEEDED', plan.reason, { messageId: envelope.messageId });
        }
        // Bound before training: the task masks with its own round's secrets (refused when there are none,
        // before anything is charged).
        if (task.secureAggregation) this.secureAggregation.accept(task, envelope.messageId);
        let dp: LocalDpPlan | undefined;
        if (plan.kind === 'dp') {
          // Charged on acceptance: a queued task's spend counts before the next one is planned.
          this.privacy.charge(plan);
          dp = {
            sampleRate: plan.sampleRate,
            noiseMultiplier: plan.dp.noiseMultiplier,
            clipNorm: plan.dp.clipNorm,
            delta: this.privacy.delta,
            after: plan.after,
            chargedSteps: plan.segment.steps,
          };
        }
        // Marginal matching: the run's prevalences, exact or (charged above) a noisy release.
        this.prevalences.prepare(task, this.matrix);
        this.enqueue(task, envelope.messageId, dp);
        return replyTo(envelope, 'ack', {});
      }
      case 'secAggKeyRequest':
        return replyTo(envelope, 'secAggKeys', this.secureAggregation.keys(envelope.body.value));
      case 'secAggRoster':
        return replyTo(envelope, 'secAggShares', this.secureAggregation.shares(envelope.body.value));
      case 'secAggShares':
        this.secureAggregation.receive(envelope.body.value);
        return replyTo(envelope, 'ack', {});
      case 'unmaskRequest':
        return replyTo(envelope, 'unmaskResponse', this.secureAggregation.reveal(envelope.body.value));
      case 'evalTask':
        if (!this.matrix || !this.holdoutMatrix) throw new ProtocolError('UNEXPECTED_MESSAGE', 'an EvalTask before any vocabulary was agreed', { messageId: envelope.messageId });
        this.evalTasksWaiting.push({ task: envelope.body.value, messageId: envelope.messageId });
        this.work = this.work.then(() => this.runEvaluations());
        return replyTo(envelope, 'ack', {});
      default:
        throw new ProtocolError('UNEXPECTED_MESSAGE', `a site agent does not handle ${envelope.body.kind}`, { messageId: envelope.messageId });
    }
  }

  private agree(proposal: VocabularyProposal): VocabularyAgreement {
    const data = this.data!;
    const digest = vocabularyDigest(proposal.codes);
    const ours = dataSummaryOf(data).codeLevel;
    if (proposal.codeLevel !== ours) {
      return { runId: proposal.runId, digest, accepted: false, coveredRecordCount: 0, reason: `this site's codes are ${ours}, the proposal's ${proposal.codeLevel}` };
    }
    const vocabulary = createVocabulary(proposal.codes);
    if (vocabulary.codes.join('\n') !== proposal.codes.join('\n')) {
      return { runId: proposal.runId, digest, accepted: false, coveredRecordCount: 0, reason: 'the proposed codes are not in canonical order' };
    }
    const matrix = matrixOnVocabulary(data.train.matrix, data.train.vocabulary, vocabulary);
    const covered = coveredRecords(matrix);
    // Under a privacy budget the answer must not depend on the records beyond what was released:
    // the proposer picks the codes, so an exact covered count (or a refusal when it is 0) would
    // answer any counting query it likes, outside the budget. The site then reports its
    // announced record count (public already) and does not refuse for coverage.
    const budgeted = this.privacy.budget !== undefined;
    const coveredRecordCount = budgeted ? matrix.rows : covered;
    // A fixed list is not built from this site's codes: it may miss all of them, and a matrix
    // of empty records would only teach the model that patients have no diagnoses.
    if (proposal.source === 'fixed' && covered === 0 && !budgeted) {
      const reason = `none of this site's ${matrix.rows} training records holds a code of the fixed vocabulary (${vocabulary.codes.length} codes)`;
      return { runId: proposal.runId, digest, accepted: false, coveredRecordCount: 0, reason };
    }
    // Exact counts answer counting queries the proposer chose (small cells included): sent only
    // when the operator opted in, and never by a site with a privacy budget.
    if (proposal.codeCountsWanted && budgeted) {
      const reason = 'the run asks for exact code counts (pooled marginal matching), but this site trains under a privacy budget';
      return { runId: proposal.runId, digest, accepted: false, coveredRecordCount: 0, reason };
    }
    if (proposal.codeCountsWanted && !this.options.shareCodeCounts) {
      const reason = 'the run asks for exact code counts (pooled marginal matching); this site does not share them (start it with --share-code-counts to join such runs)';
      return { runId: proposal.runId, digest, accepted: false, coveredRecordCount: 0, reason };
    }
    this.matrix = matrix;
    this.holdoutMatrix = matrixOnVocabulary(data.holdout.matrix, data.holdout.vocabulary, vocabulary);
    // Counts only: the log and the event never name a dropped code or a record.
    const dropped = droppedByVocabulary(data.train.matrix, data.train.vocabulary, vocabulary);
    this.emit({ type: 'vocabulary', runId: proposal.runId, source: proposal.source, size: vocabulary.codes.length, coveredRecords: covered, dropped });
    this.log(
      `site ${this.options.siteId}: ${proposal.source} vocabulary of ${vocabulary.codes.length} codes covers ${covered} of ${matrix.rows} records; ` +
        `${dropped.codes} of this site's codes are outside it and dropped (${dropped.records} records lost at least one code)`,
    );
    // Aggregate counts per code (the pooled prevalences' numerators), never a record.
    const counts = proposal.codeCountsWanted ? { codeCounts: Float32Array.from(columnCounts(matrix)), trainingRecordCount: matrix.rows } : {};
    return { runId: proposal.runId, digest, accepted: true, coveredRecordCount, reason: '', ...counts };
  }

  /** Tasks run one at a time, in arrival order; a failure is reported and the next task still runs. */
  private enqueue(task: TrainTask, taskMessageId: string, dp?: LocalDpPlan): void {
    this.trainTasksWaiting++;
    this.work = this.work
      .then(() => {
        this.trainTasksWaiting--;
        return this.runTask(task, taskMessageId, dp);
      })
      .catch((error: unknown) => {
        this.emit({ type: 'error', message: (error as Error).message });
        this.log(`site ${this.options.siteId}: round ${task.round} failed: ${(error as Error).message}`);
      })
      .then(() => this.runEvaluations());
  }

  /**
   * Waiting EvalTasks, oldest first, but only while no TrainTask waits: training goes first,
   * so an evaluation (which never gates the federation) does not delay this site's next round.
   */
  private async runEvaluations(): Promise<void> {
    while (!this.closed && this.trainTasksWaiting === 0 && this.evalTasksWaiting.length > 0) {
      const { task, messageId } = this.evalTasksWaiting.shift()!;
      try {
        await this.runEvaluation(task, messageId);
      } catch (error) {
        // Never reject: the work chain carries the training tasks too.
        this.log(`site ${this.options.siteId}: evaluation of round ${task.round} not reported: ${(error as Error).message}`);
      }
    }
  }

  /** Scores the global model; sends the EvalResult, or an Error (inReplyTo = the task) saying why it could not. */
  private async runEvaluation(task: EvalTask, taskMessageId: string): Promise<void> {
    this.emit({ type: 'evalStarted', runId: task.runId, round: task.round });
    this.heartbeats.begin(task, 'evaluating');
    let reply: Envelope;
    try {
      const result = this.evaluator.run(task, { train: this.matrix!, holdout: this.holdoutMatrix! });
      this.heartbeats.end();
      if (this.closed) return;
      this.emit({ type: 'evalSent', result });
      reply = await this.request(createEnvelope('evalResult', result, { inReplyTo: taskMessageId }));
    } catch (error) {
      this.heartbeats.end();
      if (this.closed) return;
      // The reason is this site's own (too few records, a weight layout it cannot load): no record in it.
      const reason = `site ${this.options.siteId} could not evaluate round ${task.round}: ${(error as Error).message}`;
      this.emit({ type: 'evalFailed', runId: task.runId, round: task.round, code: 'INTERNAL', reason });
      this.log(reason);
      await this.request(errorEnvelope(new ProtocolError('INTERNAL', reason), taskMessageId));
      return;
    }
    if (reply.body.kind === 'error') {
      this.emit({ type: 'evalFailed', runId: task.runId, round: task.round, code: reply.body.value.code, reason: reply.body.value.reason });
      this.log(`site ${this.options.siteId}: evaluation of round ${task.round} refused (${reply.body.value.code}): ${reply.body.value.reason}`);
    } else {
      this.log(`site ${this.options.siteId}: evaluation of round ${task.round} sent (${this.holdoutMatrix!.rows} held-out records)`);
    }
  }

  private async runTask(task: TrainTask, taskMessageId: string, dp?: LocalDpPlan): Promise<void> {
    if (this.closed) return;
    const marginals = this.prevalences.targetFor(task);
    const siteCorrection = this.prevalences.correctionFor(task);
    this.emit({
      type: 'trainStarted',
      runId: task.runId,
      round: task.round,
      phase: task.phase,
      ...(marginals ? { marginals: { source: task.marginals?.pooledPrevalence ? 'pooled' : 'site', target: marginals, ...(siteCorrection ? { correction: siteCorrection } : {}) } } : {}),
    });
    this.heartbeats.begin(task, 'training');
    const result = await this.trainer.run(task, this.matrix!, dp, marginals, siteCorrection);
    this.heartbeats.end();
    if (this.closed) return;
    if (task.secureAggregation) return this.sendMasked(task, taskMessageId, result);
    this.emit({ type: 'resultSent', result });
    const reply = await this.request(createEnvelope('trainResult', result, { inReplyTo: taskMessageId }));
    if (reply.body.kind === 'error') {
      this.emit({ type: 'resultRejected', round: task.round, code: reply.body.value.code, reason: reply.body.value.reason });
      this.log(`site ${this.options.siteId}: round ${task.round} update refused (${reply.body.value.code}): ${reply.body.value.reason}`);
    } else {
      const spent = result.privacy ? `, privacy spent ε = ${result.privacy.epsilon.toFixed(3)} (δ = ${result.privacy.delta}, ${result.privacy.steps} DP steps)` : '';
      this.log(`site ${this.options.siteId}: round ${task.round} (${task.phase}) sent, ${JSON.stringify(result.metrics)}${spent}`);
    }
  }

  /** Secure aggregation: only the masked, record-weighted update leaves; the plain one stays here. */
  private async sendMasked(task: TrainTask, taskMessageId: string, result: TrainResult): Promise<void> {
    const { masked, clipped } = this.secureAggregation.mask(task, taskMessageId, result);
    // In-process only (tests compare the unmasked mean with these): never sent, never logged.
    this.emit({ type: 'updateMasked', result, masked });
    if (this.closed) return;
    const reply = await this.request(createEnvelope('maskedUpdate', masked, { inReplyTo: taskMessageId }));
    if (reply.body.kind === 'error') {
      this.emit({ type: 'resultRejected', round: task.round, code: reply.body.value.code, reason: reply.body.value.reason });
      this.log(`site ${this.options.siteId}: round ${task.round} masked update refused (${reply.body.value.code}): ${reply.body.value.reason}`);
    } else {
      const note = clipped > 0 ? `, ${clipped} coordinates clipped to ±${task.secureAggregation!.clip}` : '';
      this.log(`site ${this.options.siteId}: round ${task.round} (${task.phase}) masked update sent${note}, ${JSON.stringify(result.metrics)}`);
    }
  }

  /** Optional protocol features announced in Hello. */
  private capabilities(): string[] {
    return this.options.secureAggregation === false ? [] : [SECURE_AGGREGATION_CAPABILITY];
  }

  private emit(event: SiteAgentEvent): void {
    this.options.onEvent?.(event);
  }

  private log(line: string): void {
    this.options.log?.(line);
  }
}
