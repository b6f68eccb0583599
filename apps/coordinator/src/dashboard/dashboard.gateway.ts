import { Inject, Logger } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
  WsException,
} from '@nestjs/websockets';
import type { Namespace, Socket } from 'socket.io';
import { sameSecret } from '../api/same-secret';
import { COORDINATOR_CONFIG } from '../config/config.module';
import type { CoordinatorConfig } from '../config/coordinator-config';
import { AdminSessions } from './admin-sessions';
import { DashboardFeed } from './dashboard-feed';
import type { AuditQuery } from './dashboard-queries';

/** The dashboard's Socket.IO namespace, apart from the sites' (`/sites`). */
export const DASHBOARD_NAMESPACE = '/dashboard';

interface DashboardSocketData {
  /** The login session's cookie value; null when the socket gave the admin token instead. */
  sessionId: string | null;
}

type DashboardSocket = Socket<Record<string, never>, Record<string, (...args: never[]) => void>, Record<string, never>, DashboardSocketData>;

/**
 * Whether a browser handshake comes from a page of this coordinator: its Origin header
 * names the same host as the Host header. A cookie-authenticated socket from another
 * origin would be cross-site WebSocket hijacking. Non-browser clients send no Origin.
 */
export function sameOrigin(headers: Readonly<Record<string, string | string[] | undefined>>): boolean {
  const origin = headers['origin'];
  if (origin === undefined) return true;
  try {
    return new URL(String(origin)).host === String(headers['host'] ?? '');
  } catch {
    return false;
  }
}

function auditQuery(input: unknown): AuditQuery {
  const given = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
  const text = (key: string) => (typeof given[key] === 'string' ? (given[key] as string).slice(0, 200) : undefined);
  const number = (key: string) => (typeof given[key] === 'number' && Number.isSafeInteger(given[key]) ? (given[key] as number) : undefined);
  return { action: text('action'), actor: text('actor'), subject: text('subject'), text: text('text'), beforeId: number('beforeId'), limit: number('limit') };
}

/**
 * The live view's transport. The handshake needs the dashboard's session cookie (from a
 * page of this origin) or `auth: { token: <admin token> }`; a refusal reaches the client's
 * connect_error as `UNAUTHORIZED: ...`. Pushes: `overview` (sites, runs) and `run` (the
 * watched run's live view). Requests (with acknowledgement): `watch` (run id or null for
 * the newest run), `audit` (filters → entries, newest first) and `auditActions`.
 */
@WebSocketGateway({ namespace: DASHBOARD_NAMESPACE })
export class DashboardGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  private readonly logger = new Logger('DashboardGateway');

  constructor(
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
    @Inject(AdminSessions) private readonly sessions: AdminSessions,
    @Inject(DashboardFeed) private readonly feed: DashboardFeed,
  ) {}

  afterInit(namespace: Namespace): void {
    namespace.use((socket, next) => {
      const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
      if (typeof token === 'string' && token !== '') {
        if (sameSecret(token, this.config.adminToken)) {
          (socket.data as DashboardSocketData).sessionId = null;
          return next();
        }
        return next(new Error('UNAUTHORIZED: the admin token is wrong'));
      }
      const id = this.sessions.idFromCookieHeader(socket.handshake.headers.cookie);
      if (!this.sessions.find(id)) return next(new Error('UNAUTHORIZED: log in to the dashboard first (or give the admin token as auth.token)'));
      if (!sameOrigin(socket.handshake.headers)) return next(new Error('UNAUTHORIZED: the dashboard session is only valid from the dashboard page itself'));
      (socket.data as DashboardSocketData).sessionId = id!;
      next();
    });
  }

  handleConnection(socket: DashboardSocket): void {
    const sessionId = socket.data.sessionId;
    if (sessionId === undefined) return;
    this.feed.attach({
      id: socket.id,
      send: (event: string, payload: unknown) => socket.emit(event, payload as never),
      authorized: () => sessionId === null || this.sessions.find(sessionId) !== undefined,
      close: () => socket.disconnect(true),
    });
    this.logger.debug?.(`dashboard client ${socket.id} connected`);
  }

  handleDisconnect(socket: DashboardSocket): void {
    this.feed.detach(socket.id);
  }

  @SubscribeMessage('watch')
  watch(@ConnectedSocket() socket: DashboardSocket, @MessageBody() runId: unknown): { ok: true } {
    this.feed.watch(socket.id, typeof runId === 'string' && runId !== '' ? runId.slice(0, 200) : null);
    return { ok: true };
  }

  @SubscribeMessage('audit')
  audit(@ConnectedSocket() socket: DashboardSocket, @MessageBody() query: unknown) {
    this.ensureAuthorized(socket);
    return this.feed.query.audit(auditQuery(query));
  }

  @SubscribeMessage('auditActions')
  auditActions(@ConnectedSocket() socket: DashboardSocket): string[] {
    this.ensureAuthorized(socket);
    return this.feed.query.auditActions();
  }

  /** A session that ended (logout, expiry) gets nothing more, even before the feed's next poll closes it. */
  private ensureAuthorized(socket: DashboardSocket): void {
    const { sessionId } = socket.data;
    if (sessionId === null) return;
    if (sessionId === undefined || !this.sessions.find(sessionId)) {
      socket.disconnect(true);
      throw new WsException('UNAUTHORIZED: the dashboard session has ended; log in again');
    }
  }
}
