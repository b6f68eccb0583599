import { ForbiddenException, Inject, Injectable, Optional, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { COORDINATOR_CONFIG } from '../config/config.module';
import type { CoordinatorConfig } from '../config/coordinator-config';
import { AdminSessions, CSRF_HEADER } from '../dashboard/admin-sessions';
import { sameSecret } from './same-secret';

/** Methods that change nothing: a session cookie alone is enough for them. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

interface AdminRequest {
  method: string;
  headers: Record<string, string | string[] | undefined>;
}

/**
 * The admin API's only gate: `Authorization: Bearer <FEDSYNTH_ADMIN_TOKEN>`, compared in
 * constant time, or a dashboard login session (cookie) when the dashboard is loaded. A
 * session's state-changing requests must also carry its CSRF token in `x-fedsynth-csrf`:
 * the cookie is SameSite=Strict already, and the header keeps even a same-site page that
 * is not the dashboard from acting with the admin's session.
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  constructor(
    @Inject(COORDINATOR_CONFIG) private readonly config: CoordinatorConfig,
    @Optional() @Inject(AdminSessions) private readonly sessions?: AdminSessions,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<AdminRequest>();
    const header = request.headers['authorization'];
    if (header !== undefined) {
      const match = /^Bearer (\S+)$/.exec(String(header));
      if (!match || !sameSecret(match[1], this.config.adminToken)) throw new UnauthorizedException('a valid admin bearer token is required');
      return true;
    }
    const session = this.sessions?.fromCookieHeader(request.headers['cookie']);
    if (!session) throw new UnauthorizedException('a valid admin bearer token is required');
    if (!SAFE_METHODS.has(request.method.toUpperCase())) {
      const presented = request.headers[CSRF_HEADER];
      if (typeof presented !== 'string' || !sameSecret(presented, session.csrfToken)) {
        throw new ForbiddenException(`a dashboard session must send its ${CSRF_HEADER} header with ${request.method} requests`);
      }
    }
    return true;
  }
}
