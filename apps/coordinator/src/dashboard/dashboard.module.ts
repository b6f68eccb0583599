import { Logger, Module } from '@nestjs/common';
import { AdminTokenGuard } from '../api/admin-token.guard';
import { FederationModule } from '../federation/federation.module';
import { StoreModule } from '../store/store.module';
import { DashboardAssets } from './dashboard-assets';
import { DashboardController } from './dashboard.controller';
import { DashboardFeed } from './dashboard-feed';
import { DashboardGateway } from './dashboard.gateway';

/**
 * The admin's web dashboard at /dashboard: login, pages and assets (DashboardController),
 * the live view over Socket.IO on /dashboard (DashboardGateway, DashboardFeed). Needs
 * AdminSessionsModule (global) and the federation (round service, site sessions,
 * generator export).
 */
@Module({
  imports: [StoreModule, FederationModule],
  controllers: [DashboardController],
  providers: [
    {
      provide: DashboardAssets,
      useFactory: () => {
        const assets = DashboardAssets.load();
        if (!assets.hasSocketIoClient) new Logger('Dashboard').warn('socket.io-client is not installed: the dashboard pages load, but without their live view');
        return assets;
      },
    },
    DashboardFeed,
    DashboardGateway,
    AdminTokenGuard,
  ],
})
export class DashboardModule {}
