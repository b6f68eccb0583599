import {
  createEnvelope,
  decodeEnvelope,
  DEFAULT_ACK_TIMEOUT_MS,
  encodeEnvelope,
  encodeFrames,
  errorEnvelope,
  FrameReceiver,
  handshakeAuth,
  ProtocolError,
  replyTo,
  SITES_NAMESPACE,
  vocabularyDigest,
  WIRE_EVENTS,
  type DataSummary,
  type Envelope,
  type TrainResult,
  type TrainTask,
} from '@fedsynth/protocol';
import { io, type Socket } from 'socket.io-client';

export interface ProtocolSiteOptions {
  /** Coordinator base URL (http:// or https://). */
  url: string;
  siteId: string;
  token: string;
  /** What the site announces: record count and codes (no records exist here at all). */
  summary: DataSummary;
  /** The handshake payload; default handshakeAuth(siteId, token). Hostile tests send others. */
  auth?: Record<string, unknown>;
  /** PEM certificate to trust for https://. */
  ca?: string;
  /**
   * Answers each TrainTask right after acknowledging it (load tests); without it, tasks
   * are only kept for the test to answer by hand (nextTask / send).
   */
  answer?: (task: TrainTask) => TrainResult;
  /** Called with the coordinator's reply to each automatic answer. */
  onAnswered?: (task: TrainTask, reply: Envelope, sentAt: number) => void;
  ackTimeoutMs?: number;
}

/**
 * A site that speaks the wire protocol and nothing else: a real Socket.IO client and
 * libs/protocol's codecs, but no data, no model and no training. It agrees to any proposed
 * vocabulary, acknowledges tasks, and sends whatever envelope (or raw bytes) it is told to:
 * the lightweight client of the fault suite's hostile sites and of `npm run bench:load`.
 */
export class ProtocolSite {
  private socket: Socket | undefined;
  private readonly receiver = new FrameReceiver();
  private readonly tasks: TrainTask[] = [];
  private readonly taskWaiters: Array<{ round: number | undefined; resolve: (task: TrainTask) => void }> = [];
  /** The message id of each TrainTask, by round: what a real agent puts in inReplyTo. */
  readonly taskMessageIds = new Map<number, string>();

  constructor(readonly options: ProtocolSiteOptions) {}

  get siteId(): string {
    return this.options.siteId;
  }

  /** Opens the connection; rejects with the coordinator's refusal (connect_error message, `data` kept). */
  connect(): Promise<void> {
    const { url, siteId, token, auth, ca } = this.options;
    const socket = io(url + SITES_NAMESPACE, {
      auth: auth ?? { ...handshakeAuth(siteId, token) },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      ...(ca ? { ca } : {}),
    });
    this.socket = socket;
    socket.on(WIRE_EVENTS.frame, (frame: Uint8Array, ack: (reply: Uint8Array) => void) => this.onFrame(frame, ack));
    return new Promise((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (error) => {
        socket.close();
        reject(error);
      });
    });
  }

  /** Hello then DataSummary, as a real agent introduces itself. */
  async introduce(): Promise<void> {
    const welcome = await this.request(createEnvelope('hello', { siteId: this.options.siteId, agentVersion: 'protocol-site', acceptedDtypes: [] }));
    if (welcome.body.kind !== 'welcome') throw new Error(`expected welcome, got ${describe(welcome)}`);
    const ack = await this.request(createEnvelope('dataSummary', this.options.summary));
    if (ack.body.kind !== 'ack') throw new Error(`expected ack to the DataSummary, got ${describe(ack)}`);
  }

  /** Sends an envelope as its frames (chunked when large) and returns the coordinator's answer. */
  async request(envelope: Envelope): Promise<Envelope> {
    let reply: Uint8Array | undefined;
    for (const frame of encodeFrames(envelope)) reply = await this.sendFrame(frame);
    return decodeEnvelope(reply!, { copyTensors: true });
  }

  /** Sends bytes as one frame, whatever they are, and decodes the answer. */
  async sendRaw(bytes: Uint8Array): Promise<Envelope> {
    return decodeEnvelope(await this.sendFrame(bytes));
  }

  /** A TrainResult answering this site's task of the same round (inReplyTo set as a real agent does). */
  sendResult(result: TrainResult): Promise<Envelope> {
    return this.request(createEnvelope('trainResult', result, { inReplyTo: this.taskMessageIds.get(result.round) ?? '' }));
  }

  /** The TrainTask of `round` (or the next one), once it has arrived. */
  nextTask(round?: number): Promise<TrainTask> {
    const waiting = this.tasks.find((t) => round === undefined || t.round === round);
    if (waiting) {
      this.tasks.splice(this.tasks.indexOf(waiting), 1);
      return Promise.resolve(waiting);
    }
    return new Promise((resolve) => this.taskWaiters.push({ round, resolve }));
  }

  get connected(): boolean {
    return this.socket?.connected ?? false;
  }

  /** Resolves with the reason when the connection closes. */
  disconnection(): Promise<string> {
    return new Promise((resolve) => {
      if (!this.socket?.connected) return resolve('not connected');
      this.socket.once('disconnect', (reason) => resolve(reason));
    });
  }

  close(): void {
    this.socket?.close();
  }

  private async sendFrame(frame: Uint8Array): Promise<Uint8Array> {
    if (!this.socket) throw new Error(`site ${this.options.siteId} is not connected`);
    const reply = (await this.socket.timeout(this.options.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS).emitWithAck(WIRE_EVENTS.frame, frame)) as ArrayBuffer | Uint8Array;
    return reply instanceof Uint8Array ? reply : new Uint8Array(reply);
  }

  private onFrame(frame: Uint8Array, ack: (reply: Uint8Array) => void): void {
    let envelope: Envelope | undefined;
    try {
      envelope = this.receiver.accept(new Uint8Array(frame));
      if (!envelope) return ack(encodeEnvelope(createEnvelope('ack', {})));
      ack(encodeEnvelope(this.handle(envelope)));
    } catch (error) {
      ack(encodeEnvelope(errorEnvelope(error, envelope?.messageId)));
    }
  }

  private handle(envelope: Envelope): Envelope {
    const body = envelope.body;
    switch (body.kind) {
      case 'vocabularyProposal':
        return replyTo(envelope, 'vocabularyAgreement', {
          runId: body.value.runId,
          digest: vocabularyDigest(body.value.codes),
          accepted: true,
          coveredRecordCount: this.options.summary.recordCount,
          reason: '',
        });
      case 'trainTask': {
        const task = body.value;
        this.taskMessageIds.set(task.round, envelope.messageId);
        if (this.options.answer) setImmediate(() => void this.answerTask(task));
        else this.deliver(task);
        return replyTo(envelope, 'ack', {});
      }
      case 'evalTask':
        // No data here to evaluate on: the coordinator records the refusal; evaluations never gate rounds.
        throw new ProtocolError('UNEXPECTED_MESSAGE', 'a protocol-level site does not evaluate', { messageId: envelope.messageId });
      default:
        throw new ProtocolError('UNEXPECTED_MESSAGE', `a site does not handle ${body.kind}`, { messageId: envelope.messageId });
    }
  }

  private deliver(task: TrainTask): void {
    const waiter = this.taskWaiters.find((w) => w.round === undefined || w.round === task.round);
    if (!waiter) {
      this.tasks.push(task);
      return;
    }
    this.taskWaiters.splice(this.taskWaiters.indexOf(waiter), 1);
    waiter.resolve(task);
  }

  private async answerTask(task: TrainTask): Promise<void> {
    const sentAt = Date.now();
    try {
      const reply = await this.sendResult(this.options.answer!(task));
      this.options.onAnswered?.(task, reply, sentAt);
    } catch (error) {
      this.options.onAnswered?.(task, errorEnvelope(error), sentAt);
    }
  }
}

function describe(envelope: Envelope): string {
  return envelope.body.kind === 'error' ? `error ${envelope.body.value.code}: ${envelope.body.value.reason}` : envelope.body.kind;
}
