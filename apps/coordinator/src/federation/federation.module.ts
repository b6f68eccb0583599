import { Module } from '@nestjs/common';
import { AdminTokenGuard } from '../api/admin-token.guard';
import { RunsController } from '../api/runs.controller';
import { SitesController } from '../api/sites.controller';
import { GeneratorExportService } from '../generator/generator-export.service';
import { SiteSessions } from '../sites/site-sessions';
import { SitesGateway } from '../sites/sites.gateway';
import { StoreModule } from '../store/store.module';
import { RoundService } from './round.service';

/** The federation: the sites' gateway, the round service, the admin REST API and generator export. */
@Module({
  imports: [StoreModule],
  controllers: [RunsController, SitesController],
  providers: [SiteSessions, RoundService, SitesGateway, GeneratorExportService, AdminTokenGuard],
  exports: [RoundService, SiteSessions, GeneratorExportService],
})
export class FederationModule {}
