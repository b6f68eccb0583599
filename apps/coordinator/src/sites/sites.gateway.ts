import { Inject, Logger } from '@nestjs/common';
import { WebSocketGateway, type OnGatewayConnection, type OnGatewayDisconnect, type OnGatewayInit } from '@nestjs/websockets';
import {
  createEnvelope,
  encodeEnvelope,
  errorEnvelope,
  FrameReceiver,
  newMessageId,
  PROTOCOL_VERSION,
  ProtocolError,
  replyTo,
  SITES_NAMESPACE,
  toProtocolError,
  WIRE_EVENTS,
  type ClientToServerEvents,
  type Envelope,
  type InterServerEvents,
  type ServerToClientEvents,
  type SiteSocketData,
} from '@fedsynth/protocol';
import type { Namespace, Socket } from 'socket.io';
import { COORDINATOR_CONFIG } from '../config/config.module';
import type { CoordinatorConfig } from '../config/coordinator-config';
import { RoundService } from '../federation/round.service';
import { AuditRepository } from '../store/audit.repository';
import { SiteRepository } from '../store/site.repository';
import { connectionRateGate } from './connection-rate-gate';
import { authenticateSite } from './site-auth';
import { requestOverFrames } from './site-request';
import { SiteSessions } from './site-sessions';

type SiteSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SiteSocketData>;
type SiteNamespace = Namespace<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SiteSocketData>;

const COORDINATOR_VERSION = '0.1.0';
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * The sites' transport, and nothing more: authenticates at the handshake, reassembles and
 * decodes frames (one FrameReceiver per socket), and hands each message to the session
 * registry or the round service. Every frame is acknowledged with exactly one envelope.
 */
@WebSocketGateway({ namespace: SITES_NAMESPACE })
export class SitesGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  private readonly logger = new Logger('SitesGateway');
  private namespace?: SiteNamespace;
  /** Connections whose first refused frame is already in the audit log. */
  private readonly refusalAudited = new WeakSet<SiteSocket>();

  constructor(
    @Inject(SiteRepository) private readonly sites: SiteRepository,
    @Inject(AuditRepository) private readonly audit: AuditRepository,
    @Inject(SiteSessions) private readonly sessions: SiteSessions,
    @Inject(RoundService) private readonly rounds: RoundService,
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
  ) {}

  afterInit(namespace: SiteNamespace): void {
    this.namespace = namespace;
    // Before authentication, so token guessing is bounded too.
    namespace.use(connectionRateGate(this.config.rateLimits, this.audit));
    namespace.use((socket, next) => {
      try {
        const { siteId, protocolVersion } = authenticateSite(socket.handshake.auth, this.sites);
        socket.data.siteId = siteId;
        socket.data.protocolVersion = protocolVersion;
        socket.data.sessionId = newMessageId();
        next();
      } catch (error) {
        const refusal = toProtocolError(error);
        const claimed = (socket.handshake.auth as { siteId?: unknown } | undefined)?.siteId;
        this.audit.append({ actor: `site:${typeof claimed === 'string' ? claimed.slice(0, 64) : '?'}`, action: 'site.refused', details: { code: refusal.code, reason: refusal.message, address: socket.handshake.address } });
        // The message reaches the site's connect_error; data carries the code for programs.
        next(Object.assign(new Error(`${refusal.code}: ${refusal.message}`), { data: { code: refusal.code } }));
      }
    });
  }

  handleConnection(socket: SiteSocket): void {
    const { siteId } = socket.data;
    if (!siteId) return;
    const receiver = new FrameReceiver({ decode: { limits: { maxMessageBytes: this.config.maxPayloadBytes } } });
    this.sessions.open({ siteId, socketId: socket.id, request: (envelope) => requestOverFrames(socket, envelope, REQUEST_TIMEOUT_MS) });
    this.sites.recordSeen(siteId, { protocolVersion: socket.data.protocolVersion });
    this.audit.append({ actor: `site:${siteId}`, action: 'site.connected', subject: siteId, details: { address: socket.handshake.address, protocolVersion: socket.data.protocolVersion, sessionId: socket.data.sessionId } });
    this.logger.log(`site ${siteId} connected`);
    socket.on(WIRE_EVENTS.frame, (frame, ack) => {
      if (typeof ack !== 'function') return;
      void this.onFrame(socket, receiver, frame, ack);
    });
  }

  handleDisconnect(socket: SiteSocket): void {
    if (!socket.data.siteId) return;
    this.sessions.close(socket.data.siteId, socket.id);
    this.logger.log(`site ${socket.data.siteId} disconnected`);
  }

  /**
   * Closes every connection of a site (after an admin revoked it). A server-side disconnect
   * is final for a Socket.IO client: it does not reconnect on its own. Returns how many
   * sockets were closed.
   */
  disconnectSite(siteId: string): number {
    const sockets = [...(this.namespace?.sockets.values() ?? [])].filter((s) => s.data.siteId === siteId);
    sockets.forEach((s) => s.disconnect(true));
    if (sockets.length > 0) this.logger.log(`site ${siteId} disconnected by the coordinator (revoked)`);
    return sockets.length;
  }

  private async onFrame(socket: SiteSocket, receiver: FrameReceiver, frame: Uint8Array, ack: (reply: Uint8Array) => void): Promise<void> {
    let envelope: Envelope | undefined;
    try {
      envelope = receiver.accept(frame instanceof Uint8Array ? frame : new Uint8Array(frame as ArrayBuffer));
      if (!envelope) return ack(encodeEnvelope(createEnvelope('ack', {})));
      // A revocation written by the CLI (another process) reaches a connected site here, at
      // its next message: one primary-key lookup per message, not per chunk.
      const { siteId } = socket.data;
      if (this.sites.findById(siteId)?.revokedAt != null) {
        const refusal = new ProtocolError('UNAUTHORIZED', `site ${siteId} has been revoked; the coordinator closes this connection`);
        this.audit.append({ actor: `site:${siteId}`, action: 'site.refused', subject: siteId, details: { code: refusal.code, reason: refusal.message, message: envelope.body.kind } });
        ack(encodeEnvelope(errorEnvelope(refusal, envelope.messageId)));
        socket.disconnect(true);
        return;
      }
      ack(encodeEnvelope(await this.handOff(socket, envelope)));
    } catch (error) {
      const reply = errorEnvelope(error, envelope?.messageId);
      ack(encodeEnvelope(reply));
      // Undecodable or unacceptable frames: the first per connection is audited, so a flood of garbage cannot flood the log.
      if (!this.refusalAudited.has(socket) && reply.body.kind === 'error') {
        this.refusalAudited.add(socket);
        const { code, reason } = reply.body.value;
        this.audit.append({ actor: `site:${socket.data.siteId}`, action: 'message.refused', subject: socket.data.siteId, details: { code, reason, message: envelope?.body.kind ?? null, note: 'first refusal on this connection' } });
      }
    }
  }

  private async handOff(socket: SiteSocket, envelope: Envelope): Promise<Envelope> {
    const { siteId } = socket.data;
    const body = envelope.body;
    switch (body.kind) {
      case 'hello':
        if (body.value.siteId !== siteId) throw new ProtocolError('UNAUTHORIZED', `this connection is site ${siteId}, not ${body.value.siteId}`);
        this.sessions.setCapabilities(siteId, socket.id, body.value.capabilities ?? []);
        return replyTo(envelope, 'welcome', {
          sessionId: socket.data.sessionId,
          coordinatorVersion: `${COORDINATOR_VERSION} (protocol ${PROTOCOL_VERSION})`,
          heartbeatIntervalMs: this.config.heartbeatIntervalMs,
          maxMessageBytes: this.config.maxPayloadBytes,
          maxChunkBytes: 512 * 1024,
          acceptedDtypes: ['float16'],
        });
      case 'dataSummary':
        this.sites.recordSeen(siteId, { recordCount: body.value.recordCount });
        this.sessions.setSummary(siteId, socket.id, body.value);
        return replyTo(envelope, 'ack', {});
      case 'heartbeat': {
        // Progress is kept in memory only (the dashboard's live view): no database write per heartbeat.
        const { runId, round, state, progress } = body.value;
        this.sessions.setProgress(siteId, socket.id, { runId, round: round ?? null, state, progress, at: Date.now() });
        return replyTo(envelope, 'heartbeat', { sentAtUnixMs: Date.now(), state: 'idle', runId: '', progress: 0 });
      }
      case 'trainResult':
        return this.rounds.submitResult(siteId, envelope, body.value);
      case 'maskedUpdate':
        return this.rounds.submitMaskedUpdate(siteId, envelope, body.value);
      case 'evalResult':
        return this.rounds.submitEvalResult(siteId, envelope, body.value);
      case 'error':
        // A site's report that a task it took failed (evaluation); inReplyTo names the task.
        return this.rounds.submitSiteError(siteId, envelope, body.value);
      default:
        throw new ProtocolError('UNEXPECTED_MESSAGE', `the coordinator does not accept ${body.kind} from a site`, { messageId: envelope.messageId });
    }
  }
}
