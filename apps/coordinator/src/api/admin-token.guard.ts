import { Inject, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { COORDINATOR_CONFIG } from '../config/config.module';
import type { CoordinatorConfig } from '../config/coordinator-config';

const digest = (text: string) => createHash('sha256').update(text).digest();

/** The admin API's only gate: `Authorization: Bearer <FEDSYNTH_ADMIN_TOKEN>`, compared in constant time. */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly expected: Buffer;

  constructor(@Inject(COORDINATOR_CONFIG) config: CoordinatorConfig) {
    this.expected = digest(config.adminToken);
  }

  canActivate(context: ExecutionContext): boolean {
    const header = context.switchToHttp().getRequest<{ headers: Record<string, string | undefined> }>().headers['authorization'];
    const match = /^Bearer (\S+)$/.exec(header ?? '');
    // Hashing first gives equal lengths, so timingSafeEqual never throws and leaks no length.
    if (!match || !timingSafeEqual(digest(match[1]), this.expected)) {
      throw new UnauthorizedException('a valid admin bearer token is required');
    }
    return true;
  }
}
