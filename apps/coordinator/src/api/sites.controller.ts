import { Controller, Get, Inject, UseGuards } from '@nestjs/common';
import { SiteSessions } from '../sites/site-sessions';
import { SiteRepository } from '../store/site.repository';
import { AdminTokenGuard } from './admin-token.guard';

/** Registered sites and whether each is connected now (admin token required). */
@Controller('api/sites')
@UseGuards(AdminTokenGuard)
export class SitesController {
  constructor(
    @Inject(SiteRepository) private readonly sites: SiteRepository,
    @Inject(SiteSessions) private readonly sessions: SiteSessions,
  ) {}

  @Get()
  list() {
    return this.sites.list({ includeRevoked: true }).map((site) => ({ ...site, connected: this.sessions.isConnected(site.id) }));
  }
}
