import { createVocabulary, type BinaryMatrix } from '@fedsynth/gan';
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
  type ServerToClientEvents,
  type TrainTask,
  type VocabularyProposal,
} from '@fedsynth/protocol';
import { io, type Socket } from 'socket.io-client';
import { requestOverFrames } from './frame-channel';
import { LocalTrainer } from './local-trainer';
import type { SiteAgentEvent, SiteAgentOptions } from './site-agent-options';
import { coveredRecords, dataSummaryOf, loadSiteData, matrixOnVocabulary, type SiteData } from './site-data';

const AGENT_VERSION = '0.1.0';

/**
 * A hospital's agent: holds the site's records, announces only aggregates (record count,
 * codes held by ≥ k records), builds its matrix on the agreed vocabulary and answers each
 * TrainTask with locally trained weights. Tasks are acknowledged at once and trained one
 * after the other; the result goes back as a request of its own.
 */
export class SiteAgent {
  private socket: Socket<ServerToClientEvents, ClientToServerEvents> | undefined;
  private data: SiteData | undefined;
  private matrix: BinaryMatrix | undefined;
  private readonly trainer: LocalTrainer;
  private work: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly options: SiteAgentOptions) {
    this.trainer = new LocalTrainer({ onLog: (log) => this.emit({ type: 'trainLog', log }) });
  }

  /**
   * Reads the records, connects and introduces the site. Resolves once the coordinator has
   * taken the DataSummary; rejects when the first connection is refused (wrong token,
   * revoked site, protocol version), with the coordinator's message.
   */
  async start(): Promise<void> {
    this.data ??= await loadSiteData(this.options.data);
    const summary = dataSummaryOf(this.data);
    this.log(`site ${this.options.siteId}: ${summary.recordCount} training records, ${summary.codes.length} codes held by ≥ ${summary.minCodeCount} records`);
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(this.options.url + SITES_NAMESPACE, {
      auth: handshakeAuth(this.options.siteId, this.options.token),
      reconnectionDelay: this.options.reconnectDelayMs ?? 1000,
      reconnectionDelayMax: this.options.reconnectDelayMaxMs ?? 30_000,
      transports: ['websocket'],
    });
    this.socket = socket;
    const receiver = new FrameReceiver();
    socket.on(WIRE_EVENTS.frame, (frame, ack) => {
      void this.onFrame(receiver, frame, ack);
    });
    socket.on('disconnect', (reason) => this.emit({ type: 'disconnected', reason }));
    await new Promise<void>((resolve, reject) => {
      let first = true;
      // Every (re)connection starts a new session: introduce the site again.
      socket.on('connect', () => {
        this.introduce().then(
          () => {
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
        // A refusal by the coordinator's middleware is final (socket.io does not retry it).
        if (!socket.active || first) {
          this.emit({ type: 'error', message: error.message });
          if (first) {
            first = false;
            socket.disconnect();
            reject(new Error(`coordinator refused site ${this.options.siteId}: ${error.message}`));
          }
        }
      });
    });
  }

  /** Waits for the task in progress, then disconnects. */
  async close(): Promise<void> {
    this.closed = true;
    this.socket?.disconnect();
    await this.work.catch(() => undefined);
    this.trainer.dispose();
  }

  private async introduce(): Promise<void> {
    const welcome = expectBody(
      await this.request(createEnvelope('hello', { siteId: this.options.siteId, agentVersion: this.options.agentVersion ?? AGENT_VERSION, acceptedDtypes: [] })),
      'welcome',
    );
    this.log(`site ${this.options.siteId}: session ${welcome.sessionId} with coordinator ${welcome.coordinatorVersion}`);
    expectBody(await this.request(createEnvelope('dataSummary', dataSummaryOf(this.data!))), 'ack');
  }

  private request(envelope: Envelope): Promise<Envelope> {
    return requestOverFrames(this.socket!, envelope, this.options.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS);
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
      case 'trainTask':
        if (!this.matrix) throw new ProtocolError('UNEXPECTED_MESSAGE', 'a TrainTask before any vocabulary was agreed', { messageId: envelope.messageId });
        this.enqueue(envelope.body.value, envelope.messageId);
        return replyTo(envelope, 'ack', {});
      default:
        throw new ProtocolError('UNEXPECTED_MESSAGE', `a site agent does not handle ${envelope.body.kind}`, { messageId: envelope.messageId });
    }
  }

  private agree(proposal: VocabularyProposal): { runId: string; digest: Uint8Array; accepted: boolean; coveredRecordCount: number; reason: string } {
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
    this.matrix = matrixOnVocabulary(data.train.matrix, data.train.vocabulary, vocabulary);
    const covered = coveredRecords(this.matrix);
    this.emit({ type: 'vocabulary', runId: proposal.runId, size: vocabulary.codes.length, coveredRecords: covered });
    this.log(`site ${this.options.siteId}: vocabulary of ${vocabulary.codes.length} codes covers ${covered} of ${this.matrix.rows} records`);
    return { runId: proposal.runId, digest, accepted: true, coveredRecordCount: covered, reason: '' };
  }

  /** Tasks run one at a time, in arrival order; a failure is reported and the next task still runs. */
  private enqueue(task: TrainTask, taskMessageId: string): void {
    this.work = this.work.then(() => this.runTask(task, taskMessageId)).catch((error: unknown) => {
      this.emit({ type: 'error', message: (error as Error).message });
      this.log(`site ${this.options.siteId}: round ${task.round} failed: ${(error as Error).message}`);
    });
  }

  private async runTask(task: TrainTask, taskMessageId: string): Promise<void> {
    if (this.closed) return;
    this.emit({ type: 'trainStarted', runId: task.runId, round: task.round, phase: task.phase });
    const result = await this.trainer.run(task, this.matrix!);
    if (this.closed) return;
    this.emit({ type: 'resultSent', result });
    const reply = await this.request(createEnvelope('trainResult', result, { inReplyTo: taskMessageId }));
    if (reply.body.kind === 'error') {
      this.emit({ type: 'resultRejected', round: task.round, code: reply.body.value.code, reason: reply.body.value.reason });
      this.log(`site ${this.options.siteId}: round ${task.round} update refused (${reply.body.value.code}): ${reply.body.value.reason}`);
    } else {
      this.log(`site ${this.options.siteId}: round ${task.round} (${task.phase}) sent, ${JSON.stringify(result.metrics)}`);
    }
  }

  private emit(event: SiteAgentEvent): void {
    this.options.onEvent?.(event);
  }

  private log(line: string): void {
    this.options.log?.(line);
  }
}
