import { RateLimiter } from '../common/rate-limiter';
import type { CoordinatorConfig } from '../config/coordinator-config';
import type { AuditRepository } from '../store/audit.repository';

/** The slices of Express's request and response the limit reads and writes. */
interface LimitedRequest {
  readonly ip?: string;
  readonly socket?: { readonly remoteAddress?: string };
  readonly path?: string;
  readonly url: string;
}
interface LimitedResponse {
  statusCode: number;
  status(code: number): LimitedResponse;
  setHeader(name: string, value: string): unknown;
  json(body: unknown): unknown;
  on(event: 'finish', listener: () => void): unknown;
}

/** Routes behind the admin token (REST API) or the dashboard login. */
const GUARDED = /^\/(api|dashboard)(\/|$)/;

/**
 * Express middleware: a client IP that failed admin authentication (any 401 from the REST
 * API or the dashboard login) `rateLimits.adminFailures` times within the window is answered
 * 429 with Retry-After until it may try again, before its token is even compared. Only
 * failures count, so a dashboard polling with a valid session is never slowed. The first
 * refusal of a burst is audited (`admin.rate-limited`).
 */
export function adminAuthLimit(limits: CoordinatorConfig['rateLimits'], audit: AuditRepository): (request: LimitedRequest, response: LimitedResponse, next: () => void) => void {
  const limiter = new RateLimiter({ limit: limits.adminFailures, windowMs: limits.windowMs });
  return (request, response, next) => {
    if (limits.adminFailures === 0 || !GUARDED.test(request.path ?? request.url)) return next();
    const address = request.ip ?? request.socket?.remoteAddress ?? 'unknown';
    const verdict = limiter.check(address);
    if (!verdict.allowed) {
      if (verdict.firstRefusal) {
        audit.append({ actor: 'anonymous', action: 'admin.rate-limited', details: { address, limit: limits.adminFailures, windowMs: limits.windowMs } });
      }
      const seconds = Math.max(1, Math.ceil(verdict.retryAfterMs / 1000));
      response.setHeader('retry-after', String(seconds));
      response.status(429).json({
        statusCode: 429,
        message: `too many failed admin authentications from ${address} (limit ${limits.adminFailures} per ${limits.windowMs / 1000} s, FEDSYNTH_AUTH_FAILURE_LIMIT); retry in ${seconds} s`,
      });
      return;
    }
    response.on('finish', () => {
      if (response.statusCode === 401) limiter.take(address);
    });
    next();
  };
}
