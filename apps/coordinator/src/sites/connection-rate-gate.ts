import { RateLimiter } from '../common/rate-limiter';
import type { CoordinatorConfig } from '../config/coordinator-config';
import type { AuditRepository } from '../store/audit.repository';

/** The slice of a Socket.IO socket the gate reads. */
interface HandshakingSocket {
  readonly handshake: { readonly address: string; readonly auth: unknown };
}

type Next = (error?: Error) => void;

/**
 * Socket.IO namespace middleware, installed before authentication: at most
 * `rateLimits.siteConnections` connection attempts per client IP per window, whatever
 * their outcome, so a client cannot guess tokens or open sockets faster than that. A refused
 * attempt reaches the client's connect_error as `BUSY: ...` (data `{ code, retryAfterMs }`);
 * the first refusal of a burst is audited (`site.rate-limited`), not every one, so a flood
 * cannot flood the audit log too.
 */
export function connectionRateGate(limits: CoordinatorConfig['rateLimits'], audit: AuditRepository): (socket: HandshakingSocket, next: Next) => void {
  const limiter = new RateLimiter({ limit: limits.siteConnections, windowMs: limits.windowMs });
  const per = `${limits.siteConnections} per ${limits.windowMs / 1000} s`;
  return (socket, next) => {
    const address = socket.handshake.address;
    const verdict = limiter.take(address);
    if (verdict.allowed) return next();
    if (verdict.firstRefusal) {
      const claimed = (socket.handshake.auth as { siteId?: unknown } | undefined)?.siteId;
      audit.append({
        actor: `site:${typeof claimed === 'string' ? claimed.slice(0, 64) : '?'}`,
        action: 'site.rate-limited',
        details: { address, limit: limits.siteConnections, windowMs: limits.windowMs },
      });
    }
    const seconds = Math.max(1, Math.ceil(verdict.retryAfterMs / 1000));
    const message = `BUSY: too many connection attempts from ${address} (limit ${per}, FEDSYNTH_CONNECT_LIMIT); retry in ${seconds} s`;
    next(Object.assign(new Error(message), { data: { code: 'BUSY', retryAfterMs: verdict.retryAfterMs } }));
  };
}
