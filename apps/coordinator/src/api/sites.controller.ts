import { Controller, Get, HttpCode, Inject, Param, Post, UseFilters, UseGuards } from '@nestjs/common';
import { SiteSessions } from '../sites/site-sessions';
import { SitesGateway } from '../sites/sites.gateway';
import { CoordinatorStore } from '../store/coordinator-store';
import { revokeSite } from '../store/site-admin';
import { SiteRepository } from '../store/site.repository';
import { AdminTokenGuard } from './admin-token.guard';
import { CoordinatorErrorFilter } from './coordinator-error.filter';

/** Registered sites, whether each is connected now, and revocation (admin token required). */
@Controller('api/sites')
@UseGuards(AdminTokenGuard)
@UseFilters(CoordinatorErrorFilter)
export class SitesController {
  constructor(
    @Inject(SiteRepository) private readonly sites: SiteRepository,
    @Inject(SiteSessions) private readonly sessions: SiteSessions,
    @Inject(CoordinatorStore) private readonly store: CoordinatorStore,
    @Inject(SitesGateway) private readonly gateway: SitesGateway,
  ) {}

  @Get()
  list() {
    return this.sites.list({ includeRevoked: true }).map((site) => ({ ...site, connected: this.sessions.isConnected(site.id) }));
  }

  /**
   * Revokes a site (by id or name) and closes its open connections at once, so it takes no
   * further part in a round; `fedsynth coordinator add-site NAME --rotate` re-provisions it.
   */
  @Post(':site/revoke')
  @HttpCode(200)
  revoke(@Param('site') ref: string) {
    const { site, alreadyRevoked } = revokeSite(this.store, ref, 'api');
    const disconnected = this.gateway.disconnectSite(site.id);
    return { ...site, alreadyRevoked, disconnected };
  }
}
